// Package datahubfake is an in-process fake of Alibaba Cloud DataHub's REST
// API, the part a producer uses, for testing the DataHub sink without a
// cloud account. It is written from the documented API and the official
// SDKs' wire format (Java 2.x, Go v1.1.5), independently of the sink's
// client:
//
//   - GET /projects/{p}/topics/{t}: GetTopic, with the tuple schema as the
//     JSON-in-a-string RecordSchema;
//   - GET /projects/{p}/topics/{t}/shards: ListShard with shard states;
//   - POST /projects/{p}/topics/{t}/shards: PutRecords, JSON
//     ({"Action":"pub",...}) or protobuf (application/x-protobuf with
//     x-datahub-request-action: pub, "DHUB"-framed with CRC-32C), answering
//     which records failed and why;
//   - POST /projects/{p}/topics/{t}/shards/{id}: PutRecordsByShard
//     (protobuf), all or nothing;
//   - every request's DATAHUB signature is verified (HMAC-SHA1 over method,
//     Content-Type, Date, x-datahub-* headers and URI) and its Date must be
//     within 15 minutes of the fake's clock; compressed bodies (deflate, lz4
//     with x-datahub-content-raw-size) are accepted, and answers compressed
//     when the client asks with Accept-Encoding;
//   - values are checked against the schema (field count, type syntax, NOT
//     NULL columns); a bad record fails alone with MalformedRecord, as the
//     service does.
//
// Failures on demand: FailRequests makes whole PutRecords requests fail
// (e.g. 500 InternalServerError or 429 LimitExceeded), FailRecords fails
// chosen records inside otherwise successful requests (partial failure),
// SetShardState and AddShard change the shard layout (a write to a shard
// that is not ACTIVE fails with InvalidShardOperation). Stats counts
// requests and records, so tests can prove that only failed records are
// sent again.
//
// Every decoder is bounded: a request body is limited to MaxBodyBytes
// (before and after decompression) and a protobuf message's lengths are
// checked against the bytes present. The fake stores what it accepts in
// memory; it is meant for tests and local example topologies, not for load
// beyond a few million records.
package datahubfake
