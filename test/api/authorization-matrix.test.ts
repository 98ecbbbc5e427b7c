// The authorization matrix, generated from the route table: every API route (from the
// OpenAPI document, which every route must be in) is called as each kind of caller, and
// the answer must match the access the route declares here. A route added without a row
// fails the first test.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Api, client, type Method } from '../helpers/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Who may call a route: `public` anyone; `any` any valid token; `app` the operator, or a
 * token of the application in the path (another application's token gets 403); `owned` the
 * operator, or a token of the application that owns the resource (another application's
 * token gets 404: the resource's existence is not told); `operator` the operator alone.
 * A read-only token may call what its application's token may, except writes (403
 * `read_only`); logging out is not a write.
 */
type Access = 'public' | 'any' | 'app' | 'owned' | 'operator';

const access: Record<string, Access> = {
  'GET /api/v1/health/ping': 'public',
  'GET /api/v1/health': 'public',
  'POST /api/v1/auth/app-portal-access/{app_id}': 'operator',
  'POST /api/v1/auth/dashboard-access/{app_id}': 'operator',
  'POST /api/v1/auth/logout': 'any',
  'GET /api/v1/auth/whoami': 'any',
  // The console's login takes the operator token in its body; a session cookie and its
  // CSRF header, not a bearer token, decide the rest (test/api/console-session.test.ts).
  'POST /api/v1/auth/console-session': 'public',
  'GET /api/v1/auth/console-session': 'public',
  'DELETE /api/v1/auth/console-session': 'public',
  'POST /api/v1/auth/app/{app_id}/expire-all': 'operator',
  'GET /api/v1/app': 'operator',
  'POST /api/v1/app': 'operator',
  'GET /api/v1/app/{app_id}': 'app',
  'PUT /api/v1/app/{app_id}': 'operator',
  'PATCH /api/v1/app/{app_id}': 'operator',
  'DELETE /api/v1/app/{app_id}': 'operator',
  'GET /api/v1/event-type': 'any',
  'POST /api/v1/event-type': 'operator',
  'GET /api/v1/event-type/{event_type_name}': 'any',
  'PUT /api/v1/event-type/{event_type_name}': 'operator',
  'PATCH /api/v1/event-type/{event_type_name}': 'operator',
  'DELETE /api/v1/event-type/{event_type_name}': 'operator',
  'GET /api/v1/app/{app_id}/endpoint': 'app',
  'POST /api/v1/app/{app_id}/endpoint': 'app',
  'GET /api/v1/app/{app_id}/endpoint/{endpoint_id}': 'app',
  'PUT /api/v1/app/{app_id}/endpoint/{endpoint_id}': 'app',
  'PATCH /api/v1/app/{app_id}/endpoint/{endpoint_id}': 'app',
  'DELETE /api/v1/app/{app_id}/endpoint/{endpoint_id}': 'app',
  'GET /api/v1/app/{app_id}/endpoint/{endpoint_id}/secret': 'app',
  'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate': 'app',
  'GET /api/v1/app/{app_id}/endpoint/{endpoint_id}/headers': 'app',
  'PUT /api/v1/app/{app_id}/endpoint/{endpoint_id}/headers': 'app',
  'PATCH /api/v1/app/{app_id}/endpoint/{endpoint_id}/headers': 'app',
  'GET /api/v1/app/{app_id}/endpoint/{endpoint_id}/stats': 'app',
  'GET /api/v1/app/{app_id}/endpoint/{endpoint_id}/stats/timeseries': 'app',
  'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/test': 'app',
  'GET /api/v1/app/{app_id}/msg': 'app',
  'POST /api/v1/app/{app_id}/msg': 'operator',
  'POST /api/v1/app/{app_id}/msg/precheck/active': 'operator',
  'GET /api/v1/app/{app_id}/msg/{msg_id}': 'app',
  'DELETE /api/v1/app/{app_id}/msg/{msg_id}/content': 'operator',
  'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/send-example': 'app',
  'GET /api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}': 'app',
  'GET /api/v1/app/{app_id}/attempt/msg/{msg_id}': 'app',
  'GET /api/v1/app/{app_id}/endpoint/{endpoint_id}/msg': 'app',
  'GET /api/v1/app/{app_id}/msg/{msg_id}/endpoint': 'app',
  'GET /api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}': 'app',
  'DELETE /api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content': 'operator',
  'POST /api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend': 'app',
  'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/recover': 'app',
  'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/replay-missing': 'app',
  'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/bulk-replay': 'app',
  'GET /api/v1/background-task': 'operator',
  'GET /api/v1/background-task/{task_id}': 'owned',
  'GET /api/v1/operational-webhook/endpoint': 'operator',
  'POST /api/v1/operational-webhook/endpoint': 'operator',
  'GET /api/v1/operational-webhook/endpoint/{endpoint_id}': 'operator',
  'PUT /api/v1/operational-webhook/endpoint/{endpoint_id}': 'operator',
  'PATCH /api/v1/operational-webhook/endpoint/{endpoint_id}': 'operator',
  'DELETE /api/v1/operational-webhook/endpoint/{endpoint_id}': 'operator',
  'GET /api/v1/operational-webhook/endpoint/{endpoint_id}/secret': 'operator',
  'POST /api/v1/operational-webhook/endpoint/{endpoint_id}/secret/rotate': 'operator',
  'GET /api/v1/operational-webhook/endpoint/{endpoint_id}/headers': 'operator',
  'PUT /api/v1/operational-webhook/endpoint/{endpoint_id}/headers': 'operator',
  'PATCH /api/v1/operational-webhook/endpoint/{endpoint_id}/headers': 'operator',
  'GET /api/v1/queue': 'operator',
  'GET /api/v1/attempt': 'operator',
  'GET /api/v1/queue/stats': 'operator',
  'GET /api/v1/operational-event': 'operator',
  'GET /api/v1/app/{app_id}/endpoint-health': 'app',
  'POST /api/v1/play/inbox': 'any',
  // The inbox id (128 random bits) is the capability: whoever has it may read the inbox.
  'GET /api/v1/play/inbox/{inbox_id}': 'public',
  'GET /api/v1/play/inbox/{inbox_id}/request': 'public',
  'POST /v1/webhooks': 'operator',
  'GET /v1/webhooks': 'operator',
  'GET /v1/webhooks/{id}': 'operator',
  'PATCH /v1/webhooks/{id}': 'operator',
  'DELETE /v1/webhooks/{id}': 'operator',
  'POST /v1/webhooks/test': 'operator',
  'POST /v1/events': 'operator',
};

// Endpoints point at a closed port on loopback (allowed in tests): attempts fail at once
// instead of waiting on DNS.

/** A plausible body per route, so that refusals are about who calls, not what is sent. */
const bodies: Record<string, unknown> = {
  'POST /api/v1/app': { name: 'matrix' },
  'PUT /api/v1/app/{app_id}': { name: 'matrix' },
  'PATCH /api/v1/app/{app_id}': { name: 'matrix' },
  'POST /api/v1/event-type': { name: 'matrix.other', description: 'd' },
  'PUT /api/v1/event-type/{event_type_name}': { description: 'd' },
  'PATCH /api/v1/event-type/{event_type_name}': { description: 'd' },
  'POST /api/v1/app/{app_id}/endpoint': { url: 'http://127.0.0.1:9/a' },
  'PUT /api/v1/app/{app_id}/endpoint/{endpoint_id}': { url: 'http://127.0.0.1:9/b' },
  'PATCH /api/v1/app/{app_id}/endpoint/{endpoint_id}': { description: 'd' },
  'PUT /api/v1/app/{app_id}/endpoint/{endpoint_id}/headers': { headers: { 'x-a': '1' } },
  'PATCH /api/v1/app/{app_id}/endpoint/{endpoint_id}/headers': { headers: { 'x-b': '2' } },
  'POST /api/v1/app/{app_id}/msg': { eventType: 'matrix.event', payload: { a: 1 } },
  'POST /api/v1/app/{app_id}/msg/precheck/active': { eventType: 'matrix.event' },
  'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/send-example': { eventType: 'matrix.event' },
  'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/recover': {
    since: '2020-01-01T00:00:00Z',
  },
  'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/replay-missing': {
    since: '2020-01-01T00:00:00Z',
  },
  'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/bulk-replay': {
    since: '2020-01-01T00:00:00Z',
  },
  'POST /api/v1/operational-webhook/endpoint': { url: 'http://127.0.0.1:9/ops' },
  'PUT /api/v1/operational-webhook/endpoint/{endpoint_id}': { url: 'http://127.0.0.1:9/o' },
  'PATCH /api/v1/operational-webhook/endpoint/{endpoint_id}': { description: 'd' },
  'PUT /api/v1/operational-webhook/endpoint/{endpoint_id}/headers': { headers: { 'x-a': '1' } },
  'PATCH /api/v1/operational-webhook/endpoint/{endpoint_id}/headers': {
    headers: { 'x-b': '2' },
  },
  'POST /v1/webhooks': { url: 'http://127.0.0.1:9/w', secret: 'a-secret-of-some-length' },
  'PATCH /v1/webhooks/{id}': { url: 'http://127.0.0.1:9/w2' },
  'POST /v1/webhooks/test': { event: 'matrix.event' },
  'POST /v1/events': { type: 'matrix.event', data: { object: {} } },
};

type Caller =
  | 'operator'
  | 'own app'
  | 'read-only'
  | 'other app'
  | 'none'
  | 'invalid'
  | 'expired'
  | 'logged out';
const callers: Caller[] = [
  'none',
  'invalid',
  'expired',
  'logged out',
  'other app',
  'read-only',
  'own app',
  'operator',
];

const unauthenticated: Caller[] = ['none', 'invalid', 'expired', 'logged out'];

/** The status a refused caller gets, or null where the caller is let through. */
function refusal(route: string, rule: Access, caller: Caller): number | null {
  if (rule === 'public') return null;
  if (unauthenticated.includes(caller)) return 401;
  const write = !route.startsWith('GET ') && route !== 'POST /api/v1/auth/logout';
  if (caller === 'read-only' && write && rule !== 'operator') return 403;
  if (rule === 'any') return null;
  if (caller === 'operator') return null;
  if (rule === 'operator') return 403;
  if (caller === 'other app') return rule === 'owned' ? 404 : 403;
  return null;
}

let t: TestApp;
let api: Api;
let routes: string[];

before(async () => {
  t = await createTestApp();
  api = client(t).api;
  await t.app.ready();
  const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );
  await api('POST', '/event-type', { name: 'matrix.event', description: 'matrix' });
});

after(() => t.close());

test('every route of the API has a row in the authorization matrix', () => {
  const missing = routes.filter((route) => !(route in access));
  assert.deepEqual(missing, [], 'routes without a row: declare who may call them');
  const stale = Object.keys(access).filter((route) => !routes.includes(route));
  assert.deepEqual(stale, [], 'rows without a route');
});

/** A fresh application with one of everything, and a token for each kind of caller. */
async function fixture(n: number) {
  const own = await api<{ id: string }>('POST', '/app', { name: `own ${n}` });
  const other = await api<{ id: string }>('POST', '/app', { name: `other ${n}` });
  const endpoint = await api<{ id: string }>('POST', `/app/${own.id}/endpoint`, {
    url: 'http://127.0.0.1:9/hook',
  });
  const msg = await api<{ id: string }>('POST', `/app/${own.id}/msg`, {
    eventType: 'matrix.event',
    payload: { n },
  });
  await t.dispatcher.runDue();
  const attempt = await api<{ data: { id: string }[] }>(
    'GET',
    `/app/${own.id}/attempt/msg/${msg.id}`,
  );
  const ops = await api<{ id: string }>('POST', '/operational-webhook/endpoint', {
    url: 'http://127.0.0.1:9/ops',
  });
  const simple = await api<{ id: string }>('POST', '/v1/webhooks', {
    url: 'http://127.0.0.1:9/simple',
    secret: 'a-secret-of-some-length',
  }).catch(() => ({ id: 'none' }));
  const task = await api<{ id: string }>('POST', `/app/${own.id}/endpoint/${endpoint.id}/recover`, {
    since: '2020-01-01T00:00:00Z',
  });
  const inbox = await api<{ id: string }>('POST', '/play/inbox');
  const token = async (app: string, expiry?: number) =>
    (
      await api<{ token: string }>('POST', `/auth/app-portal-access/${app}`, {
        ...(expiry ? { expiry } : {}),
      })
    ).token;
  const expired = await token(own.id, 60);
  const loggedOut = await token(own.id);
  await client(t).call({ method: 'POST', url: '/api/v1/auth/logout', token: loggedOut });
  const readOnly = (
    await api<{ token: string }>('POST', `/auth/app-portal-access/${own.id}`, { readOnly: true })
  ).token;
  const tokens: Record<Caller, string | null> = {
    operator: t.admin.authorization?.slice('Bearer '.length) ?? null,
    'own app': await token(own.id),
    'read-only': readOnly,
    'other app': await token(other.id),
    none: null,
    invalid: 'hrld_app_not-a-real-token',
    expired,
    'logged out': loggedOut,
  };
  const params: Record<string, string> = {
    app_id: own.id,
    endpoint_id: endpoint.id,
    msg_id: msg.id,
    attempt_id: attempt.data[0]?.id ?? 'atmpt_none',
    event_type_name: 'matrix.event',
    task_id: task.id,
    inbox_id: inbox.id,
    id: simple.id,
  };
  return { tokens, params, ops };
}

test('each route answers each caller as its row says', async () => {
  const failures: string[] = [];
  let n = 0;
  for (const route of routes) {
    const rule = access[route];
    if (!rule) continue;
    n++;
    const { tokens, params, ops } = await fixture(n);
    // The expired token's hour has passed; every other token is still valid.
    const [method, pathTemplate] = route.split(' ') as [string, string];
    const path = pathTemplate.replace(/\{(\w+)\}/g, (_, name: string) =>
      pathTemplate.startsWith('/api/v1/operational-webhook') && name === 'endpoint_id'
        ? ops.id
        : (params[name] ?? name),
    );
    for (const caller of callers) {
      if (caller === 'expired') t.clock.advance(61_000);
      const token = tokens[caller];
      const response = await client(t).call({
        method: method as Method,
        url: path,
        token,
        ...(route in bodies ? { body: bodies[route] } : {}),
      });
      if (caller === 'expired') t.clock.advance(-61_000);
      const { status } = response;
      const want = refusal(route, rule, caller);
      const shown = `${route} as ${caller}: ${status} ${response.text.slice(0, 120)}`;
      if (status >= 500) failures.push(shown);
      else if (want === null && (status === 401 || status === 403)) failures.push(shown);
      else if (want !== null) {
        const code = (response.body as { code?: unknown } | null)?.code;
        if (status !== want || typeof code !== 'string') failures.push(`${shown} (want ${want})`);
      }
    }
  }
  assert.deepEqual(failures, []);
});
