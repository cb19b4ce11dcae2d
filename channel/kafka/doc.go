// Package kafka is Flume's Kafka channel (class
// org.apache.flume.channel.kafka.KafkaChannel; Flume 1.11 gives it no
// short alias): a Kafka topic as a durable channel that agents on several
// hosts share, on franz-go's kgo client for both its producer and its
// consumer.
//
// It reads Flume 1.11's properties, current and deprecated:
//
//	kafka.bootstrap.servers (or brokerList)    required, host:port[,host:port...]
//	kafka.topic (or topic)                     flume-channel
//	kafka.consumer.group.id (or groupId)       flume
//	parseAsFlumeEvent                          true: records are Avro AvroFlumeEvent datums
//	kafka.pollTimeout                          500 ms: how long a take waits for a first record
//	defaultPartitionId                         every record to this partition
//	partitionIdHeader                          the header that names a record's partition
//	kafka.consumer.auto.offset.reset           earliest (Flume's code; its guide says latest);
//	  (or readSmallestOffset)                  readSmallestOffset true/false = earliest/latest
//	kafka.producer.*, kafka.consumer.*         client settings (internal/kafkaconf)
//	migrateZookeeperOffsets, zookeeperConnect  Flume's ZooKeeper era: ignored with a warning
//
// A deprecated name is used only when its replacement is absent, with a
// warning. pollTimeout, the name Flume's user guide gives the poll timeout,
// is ignored as Flume 1.11's code ignores it, with a warning naming
// kafka.pollTimeout. zookeeperConnect only served Flume's migration of
// offsets committed in ZooKeeper (the channel never finds its brokers
// there, unlike the source): flumego does not migrate them, and a group
// with no offsets in Kafka starts at auto.offset.reset.
//
// # Records
//
// Byte for byte what Java Flume 1.11's Kafka channel writes, so that Java
// and Go agents can share one channel topic, either side putting or
// taking: with parseAsFlumeEvent = true the value is one bare Avro binary
// datum of AvroFlumeEvent (headers and body; no container, schema or
// framing), the header map one block in the iteration order of the
// java.util.HashMap Java copies the headers into; with false, the body
// alone (an empty body is an empty value, never a tombstone) and the
// headers are lost. Either way the key header, when present, is also the
// record key (an empty key is a key; without the header the key is null),
// and no Kafka record headers are written. The partition is the
// partitionIdHeader header's value, else defaultPartitionId, else the
// partitioner's choice: murmur2 of the key, as Java's DefaultPartitioner,
// or for keyless records a sticky partition that changes with each batch.
// A partition header that is not a partition number fails the put, and a
// partition the topic lacks fails the commit before anything is written
// (Flume's channel wrote the other records of such a transaction, and
// wrote them again at every retry). Takes decode any valid Avro map layout;
// a record that is not an AvroFlumeEvent fails the take with a channel
// error, as in Flume, and is skipped: the next take goes on past it. A
// non-null record key is put back as header key.
//
// # Transactions and delivery guarantee
//
// A put transaction encodes its events at Put and produces them at Commit,
// which returns only once the brokers acknowledged every record at
// kafka.producer.acks (all, by default): a commit that fails (after the
// producer's retries within delivery.timeout.ms) returns a channel error
// and leaves the transaction to be rolled back; records the brokers did
// take are then in the topic, and a retry puts them again (duplicates,
// never a loss). With kafka.producer.enable.idempotence = true (kgo has
// Kafka's idempotent producer; Kafka 2.7's default, false, is kept) the
// brokers also drop the retries of a batch they already have. linger.ms
// never delays a commit, as Flume flushes its producer at every commit.
//
// Takes are served by one consumer group member per channel, created by
// the first take: an agent that only puts (a source and the channel, no
// sink) never joins the group, where it would take partitions from the
// agents that read the channel, as in Flume. A goroutine keeps a queue of
// fetched records; a take pops from its head, waiting up to
// kafka.pollTimeout for a first record and then, while records keep
// arriving (each within 5 ms of the last), for more until it has as many
// as it asked for: Java Flume's sinks fill their batches the same way, by
// polling until the batch is full, but wait out a whole poll timeout when
// the records stop. (This is the one channel whose Take may wait for more
// once it has an event: without it a sink that has caught up would get a
// few records per batch, and one offset commit for each.) A take
// transaction's commit marks
// its records done and commits to the group, synchronously, the offset
// before which every record was taken by a committed transaction, so the
// group's offset never passes an event that was not delivered. When an
// offset commit fails (brokers away), takes retry it and deliver nothing
// until it succeeds, so a restart or a lost membership repeats what one
// take delivered, not everything buffered (Flume logs the failure and goes
// on delivering). A rollback returns the records to the head of the queue in
// their order: they are taken again, by this agent. Flume's channel keeps
// a consumer per taking thread; flumego shares one between all the sinks
// of an agent, which is fewer group members and the same guarantee.
//
// When partitions are revoked (another agent joins or leaves the group)
// the queued records of those partitions are dropped, the revocation waits
// for the open transactions that hold some of them (up to half of
// max.poll.interval.ms, at most 10 s, since the whole group waits), commits
// what they took and hands the partitions over: their new owner reads on
// from there, with neither gaps nor duplicates. A transaction still open
// after that wait, or partitions the group took from a member that stopped
// heart-beating (lost), have their events delivered again by the new
// owner: duplicates, never a loss. An agent killed with SIGKILL loses
// nothing either: its uncommitted takes are read again by whoever gets its
// partitions, its uncommitted puts were never acknowledged to its source.
//
// A broker outage makes put commits wait through the producer's retries
// (or fail, so that the source offers the batch again), and takes find
// nothing until the consumer has reconnected and rejoined its group.
//
// Len and Capacity return 0 (the events are in the topic, which the
// channel does not count; Flume's channel reports no size either), so the
// agent does not wait at shutdown for a sink to drain it: the group reads
// on from its committed offsets. TransactionCapacity is unbounded, as in
// Flume: any batch size fits.
//
// # Client settings
//
// kafka.producer.* and kafka.consumer.* are read by internal/kafkaconf,
// shared with the Kafka sink and source, and mapped onto kgo by
// kafkaconf/kgoconf (see the Kafka source's documentation for the consumer
// keys and the sink's for the producer keys; security settings apply to
// each client separately, as in Flume). The producer's acks default to
// all; the consumer's offsets are never committed automatically.
//
// # Counters
//
// Flume's KafkaChannelCounter: the channel counters (EventPutAttemptCount
// and EventTakeAttemptCount count events, as Flume's Kafka channel does)
// plus KafkaEventGetTimer, KafkaEventSendTimer, KafkaCommitTimer
// (cumulative milliseconds) and RollbackCount (events of rolled-back
// takes). ChannelSize and ChannelCapacity stay 0, as in Flume.
package kafka
