// `--profile`: each Herald node of a row writes a V8 CPU profile (`--cpu-prof`), and this
// reads the main thread's profile back into a short text summary: where the time went, by
// self time, grouped by source (Herald's own files, each npm package, Node's internals,
// garbage collection, idle).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
};
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Where a function's code comes from, for grouping. */
function source(url: string, name: string): string {
  if (!url) return name || '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  const own = /\/(src\/.*)$/.exec(url);
  if (own) return own[1] as string;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

/** Writes `summary.txt` beside the largest profile in `dir` and returns its text. */
export function summarizeProfiles(dir: string, top = 15): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  const largest = files[0];
  if (!largest) return 'no profile was written';
  const profile = JSON.parse(readFileSync(largest, 'utf8')) as CpuProfile;
  const ready = join(dir, 'ready.json');
  const skipMicros = existsSync(ready)
    ? (JSON.parse(readFileSync(ready, 'utf8')) as { readyAfterMs: number }).readyAfterMs * 1000
    : 0;
  let clock = 0;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const bySource = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    clock += micros;
    if (!node || clock < skipMicros) return;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const from = source(url, functionName);
    bySource.set(from, (bySource.get(from) ?? 0) + micros);
    const fn = `${functionName || '(anonymous)'} ${from}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  });
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${((100 * v) / Math.max(total, 1)).toFixed(1).padStart(6)} %  ${k}`)
      .join('\n');
  const text = `${basename(largest)}\n${(total / 1e6).toFixed(1)} s of main-thread samples after start-up\n\nby source (self time)\n${list(bySource)}\n\nby function (self time)\n${list(byFunction)}\n`;
  writeFileSync(join(dir, 'summary.txt'), text);
  return text;
}
