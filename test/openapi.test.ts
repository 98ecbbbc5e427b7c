import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { openApiDocument } from '../src/cli/main.ts';
import { errorCatalog } from '../src/domain/errors.ts';

const committedPath = new URL('../docs/openapi.json', import.meta.url);

test('the committed OpenAPI document matches the routes (run `npm run openapi` after changing them)', async () => {
  const generated = await openApiDocument();
  assert.equal(readFileSync(committedPath, 'utf8').trim(), generated.trim());
});

test('every operation has an id, a summary and a tag', async () => {
  const document = JSON.parse(await openApiDocument()) as {
    paths: Record<
      string,
      Record<string, { operationId?: string; summary?: string; tags?: string[] }>
    >;
  };
  const ids = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      assert.ok(operation.operationId, `${method} ${path} has no operationId`);
      assert.ok(operation.summary, `${method} ${path} has no summary`);
      assert.ok(operation.tags?.length, `${method} ${path} has no tag`);
      assert.ok(!ids.has(operation.operationId), `duplicate operationId ${operation.operationId}`);
      ids.add(operation.operationId);
    }
  }
});

test('every error code is documented in docs/api.md', () => {
  const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
  for (const [code, { status }] of Object.entries(errorCatalog)) {
    assert.match(
      doc,
      new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`),
      `docs/api.md does not document ${code}`,
    );
  }
});
