// Schemas shared by every resource: ids, list queries and responses, error bodies.
import { type Static, type TSchema, Type } from '@sinclair/typebox';

export const uidPattern = '^[a-zA-Z0-9\\-_.]+$';

export const Uid = Type.String({ minLength: 1, maxLength: 256, pattern: uidPattern });

/** A path parameter naming a resource by id or by the producer's uid. */
export const IdOrUid = Type.String({ minLength: 1, maxLength: 256, pattern: uidPattern });

export const Metadata = Type.Record(Type.String(), Type.String());

/**
 * A value Herald sends in an HTTP header: tabs, visible ASCII and Latin-1 (RFC 9110). Any
 * other character cannot go on the wire, so it is refused here rather than at every attempt.
 */
export const HeaderValue = (maxLength: number, minLength = 0) =>
  Type.String({ minLength, maxLength, pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' });

export const DateTime = Type.String({ format: 'date-time' });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An iterator from a list answer: an id or a name, `-` in front to walk backwards. */
export const Iterator = Type.String({ maxLength: 300, pattern: '^-?[a-zA-Z0-9\\-_.]*$' });

export const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 250, default: 50 }),
  iterator: Type.Optional(Iterator),
  order: Type.Optional(Type.Union([Type.Literal('ascending'), Type.Literal('descending')])),
});

export const ListResponse = <T extends TSchema>(item: T, name: string) =>
  Type.Object(
    {
      data: Type.Array(item),
      iterator: Nullable(Type.String()),
      prevIterator: Nullable(Type.String()),
      done: Type.Boolean(),
    },
    { title: `ListResponse${name}` },
  );

export const HttpErrorOut = Type.Object(
  { code: Type.String(), detail: Type.String() },
  { $id: 'HttpErrorOut', description: 'An error: a stable code and a human-readable detail.' },
);

export const ValidationErrorOut = Type.Object(
  {
    detail: Type.Array(
      Type.Object({
        loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
        msg: Type.String(),
        type: Type.String(),
      }),
    ),
  },
  { $id: 'HTTPValidationError' },
);

/** The error responses every authenticated route may give. */
const errorRef = Type.Unsafe<Static<typeof HttpErrorOut>>({ $ref: 'HttpErrorOut#' });
const validationRef = Type.Unsafe<Static<typeof ValidationErrorOut>>({
  $ref: 'HTTPValidationError#',
});

export const errorResponses = {
  400: errorRef,
  401: errorRef,
  403: errorRef,
  404: errorRef,
  409: errorRef,
  413: errorRef,
  422: validationRef,
  429: errorRef,
};

export const Empty = Type.Object({}, { description: 'An empty JSON object.' });

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
