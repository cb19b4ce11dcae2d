// Package client is a small client of Alibaba Cloud DataHub's REST API, the
// part the DataHub sink needs: GetTopic (with its record schema), ListShard
// and PutRecords, by topic (records carry their shard id) or by shard.
//
// Wire format, as the official SDKs (Java 2.x, Go v1.1.5) speak it:
//
//   - every request is signed: Authorization: DATAHUB <accessId>:<signature>,
//     the signature being base64(HMAC-SHA1(accessKey, canonical)) where
//     canonical is METHOD, Content-Type, Date, each x-datahub-* header as
//     "name:value" (lower-case names, sorted) and the request URI, joined
//     with "\n";
//   - GetTopic is GET /projects/{p}/topics/{t}; its RecordSchema is a JSON
//     document inside a JSON string;
//   - ListShard is GET /projects/{p}/topics/{t}/shards;
//   - PutRecords is POST /projects/{p}/topics/{t}/shards, either JSON
//     ({"Action":"pub","Records":[{"ShardId":..,"Data":[..]}]}) or protobuf
//     (Content-Type application/x-protobuf, x-datahub-request-action: pub,
//     the PutRecordsRequest message framed by "DHUB", its CRC-32C and its
//     length, big-endian); the answer lists the records that failed, by
//     index, with an error code;
//   - PutRecordsByShard is the protobuf request POSTed to
//     /projects/{p}/topics/{t}/shards/{id}; it succeeds or fails whole;
//   - request bodies may be compressed (Content-Encoding deflate or lz4,
//     x-datahub-content-raw-size), responses likewise when asked with
//     Accept-Encoding;
//   - errors are HTTP status >= 400 with {"ErrorCode","ErrorMessage"}.
//
// Tuple values travel as strings, one per schema column, null for a missing
// value; the caller formats them (the sink formats them as the Java SDK
// does). Blob records carry raw bytes.
//
// The client is safe for concurrent use. Every call takes a context; its
// cancellation aborts the HTTP exchange. Decoders are bounded: response
// bodies are limited in size and a protobuf answer may not report more
// failed records than were sent.
package client
