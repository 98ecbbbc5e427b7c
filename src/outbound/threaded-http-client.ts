// The HTTP client in a worker thread of its own. Sending is most of a delivery's CPU time
// (building and writing requests, parsing responses); in a worker it runs on the second core
// while the main thread serves the API, claims and records. Requests cross in batches, one
// message per turn of the event loop each way, so the hand-over costs little per request.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { HttpClientOptions } from './http-client.ts';
import { type HttpClient, notSent, type OutboundRequest, type SendResult } from './request.ts';

/** Options that can cross to a thread: a custom `lookup` function cannot. */
export type ThreadedHttpClientOptions = Omit<HttpClientOptions, 'lookup'>;

export type Batch = [id: number, request: OutboundRequest][];
export type Results = [id: number, result: SendResult][];

export function createThreadedHttpClient(options: ThreadedHttpClientOptions): HttpClient {
  const worker = new Worker(new URL('./http-worker.ts', import.meta.url), {
    workerData: options,
    // Small heaps: the thread holds only requests in flight.
    resourceLimits: {
      maxYoungGenerationSizeMb: 8,
      maxOldGenerationSizeMb: 64,
    },
  });
  worker.unref();
  const pending = new Map<number, (result: SendResult) => void>();
  let nextId = 0;
  let outbox: Batch = [];
  let failure: string | null = null;

  const settleAll = (message: string) => {
    failure = message;
    for (const resolve of pending.values()) resolve(notSent('connection_failed', message));
    pending.clear();
  };
  worker.on('message', (results: Results) => {
    for (const [id, result] of results) {
      pending.get(id)?.(result);
      pending.delete(id);
    }
  });
  worker.on('error', (error) => settleAll(`the sending thread failed: ${error.message}`));
  worker.on('exit', () => settleAll('the sending thread has stopped'));

  const flush = () => {
    const batch = outbox;
    outbox = [];
    worker.postMessage(batch);
  };

  return {
    userAgent: options.userAgent,
    send(request: OutboundRequest): Promise<SendResult> {
      if (failure) return Promise.resolve(notSent('connection_failed', failure));
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        if (outbox.push([id, request]) === 1) setImmediate(flush);
      });
    },
    async close() {
      if (failure) return;
      worker.ref();
      const exited = once(worker, 'exit');
      worker.postMessage('close');
      await exited;
    },
  };
}
