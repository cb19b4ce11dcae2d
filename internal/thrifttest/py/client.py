"""A Thrift client for Flume's ThriftSourceProtocol, built only from Debian's
python3-thrift and the code Debian's thrift-compiler generated from
rpc/thriftrpc/flume.thrift (gen/flume). It is the independent peer of the
flumego thrift source in the interop tests.

Usage: client.py HOST PORT compact|binary [TIMEOUT_SECONDS]

Commands arrive on stdin, one JSON object per line:
  {"op": "append" | "appendBatch", "events": [{"headers": {...}, "body": "<base64>"}]}
and each gets one JSON line on stdout:
  {"status": "OK" | "FAILED" | "ERROR" | "UNKNOWN"}  or  {"error": "<class>: <message>"}
The process exits at the end of stdin, or after TIMEOUT_SECONDS (default 120).
"""
import base64
import json
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

from thrift.protocol import TBinaryProtocol, TCompactProtocol  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402

from flume import ThriftSourceProtocol  # noqa: E402
from flume.ttypes import Status, ThriftFlumeEvent  # noqa: E402


def main():
    host, port, proto = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    timeout = int(sys.argv[4]) if len(sys.argv) > 4 else 120
    signal.alarm(timeout)
    sock = TSocket.TSocket(host, port)
    sock.setTimeout(30000)
    trans = TTransport.TFramedTransport(sock)
    if proto == "binary":
        protocol = TBinaryProtocol.TBinaryProtocol(trans)
    else:
        protocol = TCompactProtocol.TCompactProtocol(trans)
    client = ThriftSourceProtocol.Client(protocol)
    trans.open()
    try:
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            cmd = json.loads(line)
            events = [
                ThriftFlumeEvent(headers=e.get("headers") or {}, body=base64.b64decode(e["body"]))
                for e in cmd["events"]
            ]
            try:
                if cmd["op"] == "append":
                    status = client.append(events[0])
                else:
                    status = client.appendBatch(events)
                out = {"status": Status._VALUES_TO_NAMES.get(status, str(status))}
            except Exception as exc:  # reported to the test, which decides
                out = {"error": "%s: %s" % (type(exc).__name__, exc)}
            sys.stdout.write(json.dumps(out) + "\n")
            sys.stdout.flush()
            if "error" in out and not out["error"].startswith("TApplicationException"):
                return  # the connection is no longer usable
    finally:
        trans.close()


if __name__ == "__main__":
    main()
