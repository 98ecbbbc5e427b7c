// Property-based fuzzing of every route of the OpenAPI document (openapi-requests.ts makes
// the requests). Each request goes to a Herald on SQLite and to one on PostgreSQL, both
// seeded alike. The properties: no 5xx; every refusal is a coded error; a refused request
// changes nothing stored; both stores give the same answer; and an application the fuzzer
// never names is the same at the end as at the start.
//
// FUZZ_SEED replays another sequence, FUZZ_RUNS sets the requests per route.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { errorCatalog } from '../../src/domain/errors.ts';
import { client, type Response } from '../helpers/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import {
  badUnicode,
  encodeText,
  type FuzzRequest,
  metacharacters,
  type Names,
  type RefKind,
  type Route,
  refMarker,
  refPattern,
  requestsFor,
  routesOf,
  type Schema,
  stringSweep,
} from './openapi-requests.ts';

const seed = Number(process.env.FUZZ_SEED ?? 18_006);
const runs = Number(process.env.FUZZ_RUNS ?? 12);

const names: Names = {
  eventTypes: ['fuzz.seeded', 'fuzz.other', 'svix.ping'],
  channels: ['fuzz-channel'],
  apps: ['default'],
};

/** The event type requests name, with an example to send. */
const seededEventType = {
  name: 'fuzz.seeded',
  description: 'seeded',
  schemas: { '1': { type: 'object', examples: [{ seeded: true }] } },
};

type Ref = { id: string; uid: string };

type World = {
  store: 'sqlite' | 'postgres';
  t: TestApp;
  /** The tests' client, whose checks hold for every answer here too. */
  c: ReturnType<typeof client>;
  refs: Record<RefKind, Ref>;
  /** What the reads in `snapshot` answered after the last change the fuzzer made. */
  baseline: Record<string, unknown>;
  /** The application no request names: its endpoint and message. */
  kept: { app: string; endpoint: string };
  keptAtStart: Record<string, unknown>;
};

type Answer = { status: number; body: string; contentType: string };

const answerOf = (response: Response): Answer => ({
  status: response.status,
  body: response.text,
  contentType: String(response.headers['content-type'] ?? ''),
});

async function call(
  w: World,
  method: FuzzRequest['method'],
  url: string,
  body?: unknown,
): Promise<Answer> {
  return answerOf(await w.c.call({ method, url, body }));
}

/** Calls the API as the operator and insists on a 2xx; returns the parsed body. */
async function ok<T = Record<string, unknown>>(
  w: World,
  method: FuzzRequest['method'],
  url: string,
  body?: unknown,
): Promise<T> {
  const answer = await call(w, method, url, body);
  assert.ok(
    answer.status < 300,
    `${w.store}: ${method} ${url} answered ${answer.status} ${answer.body.slice(0, 300)}`,
  );
  return (answer.body ? JSON.parse(answer.body) : {}) as T;
}

const exists = async (w: World, url: string) => (await call(w, 'GET', url)).status === 200;

/** Whether the seeded message is there with its payload (content can be deleted). */
async function payloadKept(w: World, url: string): Promise<boolean> {
  const answer = await call(w, 'GET', url);
  if (answer.status !== 200) return false;
  return (JSON.parse(answer.body) as { payload?: { text?: unknown } }).payload?.text === 'seeded';
}

/** A target application with an endpoint, a message, its attempt and a recovery task. */
async function seedTarget(w: World, n: number): Promise<void> {
  const app = await ok<{ id: string }>(w, 'POST', '/api/v1/app', {
    name: `fuzz target ${n}`,
    uid: `fuzz-target-${n}`,
  });
  const endpoint = await ok<{ id: string }>(w, 'POST', `/api/v1/app/${app.id}/endpoint`, {
    url: 'http://127.0.0.1:9/hook',
    uid: `fuzz-endpoint-${n}`,
    channels: ['fuzz-channel'],
  });
  const msg = await ok<{ id: string }>(w, 'POST', `/api/v1/app/${app.id}/msg`, {
    eventType: 'fuzz.seeded',
    eventId: `fuzz-event-${n}`,
    payload: { n, text: 'seeded' },
    channels: ['fuzz-channel'],
  });
  await w.t.dispatcher.runDue();
  const attempts = await ok<{ data: { id: string }[] }>(
    w,
    'GET',
    `/api/v1/app/${app.id}/attempt/msg/${msg.id}`,
  );
  const attempt = attempts.data[0]?.id;
  assert.ok(attempt, `${w.store}: the seeded message has an attempt`);
  const task = await ok<{ id: string }>(
    w,
    'POST',
    `/api/v1/app/${app.id}/endpoint/${endpoint.id}/recover`,
    { since: '2020-01-01T00:00:00Z' },
  );
  await w.t.backgroundTasks.idle();
  Object.assign(w.refs, {
    app: { id: app.id, uid: `fuzz-target-${n}` },
    endpoint: { id: endpoint.id, uid: `fuzz-endpoint-${n}` },
    message: { id: msg.id, uid: `fuzz-event-${n}` },
    attempt: { id: attempt, uid: attempt },
    task: { id: task.id, uid: task.id },
  });
}

/**
 * After a change the fuzzer made (a 2xx to a write): runs the deliveries it queued, puts
 * back any seeded resource it deleted, under new names, and follows a renamed uid, so that
 * later requests still reach them.
 */
async function restore(w: World, generation: number): Promise<void> {
  const { refs } = w;
  // What the change queued is sent now: the dispatcher reads what the fuzzer stored too.
  await w.t.dispatcher.runDue();
  const base = `/api/v1/app/${refs.app.id}`;
  const app = await call(w, 'GET', base);
  if (
    app.status !== 200 ||
    !(await exists(w, `${base}/endpoint/${refs.endpoint.id}`)) ||
    !(await payloadKept(w, `${base}/msg/${refs.message.id}`)) ||
    !(await exists(w, `${base}/msg/${refs.message.id}/attempt/${refs.attempt.id}`)) ||
    !(await exists(w, `/api/v1/background-task/${refs.task.id}`))
  ) {
    await seedTarget(w, generation);
  } else {
    refs.app.uid = (JSON.parse(app.body) as { uid: string | null }).uid ?? refs.app.id;
    const endpoint = await ok<{ uid: string | null }>(
      w,
      'GET',
      `${base}/endpoint/${refs.endpoint.id}`,
    );
    refs.endpoint.uid = endpoint.uid ?? refs.endpoint.id;
  }
  if (!(await exists(w, `/api/v1/event-type/${refs.eventType.id}`))) {
    await ok(w, 'POST', '/api/v1/event-type', seededEventType);
  }
  if (!(await exists(w, `/api/v1/operational-webhook/endpoint/${refs.opsEndpoint.id}`))) {
    const ops = await ok<{ id: string }>(w, 'POST', '/api/v1/operational-webhook/endpoint', {
      url: 'http://127.0.0.1:9/ops',
    });
    refs.opsEndpoint = { id: ops.id, uid: ops.id };
  }
  if (!(await exists(w, `/v1/webhooks/${refs.webhook.id}`))) {
    const webhook = await ok<{ id: string }>(w, 'POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/simple',
      events: ['fuzz.seeded'],
    });
    refs.webhook = { id: webhook.id, uid: webhook.id };
  }
  if (!(await exists(w, `/api/v1/play/inbox/${refs.inbox.id}`))) {
    const inbox = await ok<{ id: string }>(w, 'POST', '/api/v1/play/inbox');
    refs.inbox = { id: inbox.id, uid: inbox.id };
  }
}

/**
 * Reads what a refused request may not change (each read must answer 200): applications,
 * event types, operational and simple webhooks, the target's and the kept application's
 * endpoints and messages, and the target endpoint's secret and headers (`full`: the kept
 * endpoint's too).
 */
async function snapshot(w: World, full = false): Promise<Record<string, unknown>> {
  const { refs, kept } = w;
  const urls = [
    '/api/v1/app?limit=250',
    // Lists without content (what the fuzzer publishes would make each read megabytes), and
    // the seeded message and event type with theirs.
    '/api/v1/event-type?limit=250&include_archived=true',
    `/api/v1/event-type/${refs.eventType.id}`,
    `/api/v1/app/${refs.app.id}/msg/${refs.message.id}`,
    '/api/v1/operational-webhook/endpoint?limit=250',
    '/v1/webhooks',
  ];
  for (const [app, endpoint] of [
    [refs.app.id, refs.endpoint.id],
    [kept.app, kept.endpoint],
  ]) {
    urls.push(
      `/api/v1/app/${app}/endpoint?limit=250`,
      `/api/v1/app/${app}/msg?limit=250${app === kept.app ? '&with_content=true' : ''}`,
    );
    if (full || app !== kept.app) {
      urls.push(
        `/api/v1/app/${app}/endpoint/${endpoint}/secret`,
        `/api/v1/app/${app}/endpoint/${endpoint}/headers`,
      );
    }
  }
  const answers = await Promise.all(urls.map((url) => ok(w, 'GET', url)));
  return Object.fromEntries(urls.map((url, i) => [url, answers[i]]));
}

/** The kept application's part of a snapshot. */
const keptPart = (w: World, s: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(s).filter(([url]) => url.includes(w.kept.app)));

async function openWorld(store: World['store']): Promise<World> {
  const t = await createTestApp({
    database: store,
    start: Date.parse('2030-01-01T00:00:00Z'),
    // Small limits make "too large" cheap to reach.
    config: { maxPayloadBytes: 65_536 },
    // Nothing leaves the machine: every name resolves to an address the guard refuses,
    // and no private range is allowed.
    allowedSubnets: [],
    lookup: (_host, _options, callback) => callback(null, [{ address: '10.0.0.1', family: 4 }]),
  });
  const w = { store, t, c: client(t), refs: {}, baseline: {}, kept: {}, keptAtStart: {} } as World;
  await ok(w, 'POST', '/api/v1/event-type', seededEventType);
  await ok(w, 'POST', '/api/v1/event-type', { name: 'fuzz.other', description: 'other' });
  await ok(w, 'POST', '/api/v1/event-type', { name: 'fuzz.kept', description: 'never named' });
  const kept = await ok<{ id: string }>(w, 'POST', '/api/v1/app', {
    name: 'kept',
    uid: 'fuzz-kept',
    metadata: { note: 'never named by a request' },
  });
  const keptEndpoint = await ok<{ id: string }>(w, 'POST', `/api/v1/app/${kept.id}/endpoint`, {
    url: 'https://kept.example/hook',
    headers: { 'x-kept': 'yes' },
  });
  await ok(w, 'POST', `/api/v1/app/${kept.id}/msg`, {
    eventType: 'fuzz.kept',
    payload: { kept: true, text: "O'Reilly \u00e9 \ud83d\ude00" },
  });
  w.kept = { app: kept.id, endpoint: keptEndpoint.id };
  w.refs.eventType = { id: 'fuzz.seeded', uid: 'fuzz.seeded' };
  w.refs.opsEndpoint = { id: 'none', uid: 'none' };
  w.refs.webhook = { id: 'none', uid: 'none' };
  w.refs.inbox = { id: 'none', uid: 'none' };
  await seedTarget(w, 0);
  await restore(w, 0);
  w.baseline = await snapshot(w);
  w.keptAtStart = keptPart(w, await snapshot(w, true));
  return w;
}

/** Top-level fields a body schema names, or null where it takes any. */
function bodyFields(schema: Schema | undefined): Set<string> | null {
  if (!schema) return new Set();
  const alternatives = (schema.anyOf ?? schema.oneOf ?? [schema]) as Schema[];
  const names = new Set<string>();
  for (const alternative of alternatives) {
    if (alternative.type === 'null') continue;
    if (!alternative.properties || alternative.additionalProperties) return null;
    for (const name of Object.keys(alternative.properties)) names.add(name);
  }
  return names;
}

/** The names a request carried: its query's and its JSON body's top-level fields. */
function sentNames(url: string, body: Buffer | undefined): Record<'query' | 'body', Set<string>> {
  const query = new Set(new URLSearchParams(url.split('?')[1] ?? '').keys());
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(body?.toString('utf8') ?? 'null');
  } catch {}
  const fields =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? Object.keys(parsed)
      : [];
  return { query, body: new Set(fields) };
}

/** Why a 422 issue's `loc` points at nothing the route takes nor the request sent, or null. */
function locProblem(route: Route, request: FuzzRequest, loc: unknown[]): string | null {
  const [where, name] = loc;
  if (where === 'header' || name === undefined) return null;
  // `.` and `..` segments take the request to another route, as in any URL.
  if (/\/(\.|%2e){1,2}(\/|\?|$)/i.test(request.url)) return null;
  const sent = sentNames(request.url, request.body);
  if ((where === 'query' || where === 'body') && sent[where].has(String(name))) return null;
  const known =
    where === 'path'
      ? new Set(route.pathParams.map((p) => p.name))
      : where === 'query'
        ? new Set(route.queryParams.map((p) => p.name))
        : where === 'body'
          ? bodyFields(route.body?.schema)
          : new Set<string>();
  if (known === null || known.has(String(name))) return null;
  return `a 422 at ${loc.join('.')}, which the route does not take`;
}

/** Why an answer breaks the contract, or null. */
function problemWith(route: Route, request: FuzzRequest, answer: Answer): string | null {
  const { status } = answer;
  if (status >= 500) return `a ${status}`;
  if (status >= 300 && status < 400) return `a redirect (${status})`;
  if (status < 300) {
    if (status === 204) return answer.body === '' ? null : 'a 204 with a body';
    return answer.contentType.includes('application/json') ? null : 'a 2xx that is not JSON';
  }
  if (!answer.contentType.includes('application/json')) return 'an error that is not JSON';
  let body: { code?: unknown; detail?: unknown };
  try {
    body = JSON.parse(answer.body);
  } catch {
    return 'an error body that does not parse';
  }
  if (status === 422 && Array.isArray(body.detail)) {
    const shaped = body.detail.every(
      (issue: { loc?: unknown; msg?: unknown; type?: unknown }) =>
        Array.isArray(issue.loc) && typeof issue.msg === 'string' && typeof issue.type === 'string',
    );
    if (!shaped || body.detail.length === 0) return 'a 422 whose issues are not {loc, msg, type}';
    for (const issue of body.detail as { loc: unknown[] }[]) {
      const problem = locProblem(route, request, issue.loc);
      if (problem) return problem;
    }
    return null;
  }
  const entry = errorCatalog[body.code as keyof typeof errorCatalog];
  if (!entry) return `an error without a registered code (${JSON.stringify(body.code)})`;
  if (entry.status !== status) return `the code ${String(body.code)} with the status ${status}`;
  if (typeof body.detail !== 'string' || body.detail.length === 0) return 'an error without detail';
  return null;
}

/** Keys whose values differ between runs by chance: a jittered time, a measured duration. */
const varying = new Set(['nextAttempt', 'durationMs', 'responseDurationMs']);

/** A value with what differs between stores by chance masked: ids, secrets, tokens, timings. */
function masked(value: unknown): unknown {
  if (typeof value === 'string') {
    return value
      .replace(/\b[a-z]+_[0-9A-HJKMNP-TV-Z]{26}\b/g, '<id>')
      .replace(/\b[0-9a-f]{32}\b/g, '<id>')
      .replace(/\b(whsec|whsk|hrld)_[A-Za-z0-9+/=_-]+/g, '<secret>');
  }
  if (Array.isArray(value)) return value.map(masked);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, varying.has(k) ? '<varies>' : masked(v)]),
    );
  }
  return value;
}

/**
 * What must be the same on both stores: the status; for a write taken, what it answered (what
 * was stored, read back); for a refusal, the code or the fields refused. (Lists are left
 * out: items made in the same millisecond sort by the random part of their ids.)
 */
function verdict(request: FuzzRequest, answer: Answer): string {
  if (answer.status < 400) {
    return request.method === 'GET' || !answer.body
      ? String(answer.status)
      : `${answer.status} ${JSON.stringify(masked(JSON.parse(answer.body)))}`;
  }
  const body = JSON.parse(answer.body) as { code?: string; detail?: { loc: unknown[] }[] };
  return answer.status === 422 && Array.isArray(body.detail)
    ? `422 ${JSON.stringify(body.detail.map((issue) => issue.loc))}`
    : `${answer.status} ${body.code}`;
}

const shown = (request: FuzzRequest) => {
  const body = request.body?.toString('utf8') ?? '';
  return `${request.method} ${request.url.slice(0, 300)} ${JSON.stringify(request.headers)} ${body.length > 300 ? `${body.slice(0, 300)}... (${body.length} bytes)` : body}`;
};

/** `refPattern` over a body's bytes read as latin1 (the marker's UTF-8 bytes). */
const latin1Marker = Buffer.from(refMarker('app', 'id').slice(0, 1)).toString('latin1');
const bodyRefPattern = new RegExp(`${latin1Marker}(\\w+)\\.(id|uid)${latin1Marker}`, 'g');

let worlds: World[] = [];
let routes: Route[] = [];
let generation = 0;
let parted = false;
const tally = { requests: 0, success: 0, refused: 0 };
/** Routes that took at least one request: the others were only refused. */
const succeeded = new Set<string>();

async function send(w: World, request: FuzzRequest): Promise<Answer> {
  const url = request.url.replace(refPattern, (_, kind: RefKind, form: 'id' | 'uid') =>
    encodeText(w.refs[kind][form]),
  );
  // In the body, as bytes: it need not be UTF-8. Ids are ASCII.
  const marker = Buffer.from(refMarker('app', 'id').slice(0, 1));
  const body =
    request.body?.includes(marker) === true
      ? Buffer.from(
          request.body
            .toString('latin1')
            .replace(bodyRefPattern, (_, kind: RefKind, form: 'id' | 'uid') => w.refs[kind][form]),
          'latin1',
        )
      : request.body;
  try {
    // The request's own headers, content type included (or none), as generated.
    const response = await w.c.call({
      method: request.method,
      url,
      headers: request.headers,
      ...(body ? { raw: body, contentType: null } : {}),
    });
    return answerOf(response);
  } catch (error) {
    // The client's checks name the call only: say which store and what was sent.
    throw new Error(`${w.store}: ${(error as Error).message}\nto ${shown(request)}`, {
      cause: error,
    });
  } finally {
    await w.t.backgroundTasks.idle();
  }
}

/** The work's result, or a failure saying `what` once `ms` have passed without one. */
async function within<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends one request to both stores and checks every property on the answers. */
async function exercise(route: Route, request: FuzzRequest): Promise<void> {
  tally.requests++;
  const next = ++generation;
  // After a failed check the stores may have parted ways: seed both again, so that one
  // finding does not make every later request fail.
  if (parted) {
    for (const w of worlds) {
      await restore(w, next);
      w.baseline = await snapshot(w);
    }
    parted = false;
  }
  parted = true;
  // The stores answer side by side; each then checks its own data.
  const answers = await Promise.all(
    worlds.map(async (w) =>
      // Work that never ends is a finding too, not a hung run.
      within(20_000, `${w.store}: no end in 20 s to ${shown(request)}`, async () => {
        const answer = await send(w, request);
        const problem = problemWith(route, request, answer);
        assert.equal(
          problem,
          null,
          `${w.store} answered ${problem}: ${answer.body.slice(0, 500)}\nto ${shown(request)}`,
        );
        if (answer.status >= 400) {
          // A refusal leaves everything as it was.
          assert.deepEqual(
            await snapshot(w),
            w.baseline,
            `${w.store}: stored data changed after a ${answer.status} to ${shown(request)}`,
          );
        } else if (request.method !== 'GET') {
          await restore(w, next);
          w.baseline = await snapshot(w);
        }
        return answer;
      }),
    ),
  );
  const [sqlite, postgres] = answers.map((answer) => verdict(request, answer));
  assert.equal(
    postgres,
    sqlite,
    `SQLite answered ${sqlite}, PostgreSQL ${postgres}: ${answers.map((a) => a.body.slice(0, 300)).join(' | ')}\nto ${shown(request)}`,
  );
  parted = false;
  if ((answers[0]?.status ?? 0) < 400) {
    tally.success++;
    succeeded.add(route.key);
  } else tally.refused++;
}

before(async () => {
  worlds = [await openWorld('sqlite'), await openWorld('postgres')];
  await worlds[0]?.t.app.ready();
  const doc = worlds[0]?.t.app.swagger() as Parameters<typeof routesOf>[0];
  routes = routesOf(doc);
});

after(async () => {
  for (const w of worlds) await w.t.close();
});

test('every route of the OpenAPI document has a request generator', () => {
  assert.ok(routes.length > 50, `only ${routes.length} routes in the document`);
  for (const route of routes) fc.sample(requestsFor(route, names), { seed, numRuns: 5 });
});

test('a hostile string in each path parameter, query parameter and body string of every route', async (t) => {
  const strings = [...metacharacters, ...badUnicode];
  const failures: string[] = [];
  let places = 0;
  for (const route of routes) {
    const sweep = stringSweep(route, names, (n) => strings[(places + n) % strings.length] ?? '');
    for (const { where, request } of sweep) {
      const [sample] = fc.sample(request, { seed: seed + places, numRuns: 1 });
      places++;
      if (!sample) continue;
      await exercise(route, sample).catch((error: Error) =>
        failures.push(`${route.key} ${where}: ${error.message.slice(0, 1_500)}`),
      );
    }
  }
  t.diagnostic(`${places} places that take a string`);
  assert.deepEqual(failures, []);
});

test('hostile requests to every route: no 5xx, coded refusals, nothing changed, both stores alike', async (t) => {
  t.diagnostic(`fuzz seed ${seed} (FUZZ_SEED), ${runs} requests per route (FUZZ_RUNS)`);
  const started = Date.now();
  Object.assign(tally, { requests: 0, success: 0, refused: 0 });
  for (const [index, route] of routes.entries()) {
    await t.test(route.key, async () => {
      await fc.assert(
        fc.asyncProperty(requestsFor(route, names), (request) => exercise(route, request)),
        { seed: seed + index, numRuns: runs },
      );
    });
  }
  t.diagnostic(
    `${tally.requests} requests per store (${tally.success} 2xx, ${tally.refused} refused) in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  const neverTaken = routes.filter((route) => !succeeded.has(route.key)).map((r) => r.key);
  t.diagnostic(`routes that refused every request: ${neverTaken.join(', ') || 'none'}`);
});

test('the application no request named is as it was', async () => {
  for (const w of worlds) {
    assert.deepEqual(keptPart(w, await snapshot(w, true)), w.keptAtStart, w.store);
  }
});
