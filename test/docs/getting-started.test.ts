// docs/getting-started.md, run as written: every `sh` block in order, with the system's Node
// and npm first on PATH, as a newcomer has them. Blocks that start with `# Terminal N` keep
// running and are started in the background; the test waits until each says it is
// listening. Herald's port and data directory come from HERALD_PORT, HERALD_DATA_DIR and
// HERALD_DATABASE_URL, which `npm start` and the `herald` commands both read, so the guide's
// commands need no change. (`npm install` is not an `sh` block: the test runs on this
// installation.)
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../helpers/herald-process.ts';

const root = join(import.meta.dirname, '..', '..');
const guide = readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8');
const blocks = [...guide.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

test('getting-started.md runs as written to a verified delivery', {
  timeout: 240_000,
}, async () => {
  assert.ok(blocks.length >= 5, 'the guide has its shell blocks');
  // The guide's receiver port is part of the text a person reads: it must be free here.
  assert.ok(await portIsFree(8072), 'port 8072 (the receiver of the guide) is in use');
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-guide-'));
  const env = {
    // The system's node and npm, not the ones in node_modules/.bin an npm script adds.
    PATH: (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => !dir.includes('node_modules'))
      .join(delimiter),
    HOME: process.env.HOME ?? dataDir,
    HERALD_PORT: String(await freePort()),
    HERALD_DATA_DIR: dataDir,
    HERALD_DATABASE_URL: `sqlite:${join(dataDir, 'herald.db')}`,
    HERALD_LOG_LEVEL: 'warn',
  };
  const background: { child: ChildProcess; output: () => string }[] = [];
  try {
    for (const block of blocks) {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', block], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (c: string) => {
        output += c;
      });
      child.stderr?.setEncoding('utf8').on('data', (c: string) => {
        output += c;
        stderr += c;
      });
      if (/^# Terminal \d/.test(block)) {
        background.push({ child, output: () => output });
        const until = Date.now() + 60_000;
        while (!/listening on/i.test(output)) {
          assert.ok(child.exitCode === null, `the block stopped:\n${block}\n${output}`);
          assert.ok(Date.now() < until, `no "listening on" from:\n${block}\n${output}`);
          await sleep(50);
        }
        continue;
      }
      const [code] = (await once(child, 'close')) as [number];
      assert.equal(code, 0, `the block failed:\n${block}\n${output}`);
      // Nothing but Herald's own output: no npm warnings (EBADENGINE on an older Node).
      assert.doesNotMatch(stderr, /npm (warn|WARN|ERR)/, block);
    }
    const receiver = background.find((b) =>
      b.output().includes('Listening on http://127.0.0.1:8072/'),
    );
    assert.ok(receiver, 'the receiver runs');
    const until = Date.now() + 20_000;
    while (!/msg_\w+ {2}signature verified\n\{\n {2}"invoice": 42,/.test(receiver.output())) {
      assert.ok(Date.now() < until, `no verified delivery:\n${receiver.output()}`);
      await sleep(50);
    }
  } finally {
    for (const { child } of background.reverse()) {
      if (child.exitCode === null && child.pid) {
        process.kill(-child.pid, 'SIGINT');
        await once(child, 'close');
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
