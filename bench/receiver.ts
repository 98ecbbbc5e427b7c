// The benchmark's receiver, in its own process: answers 200 at once, counts requests, and
// records publish-to-arrival latency for payloads carrying `sentAt` (ms since the epoch, with
// fractions), and its own CPU time, so a row can say what answering cost. Requests to paths
// under /hang/ are never answered (endpoints that hang, for the fairness row). Talks to the
// harness over IPC.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let count = 0;
/** Requests to /hang/ paths, left unanswered. */
let hung = 0;
let latencies: number[] = [];
let firstAt = 0;
let lastAt = 0;
const now = () => performance.timeOrigin + performance.now();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url?.startsWith('/hang/')) {
      hung++;
      return;
    }
    res.writeHead(200).end();
    const at = now();
    count++;
    if (count === 1) firstAt = at;
    lastAt = at;
    if (latencies.length < 1_000_000) {
      const body = Buffer.concat(chunks).toString('utf8');
      const match = /"sentAt":([0-9.]+)/.exec(body);
      if (match?.[1]) latencies.push(at - Number(match[1]));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});

process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({
      type: 'stats',
      count,
      hung,
      firstAt,
      lastAt,
      latencies,
      cpuUs: cpu.user + cpu.system,
    });
  }
  if (message.type === 'reset') {
    count = 0;
    hung = 0;
    latencies = [];
    firstAt = 0;
    lastAt = 0;
    process.send?.({ type: 'reset' });
  }
  if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
