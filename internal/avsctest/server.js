// avsc Avro RPC server for flumego's interop tests. Usage:
//   node server.js '<json options>'
// options: {protocol, failFirst (calls answered FAILED first), errorFirst
// (calls answered with an error first), delayMs (before each answer)}.
// Prints {"port": N} once listening, then one JSON line per received event
// {call, headers, body (base64)} as calls are answered OK. Exits when stdin
// closes.
'use strict';
const avro = require('avsc');
const net = require('net');

const opts = JSON.parse(process.argv[2]);
const svc = avro.Service.forProtocol(JSON.parse(opts.protocol));
let calls = 0;
const server = svc.createServer()
  .onAppend(function (event, cb) { answer([event], cb); })
  .onAppendBatch(function (events, cb) { answer(events, cb); });

function answer(events, cb) {
  const n = ++calls;
  setTimeout(() => {
    if (n <= (opts.errorFirst || 0)) {
      cb(new Error('test server error'));
      return;
    }
    if (n <= (opts.errorFirst || 0) + (opts.failFirst || 0)) {
      cb(null, 'FAILED');
      return;
    }
    for (const e of events) {
      process.stdout.write(JSON.stringify({call: n, headers: e.headers, body: e.body.toString('base64')}) + '\n');
    }
    cb(null, 'OK');
  }, opts.delayMs || 0);
}

const listener = net.createServer((socket) => {
  socket.setNoDelay(true);
  server.createChannel(socket);
}).listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({port: listener.address().port}) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
