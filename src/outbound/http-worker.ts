// The sending thread of `createThreadedHttpClient`: an ordinary HTTP client, fed batches of
// requests and answering with batches of results.
import { parentPort, workerData } from 'node:worker_threads';
import { createHttpClient } from './http-client.ts';
import { notSent } from './request.ts';
import type { Batch, Results, ThreadedHttpClientOptions } from './threaded-http-client.ts';

const port = parentPort;
if (port) {
  const client = createHttpClient(workerData as ThreadedHttpClientOptions);
  let results: Results = [];
  const flush = () => {
    const batch = results;
    results = [];
    port.postMessage(batch);
  };
  port.on('message', (message: Batch | 'close') => {
    if (message === 'close') {
      void client.close().finally(() => port.close());
      return;
    }
    for (const [id, request] of message) {
      void client
        .send(request)
        .catch((error: unknown) => notSent('connection_failed', String(error)))
        .then((result) => {
          if (results.push([id, result]) === 1) setImmediate(flush);
        });
    }
  });
}
