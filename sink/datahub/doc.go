// Package datahub is the Alibaba Cloud DataHub sink, a drop-in for the
// DataHub Flume plugin (com.aliyun.datahub.flume.sink.DatahubSink): it reads
// the plugin's properties of both generations unchanged and writes each
// event to a DataHub topic. Register adds it as "datahub" and under the
// plugin's class name.
//
// Verified against a fake, not against Alibaba Cloud: no DataHub service
// was reachable while this was written. The sink was tested against
// internal/datahubfake, an in-process fake written from the documented API
// and the official SDKs' wire format; the fake in turn accepted the requests
// of the official Go SDK (v1.1.5), and the sink's client reproduces that
// SDK's signatures and protobuf bodies byte for byte (golden file in
// internal/client/testdata). Value conversions are checked against the JDK
// itself (TestJavaSemantics).
//
// # Records
//
// For a TUPLE topic the serializer cuts each event body, decoded in
// serializer.charset, into the columns named by serializer.fieldnames
// (an empty name skips a field):
//
//   - DELIMITED splits on serializer.delimiter, a Java regex (\u007C and the
//     like are translated; surrounding double quotes are dropped) with the
//     semantics of Java's String.split(regex, -1); the number of fields must
//     equal the number of names;
//   - JSON reads the named keys of a JSON object (objects and arrays as
//     compact JSON text, numbers as Java prints them);
//   - REGEX matches the whole body against serializer.regex (DOTALL,
//     serializer.regexIgnoreCase) and takes one group per name.
//
// Both regexes run on RE2, or on a backtracking engine when they need it
// (lookaround, backreferences); a line that engine gives up on (each match
// is bounded to 250 ms) is a dirty line whose reason names the pattern.
//
// Each value is trimmed (Java's String.trim), datahub.nullValue (ignoring
// case, "null" by default) becomes null, and the text is parsed by the
// column's type as the plugin does — Long.parseLong for BIGINT and
// TIMESTAMP, Integer.parseInt for INTEGER, SMALLINT and TINYINT,
// Double.parseDouble / Float.parseFloat, Boolean.parseBoolean, new
// BigDecimal — and sent as the Java SDK formats it. Columns the serializer
// does not name are null. A BLOB topic receives the raw body, which the
// Java plugin cannot do; no serializer is needed for it.
//
// # Delivery guarantee
//
// Process takes a batch in one channel transaction and commits only after
// every event is either stored by DataHub (PutRecords answered without
// failure for it) or written, and fsynced, to the dirty-data file. Any other
// outcome rolls the transaction back and the same events are taken again:
// nothing is lost. The Java plugin's two losses are fixed: a batch whose
// PutRecords threw a client exception on every retry is rolled back (the
// plugin committed and dropped it), and after a partial failure only the
// records that failed are sent again (resending the whole batch would
// duplicate the others). Duplicates remain possible, as with any
// at-least-once sink, when a batch partly stored is finally rolled back
// (retries used up) or when a put's answer is lost; a put already sent when
// the sink stops gets 5 s to finish to narrow that window.
//
// Dirty data: a line that does not fit (wrong field count, unparsable value,
// a null in a NOT NULL column, a record DataHub rejects as MalformedRecord)
// is appended, raw, to datahub.dirtyDataFile when datahub.dirtyDataContinue
// is true (the default); otherwise the batch is rolled back with an error
// naming the line, and it will fail again until the line is dealt with (the
// plugin's "exit" behaviour, without its loss).
//
// # Retries and shards
//
// A failed request is retried datahub.retryTimes times (1.x retryTimes:
// negative means until it succeeds or the sink stops) every
// datahub.retryInterval seconds; errors that retrying cannot fix (bad
// credentials, missing topic, invalid request) roll back at once, and the
// sink runner retries the batch later. Batches are spread round-robin over
// datahub.shard.ids (1.x datahub.shard.id), or over the topic's ACTIVE
// shards; with the 1.x datahub.shard.columns each record goes to the shard
// given by the Java hash of those columns, as in the 1.x plugin. An
// InvalidShardOperation or NoSuchShard answer re-reads the shard list (and
// keeps, of the configured shards, the ACTIVE ones) and moves the records.
//
// # Configuration generations
//
// 2.x names are datahub.* (datahub.accessId, datahub.batchSize 1000,
// datahub.retryTimes 3, datahub.batchTimeout 5 s, datahub.maxBufferSize
// 2 MiB, datahub.enablePb, datahub.compressType LZ4|DEFLATE, ...); 1.x
// names are datahub.accessID, batchSize (100), retryTimes (-1),
// retryInterval, datahub.shard.id, dateFormat with dateformat.columns,
// datahub.shard.columns and isBlankValueAsNull. A file that spells the
// access id datahub.accessID gets the 1.x defaults for what it leaves out;
// names of both generations are read in any file, and when both names of a
// setting are given, the 2.x one wins with a warning. shard.number and shard.maxTimeOut, which
// tutorials use but the plugin ignores, are accepted with a warning that
// they have no effect; the 1.x MaxCompute partition feature
// (maxcompute.partition.*) is rejected as not supported. The README lists
// every property.
//
// With a batch timeout the sink keeps its transaction open and takes more
// events while they keep coming, until the batch is full, holds more than
// datahub.maxBufferSize body bytes or the timeout passes, as the 2.x plugin
// does; unlike the plugin, a channel that stays empty for its keep-alive
// ends the batch early.
//
// # Client
//
// The sink talks to DataHub with its own small client (internal/client) of
// the REST API rather than the official Go SDK
// (github.com/aliyun/aliyun-datahub-sdk-go v1.1.5). Measured on this
// project's machine:
//
//   - size: a tiny program calling ListShard grows from 8.9 MB to 17.2 MB
//     with the SDK (6.2 to 11.8 MB stripped); the SDK brings
//     alibaba-cloud-sdk-go, credentials-go, an Avro library, json-iterator,
//     logrus and two protobuf runtimes. The own client needs the standard
//     library and the LZ4 package the Kafka sink uses too;
//   - side effect: the SDK's init sets the process-wide logrus formatter,
//     output (stdout) and level;
//   - allocations: one PutRecords of 1000 three-column records against the
//     fake (in its own process) costs the SDK 22 129 allocations and
//     1.04 MB (31 131 and 1.45 MB with building its records), the own client
//     110 allocations and 41 KB; 147k against 426k records/s (medians of
//     five runs on a shared, loaded 2-core machine);
//   - the SDK's calls take no context.Context, so a stop could not cancel a
//     hanging request.
package datahub
