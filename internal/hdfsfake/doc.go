// Package hdfsfake is an in-process fake of an HDFS 3.x cluster, one
// NameNode and one DataNode, for testing the HDFS sink's hdfs:// file
// system where no Hadoop can run. It speaks Hadoop's own protocols on two
// TCP ports, written from Hadoop's .proto files and its server code's
// behaviour, and is checked against github.com/colinmarc/hdfs/v2 v2.4.0 as
// an independent client:
//
//   - Hadoop IPC on the NameNode port: the "hrpc" connection header
//     (version 9), SASL negotiation as a server whose only method is SIMPLE
//     (NEGOTIATE is answered SUCCESS; KERBEROS and TOKEN are refused with
//     AccessControlException), the IpcConnectionContextProto, and
//     length-prefixed packets of varint-delimited RpcRequestHeaderProto,
//     RequestHeaderProto and request, answered with an
//     RpcResponseHeaderProto (SUCCESS, ERROR with the Java exception class
//     and message, or FATAL, after which the connection closes) and the
//     response.
//   - ClientProtocol (ClientNamenodeProtocol) methods: getServerDefaults,
//     getFileInfo, getListing (paged by dfs.ls.limit), getBlockLocations,
//     mkdirs, create, addBlock, abandonBlock, updateBlockForPipeline, fsync,
//     complete, rename, rename2, delete, renewLease, recoverLease,
//     isFileClosed and truncate, with HDFS's semantics and exception
//     classes: create refuses an existing file (FileAlreadyExistsException) and a file
//     another client has open (AlreadyBeingCreatedException), append
//     refuses an open file the same way; addBlock and complete check the
//     caller holds the lease (LeaseExpiredException); getFileInfo reports
//     an open file's length without its last, incomplete block (0 after an
//     hflush of a one-block file) while the DataNode serves the flushed
//     bytes; complete answers false until the DataNode holds the last
//     block, and, by default, the first time for every file as a real
//     NameNode does before the DataNode's block report arrives
//     (SetCompleteRefusals); recoverLease of an open file answers false
//     and recovers the last block at the length the DataNode holds, so
//     that the next call answers true.
//   - The data transfer protocol on the DataNode port (version 28):
//     WRITE_BLOCK with the PIPELINE_SETUP_CREATE stage (packets with
//     CRC32C, CRC32 or no checksums, each verified; the partial last chunk
//     of a flush resent; heartbeats; pipeline acks in order; the last
//     packet finalizing the replica) and READ_BLOCK (of finalized and of
//     open replicas, up to the acknowledged bytes).
//
// Everything else is refused the way Hadoop refuses, never pretended: an
// unknown method with RpcNoSuchMethodException, a ClientProtocol method
// the fake does not implement (append to a closed file, setReplication,
// snapshots, ACLs, xattrs, encryption zones, erasure coding, delegation
// tokens, ...) with UnsupportedOperationException naming it, another
// protocol with RpcNoSuchProtocolException, options it does not implement
// (storage and erasure coding policies, lazy persist, moveToTrash,
// getListing with locations) likewise, and on the DataNode the other
// operations and stages (append and recovery pipelines, pipelines through
// several DataNodes, checksums, short-circuit reads) with an
// ERROR_UNSUPPORTED answer. There is no Kerberos, no block token and no
// SASL on the DataNode, no permission checking (as with
// dfs.permissions.enabled=false), no impersonation (a realUser in the
// connection context is refused, as with no hadoop.proxyuser.* rules), no
// lease expiry (only recoverLease ends a lease) and no
// ClientDatanodeProtocol (a Java reader of an open file asks it for the
// visible length).
//
// Failures on demand: DropPipeline makes the DataNode drop a coming write
// pipeline mid-block, closing the connection without acknowledging the
// packet it received (DropPipelineAfterStoring: after storing it, as a
// DataNode that failed after writing to disk); SetStandby makes the
// NameNode a standby one (StandbyException); SetCompleteRefusals sets how many complete calls per
// file answer false. Stats counts calls, refusals, pipelines and
// recoveries; ReadFile, Stat and Files inspect the namespace.
//
// Every decoder is bounded: an RPC packet by Config.MaxRPCBytes, a data
// packet by Hadoop's 16 MiB, an operation request by 1 MiB, and buffers
// grow with the bytes that arrive rather than with the lengths announced.
// The fake keeps data in memory; it is meant for tests, benchmarks of a
// few GB and local example topologies (cmd/hdfs-fake).
package hdfsfake
