// A tiny run of the benchmark so it cannot rot: it must complete, deliver every message of
// each row exactly once (counted in its database) and report every row. No timing is
// asserted. It starts about a dozen servers one
// after the other, so it runs in the serial stage, alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

test('the benchmark runs end to end, reports every row and profiles on request', {
  timeout: 300_000,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), 'herald-bench-smoke-'));
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bench/run.ts', '--smoke', '--profile', '--out', out],
      {
        cwd: join(import.meta.dirname, '..', '..'),
      },
    );
    for (const row of [
      'ceiling',
      'delivery fan-out 1',
      'delivery fan-out 1, /metrics scraped every second',
      'delivery fan-out 10',
      'end to end',
      'ingest',
      'latency at 1,000/s',
      'fairness',
      'backlog 500',
      'sqlite NORMAL',
    ]) {
      assert.ok(stdout.includes(row), `the table has a "${row}" row`);
    }
    const result = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as {
      rows: {
        row: string;
        store: string;
        median: number;
        detail?: string;
        cpuUsPerDelivery: number | null;
        receiverUs: number | null;
        machineUs: number | null;
        attempts: { expected: number; recorded: number } | null;
      }[];
    };
    // Nine rows, and ingest and end to end again with SQLite's NORMAL sync.
    assert.equal(result.rows.length, 11);
    assert.ok(result.rows.every((r) => Number.isFinite(r.median) && r.median > 0));
    // Every row that delivers recorded one attempt per delivery of its queue (the receiver
    // answers 200 to each): none lost, none sent twice. The backlog row stops its node once
    // its count is reached, so some of the 500 may have gone out meanwhile, never more.
    for (const r of result.rows) {
      if (r.row === 'ceiling' || r.row === 'ingest') {
        assert.equal(r.attempts, null, `${r.row} delivers nothing`);
        continue;
      }
      // A's requests hang on purpose, past the node's end: the row counts B's arrivals instead.
      if (r.row === 'fairness') continue;
      assert.ok(r.attempts && r.attempts.expected > 0, `${r.row} (${r.store}) counts its attempts`);
      if (r.row.startsWith('backlog')) {
        assert.ok(
          r.attempts.recorded >= r.attempts.expected && r.attempts.recorded <= 500,
          `${r.row}: ${JSON.stringify(r.attempts)}`,
        );
      } else {
        assert.equal(r.attempts.recorded, r.attempts.expected, `${r.row} (${r.store})`);
      }
    }
    const expected = Object.fromEntries(
      result.rows.map((r) => [`${r.row} (${r.store})`, r.attempts?.expected]),
    );
    // 200 messages a row with no warm-up; fan-out 10 sends 20 messages to 10 endpoints.
    assert.equal(expected['delivery fan-out 1 (sqlite)'], 200);
    assert.equal(expected['delivery fan-out 10 (sqlite)'], 200);
    assert.equal(expected['end to end (sqlite)'], 200);
    // The latency row says where its tail went and how much the machine stalls by itself.
    const latency = result.rows.find((r) => r.row.startsWith('latency'));
    assert.match(
      latency?.detail ?? '',
      /p99 by stage: send to stored \d+ ms, stored to attempt start \d+ ms, attempt exchange \d+ ms; an idle process was stalled ≥ 5 ms \d+ times/,
    );
    // The fairness row gives B's latency alone and with A's endpoints hanging.
    assert.match(
      result.rows.find((r) => r.row === 'fairness')?.detail ?? '',
      /^B alone: p50 [\d.]+ ms, p99 [\d.]+ ms; with A's 20 endpoints hanging \(timeout 5 s, 1000 deliveries\): p50 [\d.]+ ms, p99 [\d.]+ ms/,
    );
    // Every one of B's messages arrived, alone and with A hanging.
    assert.match(
      result.rows.find((r) => r.row === 'fairness')?.detail ?? '',
      /; (\d+) and \1 of \1 messages arrived/,
    );
    // Each run measures what the receiver and the whole machine spend, and works out what the
    // rate targets leave Herald.
    const ceiling = result.rows.find((r) => r.row === 'ceiling');
    assert.ok((ceiling?.receiverUs ?? 0) > 0 && (ceiling?.cpuUsPerDelivery ?? 0) > 0);
    // The ceiling is the faster of two ways of sending, and says both.
    const ways = /([\d,]+) req\/s at 64 in flight over 32 connections, ([\d,]+) at 16 over 16/.exec(
      ceiling?.detail ?? '',
    );
    assert.ok(ways, `the ceiling's detail gives both ways: ${ceiling?.detail}`);
    const rates = [ways[1], ways[2]].map((r) => Number(r?.replaceAll(',', '')));
    assert.equal(Math.round(ceiling?.median ?? 0), Math.max(...rates));
    const fanOut1 = result.rows.find((r) => r.row === 'delivery fan-out 1');
    // Throughput is measured after a warm-up; the rate from the spawn is still given.
    assert.match(
      fanOut1?.detail ?? '',
      /^200 deliveries after 0 of warm-up; from the spawn, start-up and warm-up included, [\d,]+\/s; start-up \d+ ms$/,
    );
    assert.ok((fanOut1?.machineUs ?? 0) > (fanOut1?.cpuUsPerDelivery ?? Number.POSITIVE_INFINITY));
    // The scraped row compares itself with the same run unscraped, and its scrapes worked.
    const scraped = result.rows.find((r) => r.row.includes('/metrics scraped'));
    assert.match(
      scraped?.detail ?? '',
      /^unscraped [\d,]+\/s at \d+ µs per delivery, scraped every second [\d,]+\/s at \d+ µs \([+-][\d.]+ %\); .*\/metrics scraped [1-9]\d* times \(0 failed\)/,
    );
    assert.match(
      readFileSync(join(out, 'latest.md'), 'utf8'),
      /CPU budget of the rate targets:\n\n- delivery fan-out 1 \(sqlite\) at 25,000\/s: \d+ cores give [\d,]+ µs of CPU per delivery; the receiver needs [\d,]+ µs/,
    );
    assert.match(readFileSync(join(out, 'latest.svg'), 'utf8'), /^<svg/);
    // --profile leaves each row's CPU profile and a summary of where its time went.
    assert.match(
      readFileSync(join(out, 'profiles', 'delivery-fan-out-1-sqlite', 'summary.txt'), 'utf8'),
      /by source \(self time\)/,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
