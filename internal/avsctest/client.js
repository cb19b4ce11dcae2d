// avsc Avro RPC client for flumego's interop tests. Reads a JSON job on
// stdin: {host, port, protocol, calls: [{message, events: [{headers, body}]}]}
// (bodies base64) and prints one JSON array of results: {status} or {error}.
'use strict';
const avro = require('avsc');
const net = require('net');

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const job = JSON.parse(input);
  const svc = avro.Service.forProtocol(JSON.parse(job.protocol));
  const socket = net.connect(job.port, job.host);
  socket.setNoDelay(true);
  const client = svc.createClient({buffering: true, transport: socket});
  const results = [];
  const toEvent = (e) => ({headers: e.headers || {}, body: Buffer.from(e.body || '', 'base64')});
  let i = 0;
  const next = () => {
    if (i >= job.calls.length) {
      process.stdout.write(JSON.stringify(results) + '\n');
      socket.destroy();
      return;
    }
    const call = job.calls[i++];
    const done = (err, status) => {
      results.push(err ? {error: String(err.message || err)} : {status: status});
      next();
    };
    if (call.message === 'append') {
      client.emitMessage('append', {event: toEvent(call.events[0])}, done);
    } else {
      client.emitMessage('appendBatch', {events: call.events.map(toEvent)}, done);
    }
  };
  next();
});
