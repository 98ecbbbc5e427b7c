// Validators compiled on first use behave as Ajv's own: errors for Fastify's 422 details,
// coercion of query strings only, defaults filled in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lazySerializers, validatorCompiler } from './validation.ts';

const schema = {
  type: 'object',
  properties: { limit: { type: 'integer', default: 50 }, name: { type: 'string' } },
  additionalProperties: false,
};

test('a body validator reports errors, then passes valid data, filling defaults', () => {
  const validate = validatorCompiler()({ schema, httpPart: 'body', method: 'POST', url: '/x' });
  assert.equal(validate({ name: 5 }), false);
  const errors = (validate as unknown as { errors: { instancePath: string }[] }).errors;
  assert.equal(errors[0]?.instancePath, '/name');
  const body: Record<string, unknown> = { name: 'a' };
  assert.equal(validate(body), true);
  assert.equal((validate as unknown as { errors: unknown }).errors, null);
  assert.deepEqual(body, { name: 'a', limit: 50 });
  // Bodies are not coerced: "10" is not an integer.
  assert.equal(validate({ limit: '10' }), false);
});

test('a query validator coerces text', () => {
  const validate = validatorCompiler()({
    schema,
    httpPart: 'querystring',
    method: 'GET',
    url: '/x',
  });
  const query: Record<string, unknown> = { limit: '10' };
  assert.equal(validate(query), true);
  assert.deepEqual(query, { limit: 10 });
});

test('a response serializer keeps only the schema’s fields', () => {
  const serialize = lazySerializers(
    {},
    {},
  )({
    schema: { type: 'object', properties: { id: { type: 'string' } } },
    method: 'GET',
    url: '/x',
    httpStatus: '200',
  });
  assert.equal(serialize({ id: 'a', secret: 'b' }), '{"id":"a"}');
});
