// WAL checkpoints off the event loop. node:sqlite is synchronous, so a checkpoint (which
// syncs the database file) run by the main connection would stall every request for its
// duration. A worker thread with its own connection checkpoints instead, every 50 ms, in
// PASSIVE mode (it never blocks writers). The main connection still checkpoints when the log
// reaches its limit (only the writer can start the log over), and then copies only what the
// worker has not yet: the more often the worker runs, the shorter those stalls (the measured
// stalls are in docs/performance.md).
//
// The worker's code is a few lines of plain JavaScript evaluated in the thread: loading a
// TypeScript module there would start a second type stripper, memory spent for nothing.
import { Worker } from 'node:worker_threads';

const workerSource = `
const { DatabaseSync } = require('node:sqlite');
const { parentPort, workerData } = require('node:worker_threads');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // A busy database: the next round catches up.
  }
}, 50);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
});
`;

export function startCheckpointer(path: string): { stop(): Promise<void> } {
  const worker = new Worker(workerSource, { eval: true, workerData: { path } });
  worker.unref();
  return {
    stop: async () => {
      worker.postMessage('stop');
      await worker.terminate();
    },
  };
}
