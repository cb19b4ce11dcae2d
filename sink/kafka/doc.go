// Package kafka is Flume's Kafka sink (type "kafka", class
// org.apache.flume.sink.kafka.KafkaSink) on github.com/segmentio/kafka-go.
//
// It reads Flume 1.11's properties, current and deprecated:
//
//	kafka.bootstrap.servers (or brokerList)  required, host:port[,host:port...]
//	kafka.topic (or topic)                   default-flume-topic; %{header} escapes
//	flumeBatchSize (or batchSize)            100 events per channel transaction
//	kafka.producer.acks (or requiredAcks)    1; 0, 1, -1 or all
//	useFlumeEventFormat                      false; true = value is an Avro AvroFlumeEvent
//	defaultPartitionId, partitionIdHeader    fixed partition, or one from a header
//	allowTopicOverride, topicHeader          true, "topic": per-event topic from a header
//	timestampHeader                          header with the record timestamp (epoch ms)
//	header.<flumeName> = <kafkaName>         copy a Flume header to a Kafka record header
//	kafka.producer.*                         producer settings, mapped onto kafka-go
//
// A deprecated name is used only when its replacement is absent, exactly as
// Flume's translateOldProps does, and draws a deprecation warning.
// serializer.class and key.serializer.class only draw a warning. Keys of the
// old 0.8 producer written under "kafka." (kafka.flumeBatchSize,
// kafka.request.required.acks, kafka.metadata.broker.list, ...) are ignored
// by Flume 1.11 and here too, with a warning that names the replacement.
//
// # Records
//
// As Flume: the value is the event body (or, with useFlumeEventFormat, one
// Avro binary datum of AvroFlumeEvent, no container or schema id, readable by
// Flume's Kafka source and channel); the key is the "key" header (none when
// absent); the topic is the topicHeader header when allowTopicOverride, else
// kafka.topic with %{header}, %[localhost|IP|FQDN] (the host as the host
// interceptor sees it: internal/localhost) and time escapes replaced (Flume's
// BucketPath, shared with the HDFS sink: internal/bucketpath; only
// when allowTopicOverride; otherwise kafka.topic verbatim);
// the partition is the partitionIdHeader header, else defaultPartitionId,
// else the partitioner: the murmur2 hash of the key, as Java's
// DefaultPartitioner, or for records without a key a sticky partition that
// changes once batch.size bytes went to it (Java's sticky partitioner).
// A partition id that is not an integer, is negative or names a partition
// the topic lacks fails the batch, as in Flume (the events stay in the
// channel). An empty body is an empty value, never a null (a tombstone);
// an empty key header is an empty key. The record timestamp is the
// timestampHeader value, else the time of the write.
//
// kafkaRecordHeaders (a flumego addition) chooses which Kafka record headers
// a record carries: "mapped" (the default) sends only the header.* mappings,
// as Flume does; "all" sends every Flume event header, under its own name or
// the name a header.* mapping gives it. It is off by default because a
// drop-in replacement must write what Flume wrote: record headers need
// brokers of Kafka 0.11 or later (Flume's producer also works with 0.10), and
// they add every header's bytes to every record.
//
// # Producer settings
//
// kafka.producer.* keys are read by internal/kafkaconf, which the Kafka
// source and channel share, and map onto kafka-go's Writer and Transport
// (kafkaconf/kafkagoconf): acks,
// compression.type, linger.ms, batch.size, max.request.size,
// request.timeout.ms, delivery.timeout.ms, retries, retry.backoff.ms,
// client.id, metadata.max.age.ms, connections.max.idle.ms,
// socket.connection.setup.timeout.ms, security.protocol (PLAINTEXT, SSL,
// SASL_PLAINTEXT, SASL_SSL), sasl.mechanism (PLAIN, SCRAM-SHA-256,
// SCRAM-SHA-512) with sasl.jaas.config or the KafkaClient section of the
// -Djava.security.auth.login.config file, ssl.truststore.*,
// ssl.keystore.*, ssl.key.password, ssl.enabled.protocols,
// ssl.cipher.suites, ssl.endpoint.identification.algorithm and Flume's
// ssl.disableTLSHostnameVerification. linger.ms is accepted and has no
// effect, as in Flume, whose sink flushes the producer after every batch.
// max.in.flight.requests.per.connection is accepted: kafka-go sends one
// request at a time per partition, which keeps records in order.
// metadata.max.age.ms is capped at 6 s, because kafka-go refreshes
// partition leaders only on that timer (Java also refreshes after errors).
// Unknown topics are created if the brokers allow it, as Java's producer
// asks them to. A timestampHeader value that is not a non-negative
// integer gets the current time and a warning (Java would fail the batch
// forever).
// Settings that would change guarantees kafka-go cannot give
// (enable.idempotence=true, transactional.id, Kerberos, custom
// partitioner, serializer or interceptor classes, an ssl.key.password that
// differs from the key store's) are configuration errors wrapping
// flume.ErrUnsupported. Every other kafka.producer.* key draws a
// warning that names it; none is dropped silently.
//
// # Delivery guarantee
//
// Process takes up to flumeBatchSize events in one channel transaction,
// writes them and commits only after the brokers acknowledged every record
// at the configured acks (with acks=0 nothing is acknowledged: a record the
// broker never got is lost, as with Flume). Any failure rolls the
// transaction back; the same events, in the same order, are sent again on a
// later call, and RollbackCount counts it. Writes are bounded: kafka-go
// retries a failed request at most retries times (capped so the attempts
// fit in delivery.timeout.ms, 120 s by default) and Process gives up after
// delivery.timeout.ms, so a broker outage makes Process fail and the sink
// runner back off instead of blocking or spinning.
//
// Records are never lost once the channel commit happened, and never
// reordered within a partition: kafka-go sends one request at a time per
// partition, in order. Duplicates are possible where Kafka's
// non-idempotent producer cannot avoid them (kafka-go has no idempotent
// producer): when a broker appended a batch but its acknowledgement did not
// arrive (request timeout, connection lost, leader change after the append),
// or when some partitions of a batch were acknowledged and another failed;
// the whole batch is then written again. A consumer sees the records of
// such a batch twice, the second copy after the first.
package kafka
