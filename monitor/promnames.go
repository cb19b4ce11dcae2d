package monitor

import (
	"strings"
	"unicode"
)

// metricSpec is how a Flume attribute is served to Prometheus: the name
// after "flume_<type>_", the help text, and the factor that turns the
// attribute's value into the metric's base unit.
type metricSpec struct {
	name  string
	help  string
	scale float64
}

// attributeMetrics names Flume's attributes (and flumego's additions to
// them) in Prometheus's conventions: counters end in _total, gauges do
// not, times are in seconds, nothing ends in _count. Attributes that are
// not listed get a name from the same conventions (see conventionalName),
// so a new component's counters need no entry here. monitor/doc.go lists
// the mapping; keep both in step.
var attributeMetrics = map[string]metricSpec{
	// Every group.
	"StartTime": {"start_time_seconds", "When the component last started, in seconds since the epoch", 1e-3},
	"StopTime":  {"stop_time_seconds", "When the component last stopped, in seconds since the epoch; 0 while it runs", 1e-3},

	// Sources (Flume's SourceCounter).
	"EventReceivedCount":       {"events_received_total", "Events the source received", 1},
	"EventAcceptedCount":       {"events_accepted_total", "Events the source put into its channels", 1},
	"AppendReceivedCount":      {"appends_received_total", "Single-event requests the source received", 1},
	"AppendAcceptedCount":      {"appends_accepted_total", "Single-event requests whose event the source put into its channels", 1},
	"AppendBatchReceivedCount": {"append_batches_received_total", "Batch requests the source received", 1},
	"AppendBatchAcceptedCount": {"append_batches_accepted_total", "Batch requests whose events the source put into its channels", 1},
	"OpenConnectionCount":      {"open_connections", "Connections open to the source", 1},
	"EventReadFail":            {"event_read_failures_total", "Events or requests the source could not read", 1},
	"ChannelWriteFail":         {"channel_write_failures_total", "Times the source could not put events into its channels", 1},
	"GenericProcessingFail":    {"generic_processing_failures_total", "Other failures of the source", 1},
	"ConnectionRefusedCount":   {"connections_refused_total", "Connections the source closed on arrival because max-connections were open", 1},

	// Channels (Flume's ChannelCounter).
	"ChannelSize":           {"size", "Events in the channel", 1},
	"ChannelCapacity":       {"capacity", "Events the channel can hold", 1},
	"ChannelFillPercentage": {"fill_ratio", "Fill of the channel, from 0 to 1 (in /metrics a percentage)", 1e-2},
	"EventPutAttemptCount":  {"event_put_attempts_total", "Events put into the channel, committed or not", 1},
	"EventPutSuccessCount":  {"events_put_total", "Events put into the channel and committed", 1},
	"EventTakeAttemptCount": {"event_take_attempts_total", "Takes from the channel, including those that found it empty", 1},
	"EventTakeSuccessCount": {"events_taken_total", "Events taken from the channel and committed", 1},

	// The file channel (Flume's FileChannelCounter, then flumego's).
	"Open":                            {"open", "1 while the channel is started and healthy", 1},
	"Closed":                          {"closed", "1 while the channel is stopped", 1},
	"Unhealthy":                       {"unhealthy", "1 when the channel's last start failed", 1},
	"EventPutErrorCount":              {"event_put_errors_total", "Events whose put or commit failed", 1},
	"EventTakeErrorCount":             {"event_take_errors_total", "Events that could not be read back", 1},
	"CheckpointWriteErrorCount":       {"checkpoint_write_errors_total", "Checkpoints that could not be written", 1},
	"CheckpointBackupWriteErrorCount": {"checkpoint_backup_write_errors_total", "Checkpoint backups that could not be written", 1},
	"CheckpointCount":                 {"checkpoints_total", "Checkpoints written", 1},
	"CheckpointBackupCount":           {"checkpoint_backups_total", "Checkpoint backups written", 1},
	"CheckpointDurationMs":            {"checkpoint_duration_seconds", "Duration of the last checkpoint", 1e-3},
	"CheckpointQueueSize":             {"checkpoint_queue_size", "Events in the last checkpoint", 1},
	"RecoveryDurationMs":              {"recovery_duration_seconds", "Duration of the last start's recovery", 1e-3},
	"RecoveryEventCount":              {"recovery_events", "Events queued after the last recovery", 1},
	"RecoveryReplayedRecords":         {"recovery_replayed_records", "Log records replayed after the checkpoint at the last recovery", 1},
	"RecoverySource":                  {"recovery_source", "How the last start rebuilt the queue: 0 new, 1 checkpoint, 2 backup, 3 log replay", 1},
	"LogFileCount":                    {"log_files", "Data log files on disk", 1},
	"LogFilesDeletedCount":            {"log_files_deleted_total", "Data log files deleted", 1},
	"FsyncCount":                      {"fsyncs_total", "Data log fsyncs", 1},
	"CommitGroupCount":                {"commit_groups_total", "Group commits (one log write and fsync each)", 1},
	"UnsyncedCommitCount":             {"unsynced_commits_total", "Commits acknowledged before their fsync (fsyncPerTransaction=false)", 1},

	// Sinks (Flume's SinkCounter).
	"ConnectionCreatedCount": {"connections_created_total", "Connections the sink opened", 1},
	"ConnectionClosedCount":  {"connections_closed_total", "Connections the sink closed", 1},
	"ConnectionFailedCount":  {"connections_failed_total", "Connection attempts of the sink that failed", 1},
	"BatchEmptyCount":        {"batches_empty_total", "Takes that found the channel empty", 1},
	"BatchUnderflowCount":    {"batches_underflow_total", "Batches smaller than the batch size", 1},
	"BatchCompleteCount":     {"batches_complete_total", "Batches of the full batch size", 1},
	"EventDrainAttemptCount": {"event_drain_attempts_total", "Events the sink took to deliver", 1},
	"EventDrainSuccessCount": {"events_drained_total", "Events the sink delivered and committed", 1},
	"EventWriteFail":         {"event_write_failures_total", "Batches the sink could not deliver", 1},
	"ChannelReadFail":        {"channel_read_failures_total", "Times the sink could not take from its channel", 1},

	// The Kafka sink, source and channel (Flume's KafkaSinkCounter,
	// KafkaSourceCounter, KafkaChannelCounter) and the DataHub sink.
	"KafkaEventSendTimer": {"kafka_event_send_seconds_total", "Time spent sending batches to Kafka", 1e-3},
	"KafkaEventGetTimer":  {"kafka_event_get_seconds_total", "Time spent getting records from Kafka", 1e-3},
	"KafkaCommitTimer":    {"kafka_commit_seconds_total", "Time spent committing consumer offsets to Kafka", 1e-3},
	"KafkaEmptyCount":     {"kafka_empty_polls_total", "Polls of Kafka that found no record", 1},
	"RollbackCount":       {"rollbacks_total", "Transactions rolled back (the Kafka channel: events of rolled-back takes)", 1},
	"DirtyEventCount":     {"dirty_events_total", "Events written to the dirty-data file", 1},
	"PutRetryCount":       {"put_retries_total", "PutRecords calls that were retries", 1},
	"RecordPutCount":      {"records_put_total", "Records DataHub accepted", 1},
}

// metricFor returns how attribute attr of a group of type typ is served:
// its full name, help text and scale.
func metricFor(typ, attr string, gauge bool) metricSpec {
	s, ok := attributeMetrics[attr]
	if !ok || strings.HasSuffix(s.name, "_total") == gauge {
		// Unknown, or listed with the other kind: the conventions decide.
		s = conventionalName(attr, gauge)
	}
	return s.qualified(typ, attr, gauge)
}

// qualified prefixes the name with flume_<type>_ and ends the help with
// the Flume attribute it serves.
func (s metricSpec) qualified(typ, attr string, gauge bool) metricSpec {
	t := strings.ToLower(typ)
	s.name = "flume_" + sanitize(t) + "_" + s.name
	if s.help == "" {
		kind := "counter"
		if gauge {
			kind = "gauge"
		}
		s.help = "The " + t + " " + kind + " " + attr + " (Flume attribute " + attr + ")."
	} else {
		s.help += " (Flume attribute " + attr + ")."
	}
	return s
}

// units are the name segments that abbreviate a unit, or spell a unit
// that is not a base unit, with the base unit and the factor to it.
var units = map[string]struct {
	base  string
	scale float64
}{
	"ms": {"seconds", 1e-3}, "millis": {"seconds", 1e-3}, "milliseconds": {"seconds", 1e-3}, "msec": {"seconds", 1e-3},
	"timer": {"seconds", 1e-3}, // Flume's Kafka timers are total milliseconds
	"s":     {"seconds", 1}, "sec": {"seconds", 1}, "secs": {"seconds", 1},
	"us": {"seconds", 1e-6}, "micros": {"seconds", 1e-6}, "microseconds": {"seconds", 1e-6},
	"ns": {"seconds", 1e-9}, "nanos": {"seconds", 1e-9}, "nanoseconds": {"seconds", 1e-9},
	"minutes": {"seconds", 60}, "hours": {"seconds", 3600},
	"b": {"bytes", 1}, "kb": {"bytes", 1e3}, "mb": {"bytes", 1e6}, "gb": {"bytes", 1e9},
}

// conventionalName names an attribute that attributeMetrics does not
// list: its name in snake case, with units spelled as base units (a time in
// milliseconds, …Ms or …Timer, becomes seconds), no type name (counter,
// gauge), no suffix Prometheus reserves (_count, _sum, _bucket), and _total
// at the end of a counter only. A gauge that counts something (…Count) is
// named in the plural: LogFileCount is log_files.
func conventionalName(attr string, gauge bool) metricSpec {
	parts := strings.Split(snake(attr), "_")
	scale := 1.0
	var out []string
	for i, p := range parts {
		last := i == len(parts)-1
		u, isUnit := units[p]
		switch {
		case p == "":
		case isUnit:
			out = append(out, u.base)
			scale *= u.scale
		case p == "counter" || p == "gauge":
		case (p == "count" || p == "total") && last:
			if p == "count" && gauge && len(out) > 0 {
				out[len(out)-1] = plural(out[len(out)-1])
			}
		case (p == "sum" || p == "bucket") && last && gauge:
			out = append(out, p, "value")
		case len(p) == 1 || p == "tb" || p == "pb": // read as an abbreviated unit
			if len(out) > 0 {
				out[len(out)-1] += p
			} else {
				out = append(out, "x"+p)
			}
		default:
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = []string{"value"}
	}
	name := strings.Join(out, "_")
	if !gauge {
		if strings.HasSuffix(name, "_fail") {
			name += "ures"
		}
		name += "_total"
	}
	return metricSpec{name: name, scale: scale}
}

// plural returns the English plural of a word, as well as a name needs it.
func plural(w string) string {
	switch {
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "x"), strings.HasSuffix(w, "ch"), strings.HasSuffix(w, "sh"):
		return w + "es"
	case len(w) > 1 && strings.HasSuffix(w, "y") && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		return w[:len(w)-1] + "ies"
	}
	return w + "s"
}

// snake turns CamelCase into snake_case, keeping acronyms together
// ("HTTPRequestCount" → "http_request_count").
func snake(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			nextLower := i > 0 && i+1 < len(r) && unicode.IsLower(r[i+1]) && unicode.IsUpper(r[i-1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return sanitize(b.String())
}

// sanitize replaces characters Prometheus names cannot hold with '_'.
func sanitize(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '_' || c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			return c
		}
		return '_'
	}, s)
}
