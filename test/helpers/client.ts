// The one inject() client of the tests, with the checks every API response must pass: no
// 4xx/5xx without a JSON body in Svix's error shape, and no non-204 2xx without a JSON body
// (or, where a call expects text, without a body that is not JSON). Herald answers every
// refusal, on pages and Play's inbox address too, in that error shape; the one 5xx that is
// no refusal is the health report's 503, which is the report itself.
// `api` and `apiCall` are the same calls in the shapes older tests and the examples use.
import assert from 'node:assert/strict';
import type { ApiCall } from '../../examples/api.ts';
import type { HeraldApp } from '../../src/api/build-app.ts';
import { adminToken } from './test-app.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Call = {
  method?: Method;
  url: string;
  body?: unknown;
  /** A raw request body, sent as it is with `contentType`. */
  raw?: string | Buffer;
  /** The raw body's content type: application/json when absent, none when null. */
  contentType?: string | null;
  /** Sent last: they override the token's authorization and the content type. */
  headers?: Record<string, string>;
  /** A bearer token; the target's own (else the test operator's) when absent, none when null. */
  token?: string | null;
  /** The caller's address (loopback when absent). */
  remoteAddress?: string;
  /** What a non-204 2xx answer must be: JSON (parsed into `body`), or text that is not JSON. */
  expect?: 'json' | 'text';
};

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field.
export type Json = any;

export type Response = {
  status: number;
  /** The parsed JSON answer; null for a 204 and for text. */
  body: Json;
  /** The answer as it came. */
  text: string;
  headers: Record<string, unknown>;
};

/** What the client calls: a test app, or a running Herald with its own operator token. */
export type Target = { app: HeraldApp; token?: string };

/** The health report answers 503 with the report when the node is not ready. */
const isUnreadyReport = (url: string, status: number) =>
  status === 503 && url.split('?')[0] === '/api/v1/health';

export function client(t: Target) {
  async function call({
    method = 'GET',
    url,
    body,
    raw,
    contentType = 'application/json',
    headers = {},
    token,
    remoteAddress,
    expect = 'json',
  }: Call): Promise<Response> {
    const bearer = token === undefined ? (t.token ?? adminToken) : token;
    const response = await t.app.inject({
      method,
      url,
      headers: {
        ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
        ...(raw !== undefined && contentType !== null ? { 'content-type': contentType } : {}),
        ...headers,
      },
      ...(raw !== undefined
        ? { payload: raw }
        : body !== undefined
          ? { payload: body as object }
          : {}),
      ...(remoteAddress !== undefined ? { remoteAddress } : {}),
    });
    const status = response.statusCode;
    const where = `${method} ${url} answered ${status}`;
    const type = String(response.headers['content-type'] ?? '');
    let parsed: Json = null;
    if (status === 204) {
      assert.equal(response.body, '', `${where} with a body`);
    } else {
      assert.ok(response.body.length > 0, `${where} with an empty body`);
      if (expect === 'text' && status < 300) {
        assert.doesNotMatch(type, /application\/json/, `${where} with JSON, not text`);
      } else {
        assert.match(type, /application\/json/, `${where} with ${type || 'no type'}, not JSON`);
        try {
          parsed = JSON.parse(response.body);
        } catch {
          assert.fail(`${where} with a body that does not parse: ${response.body.slice(0, 300)}`);
        }
      }
    }
    if (status >= 400 && !isUnreadyReport(url, status)) {
      const shaped =
        (typeof parsed?.code === 'string' && typeof parsed?.detail === 'string') ||
        (status === 422 && Array.isArray(parsed?.detail));
      assert.ok(shaped, `${where} with a body outside Svix's error shape: ${response.body}`);
    }
    return { status, body: parsed, text: response.body, headers: response.headers };
  }

  /** Calls and insists on a status; returns the body. */
  async function ok(c: Call, status = c.method === 'POST' ? 201 : 200): Promise<Json> {
    const r = await call(c);
    assert.equal(r.status, status, `${c.method ?? 'GET'} ${c.url}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async function expectError(c: Call, status: number, code: string): Promise<Response> {
    const r = await call(c);
    assert.equal(r.status, status, `${c.method ?? 'GET'} ${c.url}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, code);
    assert.ok(r.body.detail.length > 0, 'the detail says what went wrong');
    return r;
  }

  /** A 422 in Svix's shape with an issue at exactly `loc`. */
  async function expectValidation(c: Call, loc: (string | number)[]): Promise<Response> {
    const r = await call(c);
    assert.equal(r.status, 422, `${c.method ?? 'GET'} ${c.url}: ${JSON.stringify(r.body)}`);
    assert.ok(Array.isArray(r.body.detail), 'detail is a list of issues');
    for (const issue of r.body.detail) {
      assert.ok(Array.isArray(issue.loc), 'each issue has a loc');
      assert.equal(typeof issue.msg, 'string');
      assert.equal(typeof issue.type, 'string');
    }
    assert.ok(
      r.body.detail.some((d: { loc: unknown[] }) => JSON.stringify(d.loc) === JSON.stringify(loc)),
      `expected an issue at ${JSON.stringify(loc)}, got ${JSON.stringify(r.body.detail)}`,
    );
    return r;
  }

  const createApp = (body: Record<string, unknown>) =>
    ok({ method: 'POST', url: '/api/v1/app', body });

  const createEventType = (name: string, extra: Record<string, unknown> = {}) =>
    ok({ method: 'POST', url: '/api/v1/event-type', body: { name, description: name, ...extra } });

  const createEndpoint = (app: string, body: Record<string, unknown> = {}) =>
    ok({
      method: 'POST',
      url: `/api/v1/app/${app}/endpoint`,
      body: { url: 'https://receiver.example/hook', ...body },
    });

  const publish = (app: string, body: Record<string, unknown>) =>
    ok({ method: 'POST', url: `/api/v1/app/${app}/msg`, body: { payload: {}, ...body } }, 202);

  const portalToken = async (app: string): Promise<string> =>
    (await ok({ method: 'POST', url: `/api/v1/auth/app-portal-access/${app}`, body: {} }, 200))
      .token;

  /**
   * `api('POST', '/app', body)`: a call under /api/v1 that must answer `expectStatus` (by
   * default, any 2xx); returns the answer's body ({} when empty).
   */
  async function api<T = Record<string, unknown>>(
    method: Method,
    url: string,
    body?: unknown,
    expectStatus?: number,
  ): Promise<T> {
    const r = await call({ method, url: `/api/v1${url}`, body });
    if (expectStatus !== undefined) {
      assert.equal(r.status, expectStatus, `${method} ${url}: ${JSON.stringify(r.body)}`);
    } else {
      assert.ok(r.status < 300, `${method} ${url} answered ${r.status}: ${JSON.stringify(r.body)}`);
    }
    return (r.body ?? {}) as T;
  }

  /** The examples' way to call Herald (a full path), which must answer 2xx. */
  const apiCall: ApiCall = async <T>(method: string, url: string, body?: unknown) => {
    const r = await call({ method: method as Method, url, body });
    assert.ok(r.status < 300, `${method} ${url} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return (r.body ?? {}) as T;
  };

  return {
    call,
    api,
    apiCall,
    ok,
    expectError,
    expectValidation,
    createApp,
    createEventType,
    createEndpoint,
    publish,
    portalToken,
  };
}

/** The ids of a list page, in order. */
export const ids = (page: { data: { id: string }[] }): string[] => page.data.map((x) => x.id);

/** `client(t).api`: a call under /api/v1 returning the answer's body. */
export type Api = ReturnType<typeof client>['api'];
