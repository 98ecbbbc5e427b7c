// Hostile requests for every route of the OpenAPI document, as fast-check arbitraries: the
// route's own schemas give plausible bodies and parameters, and most requests then carry
// some damage (a field of the wrong type, a huge value, bad unicode, metacharacters, JSON cut
// short, a wrong content type); `stringSweep` puts a hostile string in each string the route
// takes, one at a time. A route whose parameters or schemas this module cannot
// generate makes `requestsFor` throw, so a new route is fuzzed or the suite fails.
import fc from 'fast-check';

export type Schema = Record<string, unknown>;

type Parameter = { name: string; required: boolean; schema: Schema };

export type Route = {
  /** `METHOD /path/{param}`, as the authorization matrix names routes. */
  key: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body: { required: boolean; schema: Schema } | null;
};

type OpenApiOperation = {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
};

export function routesOf(doc: { paths: Record<string, Record<string, OpenApiOperation>> }) {
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const key = `${method.toUpperCase()} ${path}`;
      const params = (where: string) =>
        (operation.parameters ?? [])
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema ?? {} }));
      let body: Route['body'] = null;
      if (operation.requestBody) {
        const types = Object.keys(operation.requestBody.content);
        const json = operation.requestBody.content['application/json'];
        if (types.length !== 1 || !json)
          throw new Error(`${key}: no generator for request bodies of type ${types.join(', ')}`);
        body = { required: operation.requestBody.required === true, schema: json.schema ?? {} };
      }
      routes.push({
        key,
        method: method.toUpperCase() as Route['method'],
        path,
        pathParams: params('path'),
        queryParams: params('query'),
        body,
      });
    }
  }
  return routes;
}

/** The seeded resources a path or query parameter can name. */
export type RefKind =
  | 'app'
  | 'endpoint'
  | 'opsEndpoint'
  | 'message'
  | 'attempt'
  | 'task'
  | 'eventType'
  | 'inbox'
  | 'webhook';

const parameterKinds: Record<string, RefKind> = {
  app_id: 'app',
  endpoint_id: 'endpoint',
  msg_id: 'message',
  attempt_id: 'attempt',
  task_id: 'task',
  event_type_name: 'eventType',
  inbox_id: 'inbox',
  id: 'webhook',
};

function kindOf(route: Route, name: string): RefKind | undefined {
  if (name === 'endpoint_id' && route.path.startsWith('/api/v1/operational-webhook/'))
    return 'opsEndpoint';
  return parameterKinds[name];
}

/**
 * A seeded resource in a request, by id (`id`) or by the name a caller may use instead (`uid`:
 * an application's or endpoint's uid, a message's eventId). The marker is not something
 * percent-encoding can produce, and each store's run replaces it with its own resource.
 */
export const refMarker = (kind: RefKind, form: 'id' | 'uid') => `\ue002${kind}.${form}\ue002`;
export const refPattern = /\ue002(\w+)\.(id|uid)\ue002/g;

// ---- hostile values --------------------------------------------------------------------

export const metacharacters = [
  "' OR '1'='1",
  "'; DROP TABLE applications; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10)--',
  "%' AND 1=1 --",
  '%',
  '_',
  '\\',
  "'",
  '"',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '../',
  '..',
  '.',
  '/',
  '//',
  '%2e%2e%2f',
  '..%2f..%2f',
  '%00',
  '%0d%0aX-Injected:%20yes',
  '$(id)',
  '`id`',
  '; ls -la',
  '| cat /etc/passwd',
  '&& echo owned',
  '\r\nX-Injected: yes',
  '\n',
  '\r',
  '\t',
  '{{id}}',
  '{{#each payload}}{{/each}}',
  '$\u007bprocess.exit()}',
  '<script>alert(1)</script>',
  '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
  '%s%s%s%n',
  '\u0000',
  'a\u0000b',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'NaN',
  '-1',
  '',
  ' ',
  '*',
  '?',
  '#',
  '&',
  '=',
  ';',
  ',',
];

export const badUnicode = [
  '\ud800',
  '\udfff',
  'a\ud800b',
  '\udc00\ud800',
  '\ufffe',
  '\uffff',
  '\u202e',
  '\u200b',
  '\ufeff',
  '\u0085',
  '\u2028',
  '😀',
  'e\u0301',
];

/** Byte sequences that are not UTF-8: overlong forms, encoded surrogates, stray bytes, cut-off sequences. */
export const badUtf8Bytes = [
  'c0af',
  'c080',
  'e080af',
  'f08080af',
  'eda080',
  'edbfbf',
  'ff',
  'fe',
  'c3',
  'e282',
  'f4908080',
  '00',
];

/** Numbers past every integer column and past a double, written as JSON text. */
export const hugeNumbers = [
  '1e400',
  '-1e400',
  '1e308',
  '-1e308',
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  '123456789012345678901234567890',
  '2147483648',
  '-2147483649',
  '4294967296',
  '9007199254740993',
  '-0',
  '1.5',
  '1E2',
  '0.000000000000000000001',
];

// A JSON value built here may hold raw JSON text (a number no JavaScript number can carry) or
// raw bytes (not UTF-8) that only its encoding writes out. The markers are private-use
// characters, which JSON.stringify leaves as they are.
const rawToken = (text: string) => `\ue001raw:${text}\ue001`;
const rawBytes = (hex: string) => `\ue001bytes:${hex}\ue001`;

/** A JSON value as the bytes of a request body, raw tokens and bytes written in place. */
export function encodeJson(value: unknown): Buffer {
  const text = JSON.stringify(value).replace(/"\ue001raw:([^"\\]*)\ue001"/g, '$1');
  const parts = text.split(/\ue001bytes:([0-9a-f]*)\ue001/);
  return Buffer.concat(
    parts.map((part, i) => (i % 2 === 1 ? Buffer.from(part, 'hex') : Buffer.from(part, 'utf8'))),
  );
}

/** Percent-encodes text for a URL, lone surrogates as the bytes they would be (not UTF-8). */
export function encodeText(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    let out = '';
    for (const char of text) {
      const code = char.codePointAt(0) ?? 0;
      if (code >= 0xd800 && code <= 0xdfff) {
        out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      } else out += encodeURIComponent(char);
    }
    return out;
  }
}

const percentBytes = (hex: string) => hex.replace(/(..)/g, '%$1').toUpperCase();

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
};

const manyKeys = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

/** A string that is long in characters, or in bytes, or both. */
const longString = fc
  .tuple(fc.constantFrom(257, 4_097, 65_537, 300_000), fc.constantFrom('x', 'é', '€', '😀'))
  .map(([n, char]) => char.repeat(n));

/** Strings meant to break whatever handles them: SQL, paths, shells, headers, templates, unicode. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...metacharacters) },
  { weight: 2, arbitrary: fc.constantFrom(...badUnicode) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 8 }),
        fc.constantFrom(...metacharacters, ...badUnicode),
        fc.string({ maxLength: 8 }),
      )
      .map((parts) => parts.join('')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: longString },
);

/** A value of any type but the expected one, or out of every range. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, '', 'x', [], {}, [null], {
      a: 'b',
    }),
  },
  { weight: 2, arbitrary: fc.constantFrom(...hugeNumbers).map(rawToken) },
  { weight: 3, arbitrary: hostileString },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 4 }), fc.constantFrom(...badUtf8Bytes))
      .map(([s, hex]) => `${s}${rawBytes(hex)}${s}`),
  },
  { weight: 1, arbitrary: fc.constantFrom(100, 127, 129, 1_000).map(nested) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 20_000).map(manyKeys) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(1_000, 50_000).map((n) => Array.from({ length: n }, () => 'x')),
  },
);

// ---- values from schemas ---------------------------------------------------------------

const knownKeywords = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'anyOf',
  'oneOf',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'uniqueItems',
  'default',
  'description',
  'title',
  'examples',
  '$id',
]);

/**
 * Names that exist, so that requests sometimes point at real things: seeded event types and
 * channels, and applications Herald makes itself (the simple webhooks API's).
 */
export type Names = { eventTypes: string[]; channels: string[]; apps: string[] };

const plausibleUrl = fc.oneof(
  fc.constantFrom(
    'https://hooks.example.com/in',
    'http://127.0.0.1:9/hook',
    'https://user:pass@hooks.example.com/in',
    'https://hooks.example.com:8443/a/b?c=d#e',
    'http://[::1]:9/hook',
    'http://169.254.169.254/latest/meta-data/',
  ),
  fc
    .tuple(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.webPath())
    .map(([host, path]) => `https://${host}.example${path}`),
);

function check(schema: Schema, where: string): void {
  for (const keyword of Object.keys(schema)) {
    if (!knownKeywords.has(keyword))
      throw new Error(`${where}: no generator for the schema keyword "${keyword}"`);
  }
  const format = schema.format;
  if (format !== undefined && format !== 'uri' && format !== 'date-time')
    throw new Error(`${where}: no generator for the string format "${String(format)}"`);
}

const absent = Symbol('absent');

/** Values a schema accepts (mostly: patterns and lengths are kept, cross-field rules are not). */
export function valueFor(schema: Schema, where: string, names: Names): fc.Arbitrary<unknown> {
  check(schema, where);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives)
    return fc.oneof(...alternatives.map((s, i) => valueFor(s, `${where}|${i}`, names)));
  const type = schema.type;
  if (Array.isArray(type))
    return fc.oneof(...type.map((t) => valueFor({ ...schema, type: t }, where, names)));
  switch (type) {
    case undefined:
      if (schema.properties) return valueFor({ ...schema, type: 'object' }, where, names);
      return fc.jsonValue({ maxDepth: 2 });
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min =
        (schema.minimum as number | undefined) ??
        ((schema.exclusiveMinimum as number | undefined) ?? -1_000_001) + 1;
      const max =
        (schema.maximum as number | undefined) ??
        ((schema.exclusiveMaximum as number | undefined) ?? 1_000_001) - 1;
      return type === 'integer'
        ? fc.integer({ min, max: Math.max(min, max) })
        : fc.double({ min, max: Math.max(min, max), noNaN: true, noDefaultInfinity: true });
    }
    case 'string':
      return stringFor(schema, where, names);
    case 'array': {
      const items = valueFor((schema.items as Schema) ?? {}, `${where}[]`, names);
      const constraints = {
        minLength: (schema.minItems as number | undefined) ?? 0,
        maxLength: Math.min((schema.maxItems as number | undefined) ?? 3, 3),
      };
      return schema.uniqueItems
        ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) })
        : fc.array(items, constraints);
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      // Optional fields come one time in four: a body with all of them at once hardly ever
      // passes every cross-field rule, and would never succeed.
      const record = fc
        .record(
          Object.fromEntries(
            Object.entries(properties).map(([key, s]) => {
              const value = valueFor(s, `${where}.${key}`, names);
              return [
                key,
                required.has(key)
                  ? value
                  : fc.oneof(
                      { weight: 3, arbitrary: fc.constant(absent) },
                      { weight: 1, arbitrary: value },
                    ),
              ];
            }),
          ),
        )
        .map((value) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== absent)));
      const extra = schema.additionalProperties;
      if (extra && typeof extra === 'object' && Object.keys(properties).length === 0) {
        return fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }),
          valueFor(extra as Schema, `${where}.*`, names),
          { maxKeys: 3 },
        );
      }
      return record;
    }
    default:
      throw new Error(`${where}: no generator for the type "${String(type)}"`);
  }
}

/** Body fields that name a resource by id, as path parameters do. */
const bodyIdKinds: Record<string, RefKind> = {
  webhook_id: 'webhook',
  app_id: 'app',
  endpoint_id: 'endpoint',
  msg_id: 'message',
};

function stringFor(schema: Schema, where: string, names: Names): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = (schema.maxLength as number | undefined) ?? 64;
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
  let base: fc.Arbitrary<string>;
  if (schema.format === 'date-time') {
    base = fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString());
  } else if (schema.format === 'uri') {
    base = plausibleUrl;
  } else if (typeof schema.pattern === 'string') {
    base = fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  } else {
    base = fc.string({ minLength, maxLength: Math.min(maxLength, Math.max(minLength, 24)) });
  }
  // Names of things that exist, where a field likely names one.
  const lastKey = /(\w+)(\[\])*$/.exec(where)?.[1] ?? '';
  const kind = bodyIdKinds[lastKey];
  if (kind) return fc.oneof(base, fc.constant(refMarker(kind, 'id')));
  const existing = /event|type|filter/i.test(lastKey)
    ? names.eventTypes
    : /channel/i.test(lastKey)
      ? names.channels
      : [];
  return existing.length > 0
    ? fc.oneof(
        { weight: 1, arbitrary: base },
        { weight: 3, arbitrary: fc.constantFrom(...existing) },
      )
    : base;
}

/** The places in a body a schema describes, down a few levels, where damage can go. */
export function fieldsOf(schema: Schema, depth = 3): { path: string[]; schema: Schema }[] {
  const out: { path: string[]; schema: Schema }[] = [];
  const walk = (s: Schema, path: string[], level: number) => {
    if (level > depth) return;
    for (const alternative of (s.anyOf ?? s.oneOf ?? []) as Schema[])
      walk(alternative, path, level);
    for (const [key, child] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
      out.push({ path: [...path, key], schema: child });
      walk(child, [...path, key], level + 1);
    }
    if (s.items && typeof s.items === 'object') {
      out.push({ path: [...path, '0'], schema: s.items as Schema });
      walk(s.items as Schema, [...path, '0'], level + 1);
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      out.push({ path: [...path, 'x-fuzz'], schema: s.additionalProperties as Schema });
    }
  };
  walk(schema, [], 0);
  return out;
}

/** The value with `replacement` at `path`, objects and arrays made on the way as needed. */
export function setAt(value: unknown, path: string[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value) && /^\d+$/.test(head)) {
    const copy = [...value];
    copy[Number(head)] = setAt(copy[Number(head)], rest, replacement);
    return copy;
  }
  const object =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  return { ...object, [head]: setAt(object[head], rest, replacement) };
}

// ---- requests --------------------------------------------------------------------------

export type FuzzRequest = {
  method: Route['method'];
  /** Path and query, with seeded resources as `refMarker`s (the body may hold some too). */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
};

const contentTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'Application/JSON',
  'application/jsonx',
  'application/xml',
];

/** Whole bodies that are not what any route takes. */
const oddBodies = [
  '',
  'null',
  '[]',
  '"x"',
  'true',
  '1e400',
  '{}',
  '{"a":1,"a":2}',
  '\ufeff{}',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{} trailing',
  '{,}',
  "{'a':1}",
  '/* comment */ {}',
  'NaN',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":"\\x41"}',
  `${'['.repeat(129)}${']'.repeat(129)}`,
  `{"a":${'['.repeat(10_000)}`,
];

/** A path parameter naming a seeded resource, by id or by the name a caller may use. */
function pathPlausible(route: Route, name: string): fc.Arbitrary<string> {
  const kind = kindOf(route, name);
  if (!kind) throw new Error(`${route.key}: no generator for the path parameter "${name}"`);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(refMarker(kind, 'id')) },
    { weight: 1, arbitrary: fc.constant(refMarker(kind, 'uid')) },
  );
}

function pathDamaged(route: Route, name: string, schema: Schema, names: Names) {
  const kind = kindOf(route, name) as RefKind;
  const otherKinds = Object.values(parameterKinds).filter((k) => k !== kind);
  return fc.oneof(
    ...(kind === 'app' && names.apps.length > 0
      ? [{ weight: 2, arbitrary: fc.constantFrom(...names.apps) }]
      : []),
    { weight: 2, arbitrary: fc.constantFrom(...otherKinds).map((k) => refMarker(k, 'id')) },
    { weight: 6, arbitrary: hostileString.map(encodeText) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...badUtf8Bytes).map((hex) => `a${percentBytes(hex)}`),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom('%', '%zz', '%2F', '%2e%2e', '..', '.', '%C0%AE%C0%AE', '%u0041'),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeText) },
    { weight: 1, arbitrary: stringFor(schema, name, { ...names, eventTypes: [], channels: [] }) },
  );
}

/** The path with seeded resources; damaged: one parameter (or more) hostile instead. */
function pathFor(
  route: Route,
  names: Names,
  damaged: boolean,
  fixed: Record<string, string> = {},
): fc.Arbitrary<string> {
  const segments = route.path.split('/').map((segment) => {
    const param = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (!param) return fc.constant(segment);
    if (fixed[param] !== undefined) return fc.constant(fixed[param]);
    const declared = route.pathParams.find((p) => p.name === param);
    if (!declared) throw new Error(`${route.key}: the path parameter "${param}" is not declared`);
    const plausible = pathPlausible(route, param);
    return damaged
      ? fc.oneof(plausible, pathDamaged(route, param, declared.schema, names))
      : plausible;
  });
  return fc.tuple(...segments).map((parts) => parts.join('/'));
}

function queryPlausible(
  route: Route,
  param: Parameter,
  names: Names,
): fc.Arbitrary<string | string[]> {
  const kind = kindOf(route, param.name);
  const plausible = valueFor(param.schema, `${route.key}?${param.name}`, names).map((v) =>
    Array.isArray(v) ? v.map(String) : String(v),
  );
  return kind ? fc.oneof(plausible, fc.constant(`\ue003${kind}\ue003`)) : plausible;
}

const queryDamaged: fc.Arbitrary<string | string[]> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...hugeNumbers) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('true', 'false', '', '[]', '{}', 'null', '-1', '0', 'x'),
  },
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(...badUtf8Bytes).map(rawBytes) },
  { weight: 1, arbitrary: fc.array(hostileString, { minLength: 2, maxLength: 3 }) },
);

const encodeQueryValue = (value: string) =>
  // A seeded resource's id, in a query.
  /^\ue003\w+\ue003$/.test(value)
    ? refMarker(value.slice(1, -1) as RefKind, 'id')
    : value.includes('\ue001bytes:')
      ? value.replace(/\ue001bytes:([0-9a-f]*)\ue001/g, (_, hex: string) => percentBytes(hex))
      : encodeText(value);

const strangeQueries = fc.oneof(
  fc.constantFrom(
    '__proto__[polluted]=1',
    'constructor[prototype][polluted]=1',
    'limit=1&limit=2',
    '%zz=1',
    'a=%',
    'a=%00',
    'a=%C0%AF',
    '&&&',
    '=',
    'limit',
  ),
  fc.tuple(hostileString, hostileString).map(([k, v]) => `${encodeText(k)}=${encodeText(v)}`),
);

/** The query: declared parameters, some given; damaged: hostile values or strange pairs. */
function queryFor(
  route: Route,
  names: Names,
  damaged: boolean,
  fixed: Record<string, string> = {},
): fc.Arbitrary<string> {
  const params = route.queryParams.map((param) => {
    const given = fixed[param.name];
    if (given !== undefined) return fc.constant([`${param.name}=${given}`]);
    const plausible = queryPlausible(route, param, names);
    const value = damaged ? fc.oneof(plausible, queryDamaged) : plausible;
    return fc
      .oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value })
      .map((v) =>
        v === undefined
          ? []
          : (Array.isArray(v) ? v : [v]).map((one) => `${param.name}=${encodeQueryValue(one)}`),
      );
  });
  const extra = damaged
    ? fc.oneof(
        { weight: 2, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: strangeQueries },
      )
    : fc.constant(undefined);
  return fc.tuple(fc.tuple(...params), extra).map(([parts, more]) => {
    const all = [...parts.flat(), ...(more === undefined ? [] : [more])];
    return all.length > 0 ? `?${all.join('&')}` : '';
  });
}

type Body = { body?: Buffer; type?: string };
const json = (body: Buffer): Body => ({ body, type: 'application/json' });

/** A body the route's schema accepts (or none, where it takes none). */
function bodyPlausible(route: Route, names: Names): fc.Arbitrary<Body> {
  if (!route.body) return fc.constant({});
  return valueFor(route.body.schema, `${route.key} body`, names).map((v) => json(encodeJson(v)));
}

/** A body with damage: a field of the wrong type or hostile, JSON cut short, odd bodies. */
function bodyDamaged(route: Route, names: Names): fc.Arbitrary<Body> {
  if (!route.body) {
    return fc.oneof(
      fc.constantFrom(...oddBodies).map((b) => json(Buffer.from(b))),
      hostileValue.map((v) => json(encodeJson(v))),
    );
  }
  const schema = route.body.schema;
  const plausible = valueFor(schema, `${route.key} body`, names);
  const fields = fieldsOf(schema);
  const damaged =
    fields.length > 0
      ? fc
          .tuple(plausible, fc.constantFrom(...fields), hostileValue)
          .map(([value, field, bad]) => setAt(value, field.path, bad))
      : fc.tuple(plausible, hostileValue).map(([value, bad]) => setAt(value, ['x-fuzz'], bad));
  // Every string the body carries, one at a time, made hostile.
  const stringFields = fields.filter((f) => JSON.stringify(f.schema).includes('"string"'));
  const metacharacter =
    stringFields.length > 0
      ? fc
          .tuple(plausible, fc.constantFrom(...stringFields), hostileString)
          .map(([value, field, bad]) => setAt(value, field.path, bad))
      : damaged;
  const cut = fc
    .tuple(plausible, fc.nat(), fc.constantFrom('', '}', ']', '"', ',', ':', '\\', '\u0000'))
    .map(([value, at, tail]) => {
      const text = JSON.stringify(value) ?? '';
      return json(Buffer.from(text.slice(0, at % Math.max(text.length, 1)) + tail));
    });
  return fc.oneof(
    { weight: 4, arbitrary: damaged.map((v) => json(encodeJson(v))) },
    { weight: 4, arbitrary: metacharacter.map((v) => json(encodeJson(v))) },
    { weight: 2, arbitrary: cut },
    { weight: 1, arbitrary: fc.constantFrom(...oddBodies).map((b) => json(Buffer.from(b))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(plausible, fc.constantFrom(...contentTypes, undefined))
        .map(([v, type]) => ({ body: Buffer.from(JSON.stringify(v)), type })),
    },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

// The SDKs send an Idempotency-Key with every call; sometimes a hostile one (what an HTTP
// header can carry: printable text).
const idempotencyKey = fc.oneof(
  { weight: 5, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom(...metacharacters.filter((m) => /^[\x20-\x7e]+$/.test(m))),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
      fc.constantFrom(300, 10_000).map((n) => 'k'.repeat(n)),
    ),
  },
);

const assemble = (
  route: Route,
  path: string,
  query: string,
  { body, type }: Body,
  key: string | undefined,
): FuzzRequest => ({
  method: route.method,
  url: `${path}${query}`,
  headers: {
    ...(type ? { 'content-type': type } : {}),
    ...(key === undefined ? {} : { 'idempotency-key': key }),
  },
  ...(body ? { body } : {}),
});

/**
 * Requests for one route. Most carry damage in one place (path, query or body) with the
 * rest plausible, so that each kind of damage reaches the code behind the others; some are
 * plausible throughout, and may succeed.
 */
export function requestsFor(route: Route, names: Names): fc.Arbitrary<FuzzRequest> {
  const part = (damaged: 'none' | 'path' | 'query' | 'body') =>
    fc.tuple(
      pathFor(route, names, damaged === 'path'),
      queryFor(route, names, damaged === 'query'),
      damaged === 'body' ? bodyDamaged(route, names) : bodyPlausible(route, names),
    );
  const hasPath = route.pathParams.length > 0;
  return fc
    .tuple(
      fc.oneof(
        { weight: 2, arbitrary: part('none') },
        ...(hasPath ? [{ weight: 2, arbitrary: part('path') }] : []),
        { weight: 2, arbitrary: part('query') },
        { weight: route.body ? 5 : 1, arbitrary: part('body') },
      ),
      idempotencyKey,
    )
    .map(([[path, query, body], key]) => assemble(route, path, query, body, key));
}

const acceptsString = (schema: Schema): boolean =>
  schema.type === 'string' ||
  (Array.isArray(schema.type) && schema.type.includes('string')) ||
  ((schema.anyOf ?? schema.oneOf ?? []) as Schema[]).some(acceptsString);

/**
 * One request per place the route takes a string (each path parameter, query parameter and
 * body field), with `hostile(n)` there, n counting the places, and the rest plausible.
 */
export function stringSweep(
  route: Route,
  names: Names,
  hostile: (n: number) => string,
): { where: string; request: fc.Arbitrary<FuzzRequest> }[] {
  const out: { where: string; request: fc.Arbitrary<FuzzRequest> }[] = [];
  const add = (
    where: string,
    path: fc.Arbitrary<string>,
    query: fc.Arbitrary<string>,
    body: fc.Arbitrary<Body>,
  ) =>
    out.push({
      where,
      request: fc.tuple(path, query, body).map(([p, q, b]) => assemble(route, p, q, b, undefined)),
    });
  for (const param of route.pathParams) {
    const value = encodeText(hostile(out.length));
    add(
      `path.${param.name}`,
      pathFor(route, names, false, { [param.name]: value }),
      queryFor(route, names, false),
      bodyPlausible(route, names),
    );
  }
  for (const param of route.queryParams) {
    const value = encodeText(hostile(out.length));
    add(
      `query.${param.name}`,
      pathFor(route, names, false),
      queryFor(route, names, false, { [param.name]: value }),
      bodyPlausible(route, names),
    );
  }
  if (route.body) {
    const plausible = valueFor(route.body.schema, `${route.key} body`, names);
    for (const field of fieldsOf(route.body.schema).filter((f) => acceptsString(f.schema))) {
      const value = hostile(out.length);
      add(
        `body.${field.path.join('.')}`,
        pathFor(route, names, false),
        queryFor(route, names, false),
        plausible.map((v) => json(encodeJson(setAt(v, field.path, value)))),
      );
    }
  }
  return out;
}
