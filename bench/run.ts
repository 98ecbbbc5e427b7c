// `npm run bench [-- options]` (`--help` lists them): measures Herald as a user runs it
// (separate processes, loopback only) and prints one table, also written as JSON, Markdown
// and an SVG chart under bench/results/. `--profile` also writes each row's CPU profile and
// a summary of it under <out>/profiles/.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { dropSchema, freshSchema } from '../test/helpers/postgres.ts';
import { parseOptions } from './command-line.ts';
import { type HeraldSetup, Receiver } from './harness.ts';
import { summarizeProfiles } from './profile.ts';
import { budget, chart, type ResultRow, table } from './report.ts';
import {
  backlog,
  ceiling,
  delivery,
  endToEnd,
  fairness,
  ingest,
  latency,
  type Measure,
  type Sizes,
  scrapedDelivery,
  twoNodes,
} from './rows.ts';

const usage = `Usage: npm run bench [-- options]

  --quick          20,000 messages a row after 20,000 of warm-up (a 50,000-delivery
                   backlog), one run each; the default
  --full           100,000 messages a row after 20,000 of warm-up, and a
                   1,000,000-delivery backlog, three runs each
  --smoke          a tiny run that only checks every row works
  --postgres URL   also run each row on this PostgreSQL database (a schema of its own)
  --only TEXT      only the rows whose name and store contain TEXT (and the ceiling)
  --profile        one more run of each row under the CPU profiler, summarized
  --out DIR        where results go (default bench/results)
  --help           this text
`;

const options = {
  quick: { type: 'boolean' },
  full: { type: 'boolean' },
  smoke: { type: 'boolean' },
  postgres: { type: 'string' },
  out: { type: 'string' },
  profile: { type: 'boolean' },
  only: { type: 'string' },
  help: { type: 'boolean' },
} as const;
const values = parseOptions(options, usage);
const mode = values.smoke ? 'smoke' : values.full ? 'full' : 'quick';
const sizes: Sizes = {
  // No warm-up in a smoke run: its few hundred deliveries take less than one poll of the
  // attempt count, which could not tell the warm-up's end.
  smoke: { messages: 200, warmup: 0, latencySeconds: 1, latencyWarmupSeconds: 1, backlog: 500 },
  quick: {
    messages: 20_000,
    warmup: 20_000,
    latencySeconds: 5,
    latencyWarmupSeconds: 3,
    backlog: 50_000,
  },
  full: {
    messages: 100_000,
    warmup: 20_000,
    latencySeconds: 10,
    latencyWarmupSeconds: 3,
    backlog: 1_000_000,
  },
}[mode];
const repeats = mode === 'full' ? 3 : 1;
const outDir = values.out ?? join(import.meta.dirname, 'results');

const rows: ResultRow[] = [];
const receiver = await Receiver.start();

/** Where a row's profile goes. */
const profileDirOf = (row: string, store: string) =>
  join(outDir, 'profiles', `${row}-${store}`.replace(/[^a-z0-9]+/gi, '-'));

/** The setup of one run of a row: a profiled run writes to the row's profile directory. */
const withProfile = (
  row: string,
  store: string,
  profiled: boolean,
  setup: HeraldSetup = {},
): HeraldSetup => (profiled ? { ...setup, profileDir: profileDirOf(row, store) } : setup);

/** The latency row, with p50 and p95 in its detail. */
async function latencyRow(setup: HeraldSetup): Promise<Measure> {
  const m = await latency(receiver, sizes, setup);
  return { ...m, detail: `p50 ${m.p50.toFixed(2)} ms, p95 ${m.p95.toFixed(2)} ms, ${m.detail}` };
}

async function measure(
  row: string,
  store: string,
  target: string,
  meets: (m: Measure, ratio: number | null) => boolean | null,
  run: (profiled: boolean) => Promise<Measure>,
  ceilingValue: number | null = null,
): Promise<Measure> {
  // `--only TEXT`: the rows whose name and store contain TEXT (and the ceiling) run.
  if (values.only && row !== 'ceiling' && !`${row} ${store}`.includes(values.only)) {
    return { value: Number.NaN, unit: '' };
  }
  const runs: Measure[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await run(false));
  const sorted = [...runs].sort((a, b) => a.value - b.value);
  const median = sorted[Math.floor(sorted.length / 2)] as Measure;
  const ratio = ceilingValue && !median.unit.startsWith('ms ') ? median.value / ceilingValue : null;
  rows.push({
    row,
    store,
    median: median.value,
    min: sorted[0]?.value ?? null,
    max: sorted.at(-1)?.value ?? null,
    unit: median.unit,
    ratio,
    peakRssMb: median.peakRssMb ?? null,
    cpuUsPerDelivery: median.cpuUsPerDelivery ?? null,
    receiverUs: median.receiverUs ?? null,
    generatorUs: median.generatorUs ?? null,
    machineUs: median.machineUs ?? null,
    target,
    met: mode === 'smoke' ? null : meets(median, ratio),
    detail: median.detail ?? '',
    attempts: median.attempts ?? null,
  });
  process.stderr.write(`${row} (${store}): ${median.value.toFixed(1)} ${median.unit}\n`);
  // `--profile`: one more run under the CPU profiler, whose figures are left out (the profiler
  // costs CPU and 10-20 MB of memory of its own).
  if (values.profile && row !== 'ceiling') {
    await run(true);
    const profileDir = profileDirOf(row, store);
    if (existsSync(profileDir)) process.stderr.write(`${summarizeProfiles(profileDir)}\n`);
  }
  return median;
}

try {
  const top = await measure(
    'ceiling',
    '-',
    '',
    () => null,
    () => ceiling(receiver, sizes),
  );
  const rss = (m: Measure) => (m.peakRssMb ?? 0) <= 200;
  const d1 = await measure(
    'delivery fan-out 1',
    'sqlite',
    '≥ 25,000/s, ratio ≥ 0.5, RSS ≤ 200 MB',
    (m, r) => m.value >= 25_000 && (r ?? 0) >= 0.5 && rss(m),
    (p) => delivery(receiver, sizes, 1, withProfile('delivery fan-out 1', 'sqlite', p)),
    top.value,
  );
  await measure(
    'delivery fan-out 1, /metrics scraped every second',
    'sqlite',
    '≥ 95 % of the same run unscraped',
    (m) => (m.against === undefined ? null : m.against >= 0.95),
    (p) =>
      scrapedDelivery(
        receiver,
        sizes,
        withProfile('delivery fan-out 1, /metrics scraped every second', 'sqlite', p),
      ),
    top.value,
  );
  await measure(
    'delivery fan-out 10',
    'sqlite',
    'RSS ≤ 200 MB',
    rss,
    (p) => delivery(receiver, sizes, 10, withProfile('delivery fan-out 10', 'sqlite', p)),
    top.value,
  );
  const e2e = await measure(
    'end to end',
    'sqlite',
    'ratio ≥ 0.3',
    (m, r) => (r ?? 0) >= 0.3 && rss(m),
    (p) => endToEnd(receiver, sizes, withProfile('end to end', 'sqlite', p)),
    top.value,
  );
  const ingested = await measure(
    'ingest',
    'sqlite',
    '≥ 10,000/s',
    (m) => m.value >= 10_000 && rss(m),
    (p) => ingest(sizes, withProfile('ingest', 'sqlite', p)),
  );
  await measure(
    'latency at 1,000/s',
    'sqlite',
    'p99 ≤ 5 ms',
    (m) => m.value <= 5 && rss(m),
    (p) => latencyRow(withProfile('latency at 1,000/s', 'sqlite', p)),
  );
  await measure(
    'fairness',
    'sqlite',
    'p99 ≤ 1 s above B alone',
    (m) => m.value <= (m.baseline ?? Number.NaN) + 1000,
    (p) => fairness(receiver, sizes, withProfile('fairness', 'sqlite', p)),
  );
  // The write-bound rows again with SQLite's NORMAL sync (the log synced at checkpoints, not
  // at each commit), to show what the durable default, FULL, costs.
  const normalSync: HeraldSetup = { settings: { HERALD_SQLITE_SYNCHRONOUS: 'normal' } };
  await measure(
    'ingest',
    'sqlite NORMAL',
    'comparison',
    () => null,
    (p) => ingest(sizes, withProfile('ingest', 'sqlite NORMAL', p, normalSync)),
  );
  await measure(
    'end to end',
    'sqlite NORMAL',
    'comparison',
    () => null,
    (p) => endToEnd(receiver, sizes, withProfile('end to end', 'sqlite NORMAL', p, normalSync)),
    top.value,
  );
  const backlogRow = `backlog ${sizes.backlog.toLocaleString('en-US')}`;
  await measure(
    backlogRow,
    'sqlite',
    '≥ 80 % of fan-out 1, RSS ≤ 200 MB',
    (m) => m.value >= 0.8 * d1.value && rss(m),
    (p) => backlog(receiver, sizes, withProfile(backlogRow, 'sqlite', p)),
    top.value,
  );
  if (values.postgres) {
    /** One run in a schema of its own, dropped afterwards. */
    const pg = async (
      run: (setup: { databaseUrl: string; schema: string }) => Promise<Measure>,
    ) => {
      const schema = freshSchema();
      try {
        return await run({ databaseUrl: values.postgres as string, schema });
      } finally {
        await dropSchema(schema);
      }
    };
    // The same rows on PostgreSQL, measured against SQLite's in the same run (a target whose
    // SQLite row did not run, `--only`, is left unjudged), then two nodes on one queue.
    const against = (sqlite: Measure, share: number) => (m: Measure) =>
      Number.isNaN(sqlite.value) ? null : m.value >= share * sqlite.value && rss(m);
    const pgRows: [
      string,
      string,
      (m: Measure) => boolean | null,
      (setup: HeraldSetup) => Promise<Measure>,
      boolean,
    ][] = [
      [
        'delivery fan-out 1',
        "≥ 0.8 × SQLite's, RSS ≤ 200 MB",
        against(d1, 0.8),
        (s) => delivery(receiver, sizes, 1, s),
        true,
      ],
      ['delivery fan-out 10', 'RSS ≤ 200 MB', rss, (s) => delivery(receiver, sizes, 10, s), true],
      [
        'end to end',
        "≥ 0.5 × SQLite's, RSS ≤ 200 MB",
        against(e2e, 0.5),
        (s) => endToEnd(receiver, sizes, s),
        true,
      ],
      [
        'ingest',
        "≥ 0.6 × SQLite's, RSS ≤ 200 MB",
        against(ingested, 0.6),
        (s) => ingest(sizes, s),
        false,
      ],
      ['latency at 1,000/s', 'p99 ≤ 20 ms', (m) => m.value <= 20 && rss(m), latencyRow, false],
    ];
    const pgMeasures = new Map<string, Measure>();
    for (const [row, target, meets, run, ratio] of pgRows) {
      pgMeasures.set(
        row,
        await measure(
          row,
          'postgres',
          target,
          meets,
          (p) => pg((s) => run(withProfile(row, 'postgres', p, s))),
          ratio ? top.value : null,
        ),
      );
    }
    const pgFanOut = pgMeasures.get('delivery fan-out 1') as Measure;
    await measure(
      backlogRow,
      'postgres',
      '≥ 80 % of fan-out 1, RSS ≤ 200 MB',
      (m) => (Number.isNaN(pgFanOut.value) ? null : m.value >= 0.8 * pgFanOut.value && rss(m)),
      (p) => pg((s) => backlog(receiver, sizes, withProfile(backlogRow, 'postgres', p, s))),
      top.value,
    );
    // This machine's two cores cannot show two nodes delivering faster than one: the row
    // shows that they share the queue without duplicates, and at what cost to each.
    const oneNodeUs = pgFanOut.cpuUsPerDelivery ?? Number.NaN;
    await measure(
      'delivery fan-out 1, two nodes',
      'postgres',
      "no duplicates, each node's CPU/delivery within 20 % of one node's",
      (m) =>
        m.duplicates === 0 &&
        rss(m) &&
        (Number.isNaN(oneNodeUs)
          ? null
          : (m.nodeCpuUs ?? []).every((us) => Math.abs(us / oneNodeUs - 1) <= 0.2)),
      (p) =>
        pg((s) =>
          twoNodes(receiver, sizes, withProfile('delivery fan-out 1, two nodes', 'postgres', p, s)),
        ),
      top.value,
    );
  }
} finally {
  await receiver.stop();
}

const cores = availableParallelism();
const title = `Herald benchmark (${mode}, ${new Date().toISOString().slice(0, 16)}Z, ${cores}-core machine)`;
const text = table(rows);
const ceilingRate = rows.find((r) => r.row === 'ceiling')?.median ?? Number.NaN;
const sqliteFanOut =
  rows.find((r) => r.row === 'delivery fan-out 1' && r.store === 'sqlite')?.median ?? Number.NaN;
const sqliteIngest =
  rows.find((r) => r.row === 'ingest' && r.store === 'sqlite')?.median ?? Number.NaN;
// The CPU each rate target leaves a delivery on this machine, against what the run spent.
const budgets = budget(
  rows,
  [
    { row: 'delivery fan-out 1', store: 'sqlite', rate: 25_000, op: 'delivery' },
    { row: 'end to end', store: 'sqlite', rate: 0.3 * ceilingRate, op: 'message' },
    { row: 'delivery fan-out 1', store: 'postgres', rate: 0.8 * sqliteFanOut, op: 'delivery' },
    { row: 'ingest', store: 'postgres', rate: 0.6 * sqliteIngest, op: 'message', delivers: false },
  ],
  cores,
);
const budgetText =
  budgets.length === 0
    ? ''
    : `\n\nCPU budget of the rate targets:\n\n${budgets.map((b) => `- ${b}`).join('\n')}`;
console.log(`${title}\n\n${text}${budgetText}`);
mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const json = JSON.stringify({ mode, sizes, repeats, at: new Date().toISOString(), rows }, null, 2);
const markdown = `# ${title}\n\n${text}\n\n${rows
  .filter((r) => r.detail)
  .map((r) => `- ${r.row} (${r.store}): ${r.detail}`)
  .join('\n')}${budgetText}\n`;
for (const name of ['latest', `${mode}-${stamp}`]) {
  if (mode === 'smoke' && name !== 'latest') continue;
  writeFileSync(join(outDir, `${name}.json`), json);
  writeFileSync(join(outDir, `${name}.md`), markdown);
}
writeFileSync(join(outDir, 'latest.svg'), chart(rows, title));
