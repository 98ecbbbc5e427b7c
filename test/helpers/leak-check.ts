// Loaded into every test file's process by the npm test scripts (`--import`): once the file's
// own `after` hooks have run, nothing it opened may still keep the process alive. A leaked
// server, socket, timer, child process or database connection fails the file, by name, with
// the list of what is still open; the process then exits so a leak cannot hang the run.
import type { ChildProcess } from 'node:child_process';
import type { Server, Socket } from 'node:net';
import { after, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a file's handles may take to finish closing after its last hook. */
const graceMs = 3_000;

// The test runner marks the processes it starts for test files; a process a test spawns
// inherits the mark, so the file's name decides.
const file = process.argv[1] ?? '';
if (process.env.NODE_TEST_CONTEXT && /\.(test|serial)\.ts$/.test(file)) {
  after((root) => {
    // Added from within the root's first `after` hook, this one runs after every hook the
    // file registered, whenever it registered them.
    (root as TestContext).after(async () => {
      const deadline = Date.now() + graceMs;
      let open = openResources();
      while (open.length > 0 && Date.now() < deadline) {
        await sleep(20, undefined, { ref: false });
        open = openResources();
      }
      if (open.length === 0) return;
      process.exitCode = 1;
      const listed = describe(open);
      // The leaked handles would keep the process alive: leave once the failure is reported,
      // and take the child processes along rather than leave them running.
      for (const h of activeHandles()) if ('spawnargs' in h) h.kill('SIGKILL');
      setTimeout(() => process.exit(1), 500).unref();
      throw new Error(`${file} left open after its tests:\n  ${listed.join('\n  ')}`);
    });
  });
}

type Handle = Server | Socket | ChildProcess | { constructor: { name: string } };
const activeHandles = (): Handle[] =>
  (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles();

/** What keeps the event loop alive, without the standard streams the runner reports on. */
function openResources(): string[] {
  const open = process.getActiveResourcesInfo();
  const stdio = activeHandles().filter((h) => h === process.stdout || h === process.stderr);
  for (let i = 0; i < stdio.length; i++) {
    const at = open.findIndex((r) => r === 'PipeWrap' || r === 'TTYWrap');
    if (at >= 0) open.splice(at, 1);
  }
  return open;
}

/** The resource types, with what the handles among them point at where that is known. */
function describe(open: string[]): string[] {
  const details = activeHandles()
    .filter((h) => h !== process.stdout && h !== process.stderr)
    .map((h) => {
      if ('spawnargs' in h) return `child process ${h.pid}: ${h.spawnargs.join(' ')}`;
      if ('listening' in h) {
        const address = h.address();
        return `server listening on ${typeof address === 'string' ? address : `${address?.address}:${address?.port}`}`;
      }
      if ('remotePort' in h)
        return h.remotePort === undefined
          ? 'pipe or socket, not connected over TCP'
          : `socket ${h.localAddress}:${h.localPort} -> ${h.remoteAddress}:${h.remotePort}`;
      return h.constructor.name;
    });
  return [`resources: ${open.join(', ')}`, ...details];
}
