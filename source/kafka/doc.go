// Package kafka is Flume's Kafka source (class
// org.apache.flume.source.kafka.KafkaSource; Flume 1.11 gives it no short
// alias): a member of a Kafka consumer group that hands the records of the
// partitions it is assigned to its channels, on franz-go's kgo client.
//
// It reads Flume 1.11's properties, current and deprecated:
//
//	kafka.bootstrap.servers                  required, host:port[,host:port...]
//	kafka.topics (or topic)                  comma-separated topics, or
//	kafka.topics.regex                       a Java pattern; wins over kafka.topics
//	kafka.consumer.group.id (or groupId)     flume
//	batchSize                                1000 events per batch (per channel transaction)
//	batchDurationMillis                      1000: the longest wait to fill a batch
//	backoffSleepIncrement, maxBackoffSleep   1000, 5000 ms: the pause after a refused batch
//	useFlumeEventFormat                      false; true = values are Avro AvroFlumeEvent datums
//	setTopicHeader, topicHeader              true, "topic": the header that gets the topic
//	header.<flumeName> = <kafkaName>         copy a Kafka record header to a Flume header
//	kafka.consumer.*                         consumer settings (internal/kafkaconf)
//	zookeeperConnect, migrateZookeeperOffsets  Flume's ZooKeeper era: see below
//
// A deprecated name is used only when its replacement is absent, with a
// warning. kafka.topics.regex must match a topic's whole name, as Java's
// Pattern.matcher(topic).matches(); it is re-evaluated whenever the
// consumer refreshes its metadata (kafka.consumer.metadata.max.age.ms, 5
// minutes by default, as in Java), so topics created later are consumed
// too. Patterns are translated by internal/javaregex; one that needs a
// backtracking engine (lookaround, backreferences) is refused as
// unsupported, since topic matching runs on RE2.
//
// Flume 1.11 still accepts zookeeperConnect (host:port[,...][/chroot])
// instead of kafka.bootstrap.servers: as Flume, the source then looks the
// brokers up where Kafka registers them in ZooKeeper (/brokers/ids), taking
// each broker's endpoint for the listener named after
// kafka.consumer.security.protocol; flumego does so when the source starts
// (internal/zookeeper), and a failed lookup fails the start, which the agent
// retries. Flume also migrates the offsets that Kafka 0.8's consumer
// committed in ZooKeeper when the group has none in Kafka
// (migrateZookeeperOffsets, true by default); flumego does not, and says so
// in a warning: a group without offsets in Kafka starts at
// kafka.consumer.auto.offset.reset. Beside kafka.bootstrap.servers,
// zookeeperConnect is ignored with a warning.
//
// # Events
//
// The record value is the body, or with useFlumeEventFormat an
// AvroFlumeEvent (headers and body), as Flume's Kafka sink
// (useFlumeEventFormat) and Kafka channel (parseAsFlumeEvent) write it; a
// record that does not decode is skipped, logged and counted in
// EventReadFail, as Flume skips it. Then, as Flume: header timestamp gets
// the record's timestamp (epoch milliseconds), the topic (under
// topicHeader, with setTopicHeader), partition and offset headers are set,
// each only where the event lacks it; the header.* mappings copy Kafka
// record headers (UTF-8); and key is set to the record key whenever the
// record has one (an empty key is a key; a null key sets none).
//
// # Consumer settings
//
// kafka.consumer.* keys are read by internal/kafkaconf, which the Kafka sink
// and channel share, and mapped onto kgo by kafkaconf/kgoconf: group.id,
// group.instance.id, auto.offset.reset (Kafka's default latest: Flume's
// source sets none), fetch.min.bytes, fetch.max.bytes, fetch.max.wait.ms,
// max.partition.fetch.bytes, session.timeout.ms, heartbeat.interval.ms,
// max.poll.interval.ms (the rebalance timeout), partition.assignment.strategy
// (Kafka's Range, RoundRobin, Sticky and CooperativeSticky assignors),
// isolation.level, client.rack, check.crcs, allow.auto.create.topics,
// client.id, request.timeout.ms, retry.backoff.ms, metadata.max.age.ms,
// connections.max.idle.ms, socket.connection.setup.timeout.ms and the
// security settings (SSL, SASL PLAIN and SCRAM, as the sink). enable.auto.commit
// is forced off with a warning, as Flume forces it; settings flumego cannot
// honour (GSSAPI, Java classes) are refused as unsupported, and every other
// key draws a warning that names it.
//
// # Delivery guarantee
//
// At least once, never a gap. The source gathers up to batchSize records
// (waiting at most batchDurationMillis), hands them to its channel
// processor, and only once every required channel committed them commits
// the offset after each partition's last record to the group; auto-commit
// is never on. A batch the channels refuse is kept and offered again after
// a pause of backoffSleepIncrement more per consecutive refusal (at most
// maxBackoffSleep); nothing is committed meanwhile. A poll that finds no
// record does not pause the source (Flume sleeps after empty polls too,
// which only delays the first record after a quiet spell): the poll itself
// waits up to batchDurationMillis for records.
//
// A rebalance cannot move a partition while its records are between the
// poll and their offset commit (kgo's BlockRebalanceOnPoll): partitions
// move between batches, or while a refused batch waits. When partitions
// are revoked the source commits the offsets of what its channels
// committed and drops the rest of its batch for those partitions, which
// their new owner reads from the committed offset: a member leaving or
// joining causes neither duplicates nor gaps. A member that dies (a killed
// process, a lost session) has its partitions read again from the last
// committed offset: its batches the channels committed but whose offsets
// it had not committed yet are delivered twice: at most one batch, because
// a failed offset commit stops the source from reading more until a retry
// (after backoffSleepIncrement more per failure, at most maxBackoffSleep),
// a revocation or Stop commits it (Flume reads on, so a broker outage can
// repeat everything its consumer had buffered). When the group drops a member that is
// still running (its session timed out), kgo reports the partitions lost:
// nothing is committed for them and their records are read again by their
// new owner.
//
// A broker outage makes polls and commits fail; the consumer reconnects,
// rejoins its group and resumes from the committed offsets.
//
// # Counters
//
// Flume's KafkaSourceCounter: the source counters (EventReceivedCount,
// EventAcceptedCount, ...) plus KafkaEventGetTimer (ms spent gathering the
// batches), KafkaCommitTimer (ms spent committing offsets) and
// KafkaEmptyCount (polls that found no record). EventReadFail and
// ChannelWriteFail are counted but, as in Flume, not published.
package kafka
