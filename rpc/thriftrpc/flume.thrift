# Apache Flume's Thrift interface (flume-ng-sdk/src/main/thrift/flume.thrift),
# the contract between Flume's ThriftRpcClient / thrift sink and its thrift
# source. flumego's Go codec (codec.go) is written by hand against this file;
# `make thrift-gen` regenerates the Python peer used by the interop tests
# (internal/thrifttest/py/gen) with Debian's thrift-compiler.

namespace java org.apache.flume.thrift
namespace go thriftrpc

struct ThriftFlumeEvent {
  1: required map <string, string> headers,
  2: required binary body,
}

enum Status {
  OK,
  FAILED,
  ERROR,
  UNKNOWN
}

service ThriftSourceProtocol {
  Status append(1: ThriftFlumeEvent event),
  Status appendBatch(1: list<ThriftFlumeEvent> events),
}
