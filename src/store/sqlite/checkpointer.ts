// WAL checkpoints off the event loop. node:sqlite is synchronous, so a checkpoint (which
// syncs the database file) run by the main connection would stall every request for its
// duration. A worker thread with its own connection checkpoints instead, every second, in
// PASSIVE mode (it never blocks writers).

import { DatabaseSync } from 'node:sqlite';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export function startCheckpointer(path: string): { stop(): Promise<void> } {
  const worker = new Worker(new URL(import.meta.url), { workerData: { path } });
  worker.unref();
  return {
    stop: async () => {
      worker.postMessage('stop');
      await worker.terminate();
    },
  };
}

if (!isMainThread && parentPort) {
  const db = new DatabaseSync((workerData as { path: string }).path);
  db.exec('PRAGMA busy_timeout = 1000');
  const timer = setInterval(() => {
    try {
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // A busy database: the next round catches up.
    }
  }, 1000);
  parentPort.on('message', () => {
    clearInterval(timer);
    db.close();
  });
}
