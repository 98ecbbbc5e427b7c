// The delivery policy as the API takes and returns it (an extension of Svix's endpoint and
// application objects; Svix clients ignore it). See docs/delivery-policies.md.
import { Type } from '@sinclair/typebox';
import { presets } from '../../domain/delivery-policy.ts';
import { HeaderValue, Nullable } from './common.ts';

const HeaderName = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
});

export const DeliveryPolicySchema = Type.Object(
  {
    preset: Type.Optional(Type.Union(Object.keys(presets).map((name) => Type.Literal(name)))),
    signature: Type.Optional(
      Type.Union([
        Type.Object({ scheme: Type.Literal('standard') }),
        Type.Object({ scheme: Type.Literal('svix') }),
        Type.Object({
          scheme: Type.Literal('hmac-sha256'),
          header: HeaderName,
          encoding: Type.Union([Type.Literal('hex'), Type.Literal('base64')]),
          prefix: Type.Optional(HeaderValue(64)),
        }),
        Type.Object({ scheme: Type.Literal('none') }),
      ]),
    ),
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('xml'), Type.Literal('form')]),
    ),
    envelope: Type.Optional(
      Type.Unknown({ description: 'A JSON template of the body, with {{placeholders}}.' }),
    ),
    headers: Type.Optional(Type.Record(HeaderName, HeaderValue(4096))),
    userAgent: Type.Optional(HeaderValue(256, 1)),
    source: Type.Optional(Type.String({ maxLength: 2048 })),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })),
    retry: Type.Optional(
      Type.Union([
        Type.Object({
          schedule: Type.Array(Type.Integer({ minimum: 0, maximum: 604_800 }), { maxItems: 100 }),
        }),
        Type.Object({
          retries: Type.Integer({ minimum: 0, maximum: 100 }),
          initialSeconds: Type.Integer({ minimum: 0 }),
          factor: Type.Number({ minimum: 1, maximum: 10 }),
          maxSeconds: Type.Integer({ minimum: 0, maximum: 604_800 }),
        }),
      ]),
    ),
    disableAfterExhausted: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
        description: 'null: never disable after exhausted retries (over a weaker policy)',
      }),
    ),
    failureWindowHours: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], {
        description: 'null: no failure window (the endpoint is not disabled for failing long)',
      }),
    ),
    httpsOnly: Type.Optional(Type.Boolean()),
    disableOnGone: Type.Optional(
      Type.Boolean({
        description: 'false: a 410 Gone fails that message only, not the endpoint',
      }),
    ),
    testBody: Type.Optional(
      Type.Union([Type.Literal('sample'), Type.Literal('empty')], {
        description:
          'The test request: a sample event in the endpoint format (default), or an empty body',
      }),
    ),
  },
  { title: 'DeliveryPolicy', additionalProperties: false },
);

export const PolicyField = Type.Optional(Nullable(DeliveryPolicySchema));
