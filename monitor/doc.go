// Package monitor serves the counters every component publishes, as Flume's
// HTTP monitoring does and in Prometheus format.
//
// The agent creates one Registry and hands each component
// Settings.Publisher = reg.Publisher(name); a component's counter group is
// then listed under "<Type>.<name>" (SOURCE.r1, CHANNEL.c1, SINK.k1).
// FromSystemProperties reads Flume's -Dflume.monitoring.* properties and
// returns the Server to start, or nil when monitoring is off:
//
//	-Dflume.monitoring.type=http -Dflume.monitoring.port=34545
//
// The server answers like Flume's HTTPMetricsServer:
//
//	GET /metrics (any case)   200 application/json, Flume's JSON shape
//	GET /                     200 text/html, a link to ./metrics
//	TRACE or OPTIONS          403
//	anything else             404
//
// and adds GET /version (what the binary is, as JSON: flumego version,
// revision, build date, Go release, compiled-in plugins) and GET
// /prometheus: the same counters in the Prometheus text format. A server
// shown the agent's topology (ShowTopology; agent.Agent does it) serves
// the live page at / instead of Flume's link (package monitor/live: the
// topology drawn with live rates, channel fill, failover state, errors and
// sparklines; GET and HEAD only, nothing on it changes the agent), with its
// script, style and data under /live/. With flume.monitoring.type=prometheus (or the class name of the
// Prometheus server in Flume's development branch,
// org.apache.flume.instrumentation.http.PrometheusHTTPMetricsServer),
// /metrics serves the Prometheus format instead, the path Prometheus scrapes
// by default, and /prometheus still works. flume.monitoring.bind (an
// extension) restricts the listening address; Flume listens on all
// interfaces, and so does flumego by default.
//
// Prometheus metric names follow Prometheus's conventions (promtool check
// metrics reports nothing): "flume_" + the lower-cased Type + "_" + a name
// for the attribute, with the agent's name in the label "agent" and the
// component's in "component". Counters end in _total, gauges do not;
// times are in seconds; the HELP text names the Flume attribute:
//
//	# HELP flume_source_events_accepted_total Events the source put into its channels (Flume attribute EventAcceptedCount).
//	# TYPE flume_source_events_accepted_total counter
//	flume_source_events_accepted_total{agent="a1",component="r1"} 1200
//	flume_channel_size{agent="a1",component="c1"} 0
//	flume_sink_events_drained_total{agent="a1",component="k1"} 1200
//
// Flume's attributes map as follows (the JSON of /metrics keeps Flume's
// names and values):
//
//	every group   StartTime → start_time_seconds, StopTime → stop_time_seconds (epoch ms in /metrics)
//	SOURCE        EventReceivedCount → events_received_total, EventAcceptedCount → events_accepted_total,
//	              AppendReceivedCount → appends_received_total, AppendAcceptedCount → appends_accepted_total,
//	              AppendBatchReceivedCount → append_batches_received_total,
//	              AppendBatchAcceptedCount → append_batches_accepted_total,
//	              OpenConnectionCount → open_connections (gauge), EventReadFail → event_read_failures_total,
//	              ChannelWriteFail → channel_write_failures_total,
//	              GenericProcessingFail → generic_processing_failures_total,
//	              ConnectionRefusedCount → connections_refused_total
//	CHANNEL       ChannelSize → size, ChannelCapacity → capacity (gauges),
//	              ChannelFillPercentage → fill_ratio (gauge, 0 to 1; a percentage in /metrics),
//	              EventPutAttemptCount → event_put_attempts_total, EventPutSuccessCount → events_put_total,
//	              EventTakeAttemptCount → event_take_attempts_total, EventTakeSuccessCount → events_taken_total
//	file channel  Open, Closed, Unhealthy → open, closed, unhealthy (gauges, 0 or 1),
//	              EventPutErrorCount → event_put_errors_total, EventTakeErrorCount → event_take_errors_total,
//	              CheckpointWriteErrorCount → checkpoint_write_errors_total,
//	              CheckpointBackupWriteErrorCount → checkpoint_backup_write_errors_total,
//	              CheckpointCount → checkpoints_total, CheckpointBackupCount → checkpoint_backups_total,
//	              CheckpointDurationMs → checkpoint_duration_seconds, CheckpointQueueSize → checkpoint_queue_size,
//	              RecoveryDurationMs → recovery_duration_seconds, RecoveryEventCount → recovery_events,
//	              RecoveryReplayedRecords → recovery_replayed_records,
//	              RecoverySource → recovery_source (0 new, 1 checkpoint, 2 backup, 3 log replay),
//	              LogFileCount → log_files, LogFilesDeletedCount → log_files_deleted_total,
//	              FsyncCount → fsyncs_total, CommitGroupCount → commit_groups_total,
//	              UnsyncedCommitCount → unsynced_commits_total
//	SINK          ConnectionCreatedCount → connections_created_total,
//	              ConnectionClosedCount → connections_closed_total,
//	              ConnectionFailedCount → connections_failed_total, BatchEmptyCount → batches_empty_total,
//	              BatchUnderflowCount → batches_underflow_total, BatchCompleteCount → batches_complete_total,
//	              EventDrainAttemptCount → event_drain_attempts_total,
//	              EventDrainSuccessCount → events_drained_total, EventWriteFail → event_write_failures_total,
//	              ChannelReadFail → channel_read_failures_total
//	Kafka sink    KafkaEventSendTimer → kafka_event_send_seconds_total (total ms in /metrics),
//	              RollbackCount → rollbacks_total
//	Kafka source  KafkaEventGetTimer → kafka_event_get_seconds_total, KafkaCommitTimer →
//	              kafka_commit_seconds_total (total ms in /metrics), KafkaEmptyCount → kafka_empty_polls_total
//	Kafka channel KafkaEventGetTimer, KafkaEventSendTimer, KafkaCommitTimer (as above),
//	              RollbackCount → rollbacks_total (events of rolled-back takes)
//	DataHub sink  DirtyEventCount → dirty_events_total, PutRetryCount → put_retries_total,
//	              RecordPutCount → records_put_total
//
// An attribute not listed (a new component's, a plugin's) is named by the
// same conventions: snake case; …Ms, …Millis and …Timer (Flume's timers
// are total milliseconds) become _seconds, scaled; no type name (counter,
// gauge) and no reserved suffix (_count, _sum, _bucket); a counter ends in
// _total (…Fail in _failures_total), and a gauge counting something
// (…Count) is plural: KafkaEventGetTimer is
// flume_source_kafka_event_get_seconds_total, OpenFileCount (a gauge)
// flume_sink_open_files. The table is attributeMetrics in promnames.go.
//
// The gauge flume_build_info (always 1) names the running binary in its labels:
//
//	flume_build_info{build_date="2026-12-01T10:00:00Z",flume_version="1.11.0",goversion="go1.26.8",plugins="",revision="0123abc...",version="0.1.0"} 1
package monitor
