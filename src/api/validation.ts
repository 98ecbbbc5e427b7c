// Request validation: query strings and paths are coerced from text (`?limit=10`), bodies are
// not (`{"name": 5}` is a 422, as in Svix).
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
    ...options,
  });
  addFormats(ajv);
  return ajv;
}

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strictAjv = makeAjv({ coerceTypes: false });
  const coercingAjv = makeAjv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema as object);
}
