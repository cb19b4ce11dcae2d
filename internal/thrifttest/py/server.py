"""A Thrift server for Flume's ThriftSourceProtocol, built only from Debian's
python3-thrift and the code Debian's thrift-compiler generated from
rpc/thriftrpc/flume.thrift (gen/flume): the generated Processor behind a
framed transport. It is the independent peer of the flumego thrift sink and
client in the interop tests.

Usage: server.py compact|binary [TIMEOUT_SECONDS]

It listens on 127.0.0.1 (a free port) and prints {"port": N}. Each call it
receives is printed as one JSON line:
  {"method": "append" | "appendBatch", "answer": "OK" | ..., "events": [{"headers": {...}, "body": "<base64>"}]}
A line on stdin sets the answer to the calls that follow:
  {"answer": "OK" | "FAILED" | "ERROR" | "UNKNOWN" | "EXCEPTION"}
(EXCEPTION makes the handler raise, which the generated processor answers
with a TApplicationException INTERNAL_ERROR), and is acknowledged with
{"ack": ...}. The process exits at the end of stdin, or after
TIMEOUT_SECONDS (default 120).
"""
import base64
import json
import os
import signal
import socket
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

from thrift.protocol import TBinaryProtocol, TCompactProtocol  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402

from flume import ThriftSourceProtocol  # noqa: E402
from flume.ttypes import Status  # noqa: E402

out_lock = threading.Lock()
state = {"answer": "OK"}


def emit(obj):
    with out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def encode(events):
    return [
        {"headers": dict(e.headers or {}), "body": base64.b64encode(e.body or b"").decode("ascii")}
        for e in events
    ]


class Handler:
    def _answer(self, method, events):
        answer = state["answer"]
        emit({"method": method, "answer": answer, "events": encode(events)})
        if answer == "EXCEPTION":
            raise RuntimeError("told to fail")
        return Status._NAMES_TO_VALUES[answer]

    def append(self, event):
        return self._answer("append", [event])

    def appendBatch(self, events):
        return self._answer("appendBatch", events)


def serve(conn, processor, proto):
    sock = TSocket.TSocket()
    sock.setHandle(conn)
    trans = TTransport.TFramedTransport(sock)
    if proto == "binary":
        protocol = TBinaryProtocol.TBinaryProtocol(trans)
    else:
        protocol = TCompactProtocol.TCompactProtocol(trans)
    try:
        while True:
            processor.process(protocol, protocol)
    except (TTransport.TTransportException, EOFError, OSError):
        pass
    finally:
        conn.close()


def accept(listener, processor, proto):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, processor, proto), daemon=True).start()


def main():
    proto = sys.argv[1]
    timeout = int(sys.argv[2]) if len(sys.argv) > 2 else 120
    signal.alarm(timeout)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    processor = ThriftSourceProtocol.Processor(Handler())
    threading.Thread(target=accept, args=(listener, processor, proto), daemon=True).start()
    emit({"port": listener.getsockname()[1]})
    for line in sys.stdin:
        line = line.strip()
        if line:
            cmd = json.loads(line)
            state["answer"] = cmd["answer"]
            emit({"ack": cmd["answer"]})
    os._exit(0)


if __name__ == "__main__":
    main()
