// Every request, policy and response example in the docs is checked against the schemas of the
// routes it names (the OpenAPI document built from the live routes), and each sender example's
// setup runs against the API. A doc example that does not validate fails here.
//
// What counts as an example, in README.md, docs/*.md and examples/*.md:
// - a code block whose lines start with an HTTP method: `POST /api/v1/app  {body}  → {answer}`
//   (a body may continue on the following lines; `→` starts the documented answer);
// - a `curl` command in a shell block: its `-X` method, `$HERALD/...` path and `-d '{body}'`;
// - a JSON block preceded by `<!-- doc-example: config -->` is a configuration file;
//   `<!-- doc-example: skip <reason> -->` skips the next block for the stated reason.
// Any other JSON block fails the test until it is given one of these. Bodies and answers with
// `...` in them are abbreviations and are skipped (reported in the test's diagnostics).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { setup as checkfront } from '../../examples/checkfront/setup.ts';
import { setup as fastEvents } from '../../examples/fast-events/setup.ts';
import { setup as fourvenues } from '../../examples/fourvenues/setup.ts';
import { setup as genericRest } from '../../examples/generic-rest/setup.ts';
import { setup as travtus } from '../../examples/travtus/setup.ts';
import { DeliveryPolicySchema } from '../../src/api/schemas/delivery-policy.ts';
import { openApiDocument } from '../../src/cli/main.ts';
import { ConfigSchema } from '../../src/config/config.ts';
import { client } from '../helpers/client.ts';
import { createTestApp } from '../helpers/test-app.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const root = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

const docFiles = [
  'README.md',
  'examples/README.md',
  ...readdirSync(new URL('docs/', root))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

type Block = { where: string; lang: string; text: string; marker: string | null };

function codeBlocks(file: string): Block[] {
  const text = read(file);
  const blocks: Block[] = [];
  for (const m of text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)) {
    const before = text.slice(0, m.index).trimEnd().split('\n').at(-1) ?? '';
    const marker = /^<!-- doc-example: (.+?) -->$/.exec(before)?.[1] ?? null;
    const line = text.slice(0, m.index).split('\n').length;
    blocks.push({ where: `${file}:${line}`, lang: m[1] ?? '', text: m[2] ?? '', marker });
  }
  return blocks;
}

type Example = { where: string; method: string; path: string; body?: string; answer?: string };

const methodLine = /^(GET|POST|PUT|PATCH|DELETE)\s+(\S+)\s*(.*)$/;

function requestsOf(block: Block): Example[] {
  const examples: Example[] = [];
  if (block.lang === 'json') {
    let current: { method: string; path: string; rest: string } | null = null;
    const flush = () => {
      if (!current) return;
      const [body, answer] = current.rest.split('→').map((s) => s.trim());
      examples.push({
        where: block.where,
        method: current.method,
        path: current.path,
        ...(body ? { body } : {}),
        ...(answer ? { answer } : {}),
      });
    };
    for (const line of block.text.split('\n')) {
      const m = methodLine.exec(line);
      if (m) {
        flush();
        current = { method: m[1] ?? '', path: m[2] ?? '', rest: m[3] ?? '' };
      } else if (current) {
        current.rest += `\n${line}`;
      }
    }
    flush();
  } else if (block.lang === 'sh') {
    for (const command of block.text.replace(/\\\n/g, ' ').split('\n')) {
      if (!command.trim().startsWith('curl ')) continue;
      const path = /\$HERALD(\S+)/.exec(command)?.[1];
      assert.ok(path, `${block.where}: a curl command without a $HERALD URL`);
      const body = /-d '([^']*)'/.exec(command)?.[1];
      const method = /-X (\w+)/.exec(command)?.[1] ?? (body ? 'POST' : 'GET');
      examples.push({ where: block.where, method, path, ...(body ? { body } : {}) });
    }
  }
  return examples;
}

type Operation = {
  requestBody?: { content: { 'application/json': unknown } };
  responses: Record<string, { content?: { 'application/json'?: unknown } }>;
};

async function schemas() {
  const document = JSON.parse(await openApiDocument()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  ajv.addSchema(document, 'openapi');
  const pointer = (...parts: string[]) =>
    `openapi#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  const routes = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    literals: template.split('/').filter((s) => !s.startsWith('{')).length,
  }));
  const compile = (ref: string): ValidateFunction => ajv.compile({ $ref: ref });
  return {
    /** The operation a documented request names, most specific path first. */
    find(method: string, path: string) {
      const bare = path.split('?')[0] ?? '';
      const route = routes
        .filter((r) => r.pattern.test(bare) && document.paths[r.template]?.[method.toLowerCase()])
        .sort((a, b) => b.literals - a.literals)[0];
      if (!route) return null;
      const m = method.toLowerCase();
      const operation = document.paths[route.template]?.[m] as Operation;
      const okStatus = Object.keys(operation.responses).find((s) => s.startsWith('2'));
      return {
        route: `${method} ${route.template}`,
        body: operation.requestBody
          ? compile(
              pointer(
                'paths',
                route.template,
                m,
                'requestBody',
                'content',
                'application/json',
                'schema',
              ),
            )
          : null,
        answer:
          okStatus && operation.responses[okStatus]?.content?.['application/json']
            ? compile(
                pointer(
                  'paths',
                  route.template,
                  m,
                  'responses',
                  okStatus,
                  'content',
                  'application/json',
                  'schema',
                ),
              )
            : null,
      };
    },
    // A file gives some settings; the schema's defaults fill in the rest.
    config: addFormats(new Ajv({ strict: false, allErrors: true, useDefaults: true })).compile(
      ConfigSchema,
    ),
  };
}

function parse(text: string): unknown | 'abbreviated' {
  if (/\.\.\.|…/.test(text)) return 'abbreviated';
  return JSON.parse(text);
}

test('every request, policy and answer example in the docs validates against its route', async (t) => {
  const check = await schemas();
  let checked = 0;
  const skipped: string[] = [];
  const problems: string[] = [];
  for (const file of docFiles) {
    for (const block of codeBlocks(file)) {
      if (block.marker?.startsWith('skip')) {
        assert.match(block.marker, /^skip \S/, `${block.where}: a skip marker states its reason`);
        skipped.push(`${block.where}: ${block.marker}`);
        continue;
      }
      if (block.marker === 'config') {
        if (!check.config(JSON.parse(block.text))) {
          problems.push(`${block.where}: config: ${JSON.stringify(check.config.errors)}`);
        }
        checked++;
        continue;
      }
      assert.equal(block.marker, null, `${block.where}: unknown marker "${block.marker}"`);
      const requests = requestsOf(block);
      if (block.lang === 'json' && requests.length === 0) {
        problems.push(`${block.where}: a JSON block that is no request; mark it (doc-example)`);
      }
      for (const request of requests) {
        const at = `${request.where}: ${request.method} ${request.path}`;
        const operation = check.find(request.method, request.path);
        if (!operation) {
          problems.push(`${at}: no such route`);
          continue;
        }
        for (const [part, text, validate] of [
          ['body', request.body, operation.body],
          ['answer', request.answer, operation.answer],
        ] as const) {
          if (text === undefined) continue;
          const value = parse(text);
          if (value === 'abbreviated') {
            skipped.push(`${at}: ${part} abbreviated`);
            continue;
          }
          if (!validate) problems.push(`${at}: ${operation.route} takes no JSON ${part}`);
          else if (!validate(value)) {
            problems.push(`${at}: ${part}: ${JSON.stringify(validate.errors)}`);
          }
          checked++;
        }
      }
    }
  }
  for (const s of skipped) t.diagnostic(`skipped ${s}`);
  assert.deepEqual(problems, []);
  assert.ok(checked >= 15, `only ${checked} examples found: is the parser still finding them?`);
});

test('the check refuses a policy field the schema does not know', async () => {
  const check = await schemas();
  const operation = check.find('POST', '/api/v1/app');
  assert.ok(operation?.body);
  assert.equal(operation.body({ name: 'a', policy: { preset: 'svix' } }), true);
  assert.equal(operation.body({ name: 'a', policy: { signatureHeaders: 'svix' } }), false);
  assert.equal(operation.body({ name: 'a', policy: { retrySchedule: [5] } }), false);
});

test('every sender example sets itself up through the API', async () => {
  const t = await createTestApp();
  const api = client(t).apiCall;
  try {
    await fourvenues(api, { customer: 'club-rojo', url: 'https://club.example/webhooks' });
    await travtus(api, {
      customer: 'acme-living',
      url: 'https://acme.example/webhooks',
      operationsUrl: 'https://ops.example/herald',
    });
    await genericRest(api, {
      url: 'https://your-app.com/webhooks',
      secret: 'your_webhook_secret',
      events: ['resource.created'],
    });
    for (const format of ['json', 'xml', 'form'] as const) {
      await checkfront(api, { account: `tours-${format}`, url: 'https://tours.example', format });
    }
    await fastEvents(api, {
      site: 'https://vinyl-openair.com/',
      url: 'https://consumer.example/hook',
      secret: 'yoursharedsecret',
    });
  } finally {
    await t.close();
  }
});

const policyFields = Object.keys(DeliveryPolicySchema.properties);

function namedPolicyFields(text: string): string[] {
  // "the endpoint policy's `retrySchedule`", "a delivery policy `"signature": {...}`"
  return [...text.matchAll(/polic(?:y|ies)(?:'s)?\s+`\{?"?([A-Za-z]+)"?\s*[:`]/g)].map(
    (m) => m[1] ?? '',
  );
}

test('policy fields named in the prose of the docs are fields the schema takes', () => {
  assert.deepEqual(namedPolicyFields('an endpoint policy\n  `signatureHeaders: "svix"`'), [
    'signatureHeaders',
  ]);
  for (const file of docFiles) {
    for (const field of namedPolicyFields(read(file))) {
      assert.ok(policyFields.includes(field), `${file} names a policy field "${field}"`);
    }
  }
});

test('docs/api.md names every route', async () => {
  // Parameter names may differ (`{name}` for `{event_type_name}`).
  const doc = read('docs/api.md').replace(/\{\w+\}/g, '{}');
  const document = JSON.parse(await openApiDocument()) as { paths: Record<string, unknown> };
  const missing = Object.keys(document.paths).filter((path) => {
    const short = path.replace(/^\/api\/v1/, '').replace(/\{\w+\}/g, '{}');
    const tail = short.slice(short.lastIndexOf('}') + 1);
    if (!short.includes('}')) return !new RegExp(`[ \`]${short}[\`?]`).test(doc);
    if (tail === '') return !doc.includes(short);
    return !doc.includes(`...${tail}`) && !doc.includes(`}${tail}`);
  });
  assert.deepEqual(missing, []);
});
