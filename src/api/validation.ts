// Request validation: query strings and paths are coerced from text (`?limit=10`), bodies are
// not (`{"name": 5}` is a 422, as in Svix).
//
// Validators and response serializers are compiled on a route's first use, not at start: a
// node compiles only the routes it serves (a delivering node hardly any), which takes about
// a second off every start and keeps unused compiled code out of memory.
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
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

type LazyValidator = ((data: unknown, context?: object) => boolean) & {
  errors?: ValidateFunction['errors'];
  /** Set so that Fastify passes the parent data, which Ajv needs to fill in root defaults. */
  schemaEnv: true;
};

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strictAjv = makeAjv({ coerceTypes: false });
  const coercingAjv = makeAjv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => {
    let validate: ValidateFunction | undefined;
    const lazy: LazyValidator = Object.assign(
      (data: unknown, context?: object) => {
        validate ??= (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema as object);
        const valid = (validate as (d: unknown, c?: object) => boolean)(data, context);
        lazy.errors = validate.errors;
        return valid;
      },
      { schemaEnv: true as const },
    );
    return lazy;
  };
}

/** Fastify's own response serializers (fast-json-stringify), each compiled on first use. */
export const lazySerializers: SerializerSelector.SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data) => {
      serialize ??= compile(route);
      return serialize(data);
    };
  };
};
