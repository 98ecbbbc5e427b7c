// `herald tail`: follows delivery attempts across applications as they are made, through the
// operator's attempt feed (GET /api/v1/attempt).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Command,
  connectionHelp,
  connectionOptions,
  exitCode,
  integer,
  text,
  usageError,
} from './command.ts';
import { connect } from './connection.ts';
import { table } from './output.ts';

const help = `Usage: herald tail [--app APP] [--endpoint ENDPOINT] [--status STATUS] [--since WHEN]
                   [--count N] [--json]

Prints delivery attempts as Herald makes them, across every application, until Ctrl-C.

Options:
  --app APP            only this application's attempts (id or uid)
  --endpoint ENDPOINT  only this endpoint's (id or uid; needs --app)
  --status STATUS      only success, fail, pending or sending
  --since WHEN         start from an ISO date or a duration ago (30s, 10m, 2h, 1d);
                       default: now
  --count N            stop after N attempts
  --interval MS        how often to ask for new attempts (default 1000)

${connectionHelp} (with --json, one JSON object per line)`;

const statuses: Record<string, number> = { success: 0, pending: 1, fail: 2, failed: 2, sending: 3 };

type FeedPage = { data: FeedAttempt[]; iterator: string | null; done: boolean };

type FeedAttempt = {
  id: string;
  appId: string;
  endpointId: string;
  msgId: string;
  url: string;
  statusText: string;
  responseStatusCode: number;
  responseDurationMs: number;
  timestamp: string;
};

/** `--since`: an ISO date, or a duration before now. */
function sinceOf(value: string | undefined, now: number): string {
  if (value === undefined) return new Date(now).toISOString();
  const duration = /^(\d+)(s|m|h|d)$/.exec(value);
  if (duration) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 's'];
    return new Date(now - Number(duration[1]) * unit).toISOString();
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw usageError(`--since ${value} is neither a date nor a duration`, help);
  return new Date(at).toISOString();
}

export const tailCommand: Command = {
  name: 'tail',
  summary: 'follow delivery attempts as they happen, by application, endpoint and status',
  help,
  options: {
    ...connectionOptions,
    app: { type: 'string' },
    endpoint: { type: 'string' },
    status: { type: 'string' },
    since: { type: 'string' },
    count: { type: 'string' },
    interval: { type: 'string' },
  },
  async run({ positionals, values }) {
    if (positionals.length > 0) throw usageError('herald tail takes no argument', help);
    const statusName = text(values.status);
    const status = statusName === undefined ? undefined : statuses[statusName];
    if (statusName !== undefined && status === undefined) {
      throw usageError(`--status is one of success, fail, pending, sending`, help);
    }
    if (values.endpoint && !values.app) throw usageError('--endpoint needs --app', help);
    const count = integer(values.count, 'count', help);
    const interval = integer(values.interval, 'interval', help) ?? 1000;
    const api = connect(values);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const filter = {
      app_id: text(values.app),
      endpoint_id: text(values.endpoint),
      status,
    };
    let position: { since: string } | { after: string } = {
      since: sinceOf(text(values.since), Date.now()),
    };
    let shown = 0;
    let header = !values.json;
    try {
      while (!stop.signal.aborted) {
        const page: FeedPage = await api.request<FeedPage>('GET', '/attempt', {
          query: { ...filter, ...position, limit: 100 },
        });
        const rows = count === undefined ? page.data : page.data.slice(0, count - shown);
        if (rows.length > 0) {
          if (values.json) {
            process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
          } else {
            const lines = table(rows, [
              ['TIME', (r) => r.timestamp],
              ['STATUS', (r) => r.statusText],
              ['CODE', (r) => r.responseStatusCode],
              ['MS', (r) => r.responseDurationMs],
              ['APP', (r) => r.appId],
              ['ENDPOINT', (r) => r.endpointId],
              ['MESSAGE', (r) => r.msgId],
              ['URL', (r) => r.url],
            ]).split('\n');
            process.stdout.write(`${lines.slice(header ? 0 : 1).join('\n')}`);
            header = false;
          }
          shown += rows.length;
        }
        if (count !== undefined && shown >= count) break;
        if (page.iterator) position = { after: page.iterator };
        if (page.done) {
          await sleep(interval, undefined, { signal: stop.signal }).catch(() => {});
        }
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return exitCode.ok;
  },
};
