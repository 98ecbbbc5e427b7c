// A strict reader of the Prometheus text exposition format (version 0.0.4) for tests: every
// line must be a HELP, a TYPE or a sample of a declared metric, or the parse fails.
import assert from 'node:assert/strict';

export type Sample = { name: string; labels: Record<string, string>; value: number };

export type Exposition = {
  samples: Sample[];
  types: Map<string, string>;
  /** The sum of the samples of `name` whose labels include `labels`. */
  value(name: string, labels?: Record<string, string>): number;
};

const sampleLine =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? ((?:-?[0-9.e+-]+|[Nn][Aa][Nn]|[+-]?Inf))(?: -?[0-9]+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"/g;
const suffixes = ['_bucket', '_sum', '_count', '_total', '_created'];

export function parsePrometheus(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        assert.match(meta[3] ?? '', /^(counter|gauge|histogram|summary|untyped)$/, line);
        types.set(meta[2] ?? '', meta[3] ?? '');
      }
      continue;
    }
    const match = sampleLine.exec(line);
    assert.ok(match, `not a Prometheus sample line: ${line}`);
    const name = match[1] ?? '';
    const family = types.has(name)
      ? name
      : suffixes
          .map((s) => name.slice(0, -s.length))
          .find((base, i) => {
            const suffix = suffixes[i] ?? '';
            return name.endsWith(suffix) && types.has(base);
          });
    assert.ok(family, `sample of an undeclared metric: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(labelPair)) {
      labels[key ?? ''] = value ?? '';
    }
    const raw = match[3] ?? '';
    // Go's float parser (Prometheus') takes NaN in any case; prom-client writes "Nan".
    const value = /^nan$/i.test(raw)
      ? Number.NaN
      : raw.endsWith('Inf')
        ? raw.startsWith('-')
          ? -Infinity
          : Infinity
        : Number(raw);
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(raw), `bad value: ${line}`);
    samples.push({ name, labels, value });
  }
  return {
    samples,
    types,
    value(name, want = {}) {
      return samples
        .filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    },
  };
}
