// `npm run soak [-- options]` (`--help` lists them): steady publishing for up to 10 minutes
// against receivers on 127.0.0.1 that flap between healthy, slow (near the timeout),
// failing (500) and gone (connection refused), with a retry schedule short enough that every
// message reaches its end within the run. After draining, every message must be delivered
// or exhausted by the rules, Herald's attempts must match what the receivers saw, and
// Herald's memory must stay flat. Prints a summary table; exits 1 when a check fails.
// test/serial/soak.serial.ts runs a 60 s form.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, heraldTestToken, startHerald } from '../test/helpers/herald-process.ts';
import { dropSchema, freshSchema } from '../test/helpers/postgres.ts';
import { remoteApi } from '../test/helpers/remote-api.ts';
import { parseOptions } from './command-line.ts';

export type SoakOptions = {
  durationSeconds: number;
  /** Messages published per second, spread over the receivers. */
  rate: number;
  /** A PostgreSQL URL (a schema of its own); SQLite in a temporary directory otherwise. */
  postgres?: string;
  log?: (line: string) => void;
};

/** Seconds between attempts: four attempts, the last about 7 s after the first. */
export const soakSchedule = [1, 2, 4];
const timeoutSeconds = 2;
/** How long a slow receiver takes to answer: near the timeout, within it. */
const slowMs = 1500;
const receiverCount = 4;
/** Each receiver goes round these modes, a quarter of the cycle apart from the next. */
const cycle: { mode: Mode; seconds: number }[] = [
  { mode: 'healthy', seconds: 5 },
  { mode: 'slow', seconds: 3 },
  { mode: 'failing', seconds: 4 },
  { mode: 'gone', seconds: 4 },
];
/** Memory is flat when the last third's highest RSS is at most this above the first third's. */
export const rssGrowthLimitMb = 24;

type Mode = 'healthy' | 'slow' | 'failing' | 'gone';

export type SoakCheck = { name: string; ok: boolean; detail: string };

export type SoakResult = {
  seconds: number;
  published: number;
  acknowledged: number;
  refused: number;
  stored: number;
  delivered: number;
  exhausted: number;
  unfinished: number;
  attempts: Record<'success' | 'failing' | 'timeout' | 'refused' | 'other', number>;
  seenByReceivers: number;
  modeChanges: number;
  rssMb: { first: number; last: number; max: number };
  checks: SoakCheck[];
};

/** A receiver on a fixed port that changes its behaviour on a schedule. */
async function flappingReceiver(index: number) {
  const port = await freePort();
  /** Requests seen per message id, with the status the receiver answered. */
  const seen = new Map<string, number[]>();
  let mode: Mode = 'healthy';
  let server: Server | null = null;
  let changes = 0;
  const handler: Parameters<typeof createServer>[1] = (req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const answer = mode === 'failing' ? 500 : 200;
      seen.set(id, [...(seen.get(id) ?? []), answer]);
      // A connection per request: going away refuses the next one, and never drops a
      // request it already accepted.
      const send = () => res.writeHead(answer, { connection: 'close' }).end();
      if (mode === 'slow') setTimeout(send, slowMs);
      else send();
    });
  };
  const up = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(handler);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
      server = s;
    });
  const down = () => {
    server?.close();
    server = null;
  };
  await up();
  const started = Date.now();
  const total = cycle.reduce((sum, c) => sum + c.seconds, 0);
  const offset = (total * index) / receiverCount;
  const modeAt = (ms: number): Mode => {
    let t = (ms / 1000 + offset) % total;
    for (const c of cycle) {
      if (t < c.seconds) return c.mode;
      t -= c.seconds;
    }
    return 'healthy';
  };
  let stopped = false;
  const flapping = (async () => {
    while (!stopped) {
      const next = modeAt(Date.now() - started);
      if (next !== mode) {
        changes++;
        if (next === 'gone') down();
        else if (mode === 'gone') await up();
        mode = next;
      }
      await sleep(20);
    }
  })();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    seen,
    changes: () => changes,
    /** Stops flapping and stays healthy, so the last retries can drain. */
    async settle() {
      stopped = true;
      await flapping;
      if (mode === 'gone') await up();
      mode = 'healthy';
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function rssMb(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

type FeedAttempt = {
  id: string;
  msgId: string;
  responseStatusCode: number;
  response: string;
  status: number;
  timestamp: string;
};

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'herald-soak-'));
  const schema = freshSchema();
  const receivers = await Promise.all(
    Array.from({ length: receiverCount }, (_, i) => flappingReceiver(i)),
  );
  const herald = await startHerald({
    HERALD_DATA_DIR: dir,
    HERALD_ADMIN_TOKEN: heraldTestToken,
    HERALD_ALLOWED_SUBNETS: '127.0.0.0/8',
    HERALD_TIMEOUT_SECONDS: String(timeoutSeconds),
    HERALD_RETRY_SCHEDULE: soakSchedule.join(','),
    ...(options.postgres
      ? { HERALD_DATABASE_URL: options.postgres, HERALD_DATABASE_SCHEMA: schema }
      : { HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}` }),
  });
  const api = remoteApi(herald.url, heraldTestToken, 16);
  const rss: number[] = [];
  const sampler = setInterval(() => {
    const mb = rssMb(herald.pid);
    if (mb !== null) rss.push(mb);
  }, 1000);
  try {
    const apps: string[] = [];
    for (const [i, receiver] of receivers.entries()) {
      const app = await api.call<{ id: string }>('POST', '/app', { name: `soak ${i}` });
      if (app.status !== 201) throw new Error(`creating an application: ${app.status}`);
      const endpoint = await api.call('POST', `/app/${app.body.id}/endpoint`, {
        url: receiver.url,
      });
      if (endpoint.status !== 201) throw new Error(`creating an endpoint: ${endpoint.status}`);
      apps.push(app.body.id);
    }

    // Publishing at a steady rate, with a bounded number of requests in flight.
    const acknowledged = new Set<string>();
    let published = 0;
    let refused = 0;
    const inFlight = new Set<Promise<void>>();
    const started = Date.now();
    const until = started + options.durationSeconds * 1000;
    let lastReport = started;
    for (let n = 0; Date.now() < until; n++) {
      const at = started + (n * 1000) / options.rate;
      if (at > Date.now()) await sleep(at - Date.now());
      while (inFlight.size >= 64) await Promise.race(inFlight);
      const appId = apps[n % apps.length] as string;
      published++;
      const call = api
        .call<{ id: string }>('POST', `/app/${appId}/msg`, {
          eventType: 'soak.test',
          payload: { n, at: new Date().toISOString() },
        })
        .then((r) => {
          if (r.status === 202) acknowledged.add(r.body.id);
          else refused++;
        })
        .finally(() => inFlight.delete(call));
      inFlight.add(call);
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        log(
          `${Math.round((lastReport - started) / 1000)} s: ${published} published, RSS ${rss.at(-1)?.toFixed(1)} MB`,
        );
      }
    }
    await Promise.all(inFlight);
    const seconds = (Date.now() - started) / 1000;

    // Draining: the receivers settle to healthy; every delivery reaches its end.
    await Promise.all(receivers.map((r) => r.settle()));
    const drainDeadline = Date.now() + 120_000;
    for (;;) {
      const stats = await api.call<{ scheduled: number }>('GET', '/queue/stats');
      if (stats.status === 200 && stats.body.scheduled === 0) break;
      if (Date.now() > drainDeadline) throw new Error('the queue did not drain within 120 s');
      await sleep(250);
    }
    clearInterval(sampler);

    // Herald's account: every attempt, from the feed.
    const attempts = new Map<string, FeedAttempt[]>();
    let after: string | null = null;
    for (let page = 0; page < 10_000; page++) {
      const query: string = after
        ? `after=${after}`
        : `since=${new Date(started - 60_000).toISOString()}`;
      const answer = await api.call<{
        data: FeedAttempt[];
        iterator: string | null;
        done: boolean;
      }>('GET', `/attempt?limit=250&${query}`);
      if (answer.status !== 200) throw new Error(`reading the attempt feed: ${answer.status}`);
      for (const a of answer.body.data)
        attempts.set(a.msgId, [...(attempts.get(a.msgId) ?? []), a]);
      if (answer.body.done) break;
      after = answer.body.iterator;
    }
    const stored = new Set<string>();
    for (const appId of apps) for (const id of await api.messageIds(appId)) stored.add(id);

    const seen = new Map<string, number[]>();
    for (const r of receivers) for (const [id, answers] of r.seen) seen.set(id, answers);
    const kinds = { success: 0, failing: 0, timeout: 0, refused: 0, other: 0 };
    const kindOf = (a: FeedAttempt): keyof typeof kinds =>
      a.responseStatusCode >= 200 && a.responseStatusCode < 300
        ? 'success'
        : a.responseStatusCode > 0
          ? 'failing'
          : /no complete response/.test(a.response)
            ? 'timeout'
            : /ECONNREFUSED/.test(a.response)
              ? 'refused'
              : 'other';
    let delivered = 0;
    let exhausted = 0;
    let unfinished = 0;
    const broken: string[] = [];
    const mismatched: string[] = [];
    const early: string[] = [];
    for (const id of stored) {
      const list = (attempts.get(id) ?? []).sort(
        (a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || (a.id < b.id ? -1 : 1),
      );
      for (const a of list) kinds[kindOf(a)]++;
      const successAt = list.findIndex((a) => kindOf(a) === 'success');
      if (successAt === list.length - 1 && list.length > 0) delivered++;
      else if (successAt === -1 && list.length === soakSchedule.length + 1) exhausted++;
      else if (successAt === -1 && list.length <= soakSchedule.length) unfinished++;
      else broken.push(`${id}: ${list.map(kindOf).join(',')}`);
      // Every attempt that reached a receiver (an answer, or a timeout) is one it saw.
      const reached = list.filter((a) => ['success', 'failing', 'timeout'].includes(kindOf(a)));
      const saw = seen.get(id) ?? [];
      if (reached.length !== saw.length) {
        mismatched.push(`${id}: Herald ${list.map(kindOf).join(',')}, receiver ${saw.join(',')}`);
      }
      // Retries come no sooner than the schedule allows (jitter is at most 20 % early).
      for (let k = 1; k < list.length; k++) {
        const gap = Date.parse(list[k]?.timestamp ?? '') - Date.parse(list[k - 1]?.timestamp ?? '');
        if (gap < (soakSchedule[k - 1] ?? 0) * 800 - 5)
          early.push(`${id}: attempt ${k + 1} after ${gap} ms`);
      }
    }
    const seenNotStored = [...seen.keys()].filter((id) => !stored.has(id));
    const third = Math.max(1, Math.floor(rss.length / 3));
    const firstMax = Math.max(...rss.slice(0, third));
    const lastMax = Math.max(...rss.slice(-third));
    const sample = (list: string[]) => list.slice(0, 5).join('; ');
    const checks: SoakCheck[] = [
      {
        name: 'every publish acknowledged and stored',
        ok: refused === 0 && acknowledged.size === published && stored.size === published,
        detail: `${published} published, ${acknowledged.size} acknowledged, ${refused} refused, ${stored.size} stored`,
      },
      {
        name: 'published = delivered + exhausted',
        ok: delivered + exhausted === published && unfinished === 0 && broken.length === 0,
        detail: `${delivered} + ${exhausted} = ${delivered + exhausted}; ${unfinished} unfinished; ${broken.length} against the rules ${sample(broken)}`,
      },
      {
        name: 'attempts that reached a receiver = the requests it saw, per message',
        ok: mismatched.length === 0 && seenNotStored.length === 0,
        detail: `${mismatched.length} messages differ ${sample(mismatched)}; ${seenNotStored.length} seen but not stored`,
      },
      {
        name: 'no attempt before its time',
        ok: early.length === 0,
        detail: `${early.length} early ${sample(early)}`,
      },
      {
        name: `memory flat (last third max <= first third max + ${rssGrowthLimitMb} MB)`,
        ok: rss.length >= 3 && lastMax <= firstMax + rssGrowthLimitMb,
        detail: `${firstMax.toFixed(1)} MB -> ${lastMax.toFixed(1)} MB over ${rss.length} samples`,
      },
    ];
    return {
      seconds,
      published,
      acknowledged: acknowledged.size,
      refused,
      stored: stored.size,
      delivered,
      exhausted,
      unfinished,
      attempts: kinds,
      seenByReceivers: [...seen.values()].reduce((sum, s) => sum + s.length, 0),
      modeChanges: receivers.reduce((sum, r) => sum + r.changes(), 0),
      rssMb: { first: firstMax, last: lastMax, max: Math.max(...rss) },
      checks,
    };
  } finally {
    clearInterval(sampler);
    await api.close();
    await herald.kill('SIGTERM');
    await Promise.all(receivers.map((r) => r.close()));
    if (options.postgres) await dropSchema(schema).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

export function soakTable(result: SoakResult): string {
  const rows: [string, string][] = [
    [
      'load',
      `${result.seconds.toFixed(0)} s, ${(result.published / result.seconds).toFixed(1)} messages/s`,
    ],
    ['receivers', `${receiverCount}, ${result.modeChanges} changes of mode`],
    ['published', String(result.published)],
    ['acknowledged (202)', String(result.acknowledged)],
    ['refused', String(result.refused)],
    ['delivered', String(result.delivered)],
    ['exhausted', String(result.exhausted)],
    ['unfinished', String(result.unfinished)],
    ['lost', String(result.acknowledged - result.delivered - result.exhausted)],
    [
      'attempts',
      `${Object.values(result.attempts).reduce((a, b) => a + b, 0)}: ${Object.entries(
        result.attempts,
      )
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}`,
    ],
    ['requests the receivers saw', String(result.seenByReceivers)],
    [
      'Herald RSS',
      `first third max ${result.rssMb.first.toFixed(1)} MB, last third max ${result.rssMb.last.toFixed(1)} MB, max ${result.rssMb.max.toFixed(1)} MB`,
    ],
    ...result.checks.map((c): [string, string] => [
      `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}`,
      c.detail,
    ]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

const usage = `Usage: npm run soak [-- options]

  --duration SECONDS  how long to publish (default 600); then the queue drains
  --rate N            messages per second (default 20)
  --postgres URL      run on this PostgreSQL database (a schema of its own) instead of SQLite
  --help              this text
`;

if (import.meta.main) {
  const values = parseOptions(
    {
      duration: { type: 'string' },
      rate: { type: 'string' },
      postgres: { type: 'string' },
      help: { type: 'boolean' },
    },
    usage,
  );
  const durationSeconds = Number(values.duration ?? 600);
  const rate = Number(values.rate ?? 20);
  if (!(durationSeconds > 0 && durationSeconds <= 600) || !(rate > 0 && rate <= 1000)) {
    process.stderr.write(`--duration takes 1 to 600 seconds, --rate 1 to 1000\n\n${usage}`);
    process.exit(2);
  }
  const result = await runSoak({
    durationSeconds,
    rate,
    ...(values.postgres ? { postgres: values.postgres } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`\n${soakTable(result)}\n`);
  process.exit(result.checks.every((c) => c.ok) ? 0 : 1);
}
