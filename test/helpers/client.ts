// The one inject() client of the tests, with the checks every API response must pass: no
// 4xx/5xx without a JSON body in Svix's error shape, and no non-204 2xx without a JSON body.
// `api` and `apiCall` are the same calls in the shapes older tests and the examples use.
import assert from 'node:assert/strict';
import type { ApiCall } from '../../examples/api.ts';
import { adminToken, type TestApp } from './test-app.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Call = {
  method?: Method;
  url: string;
  body?: unknown;
  /** A raw request body, sent as application/json. */
  raw?: string;
  headers?: Record<string, string>;
  /** A bearer token; the operator's when absent, none when null. */
  token?: string | null;
};

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field.
export type Json = any;

export type Response = { status: number; body: Json; headers: Record<string, unknown> };

export function client(t: TestApp) {
  async function call({ method = 'GET', url, body, raw, headers = {}, token }: Call) {
    const auth = token === null ? {} : { authorization: `Bearer ${token ?? adminToken}` };
    const response = await t.app.inject({
      method,
      url,
      headers: {
        ...auth,
        ...(raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(raw !== undefined
        ? { payload: raw }
        : body !== undefined
          ? { payload: body as object }
          : {}),
    });
    const where = `${method} ${url} answered ${response.statusCode}`;
    let parsed: Json = null;
    if (response.statusCode === 204) {
      assert.equal(response.body, '', `${where} with a body`);
    } else {
      assert.ok(response.body.length > 0, `${where} with an empty body`);
      assert.match(String(response.headers['content-type']), /application\/json/, where);
      parsed = JSON.parse(response.body);
    }
    if (response.statusCode >= 400) {
      const shaped =
        (typeof parsed?.code === 'string' && typeof parsed?.detail === 'string') ||
        (response.statusCode === 422 && Array.isArray(parsed?.detail));
      assert.ok(shaped, `${where} with a body outside Svix's error shape: ${response.body}`);
    }
    return { status: response.statusCode, body: parsed, headers: response.headers } as Response;
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
