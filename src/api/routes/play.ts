// Play: `/api/v1/play/...` creates inboxes (any valid token) and reads what they recorded.
// The reads are public: the inbox id, 128 random bits, is the capability, so the live page
// can be opened from its link alone, like a secret URL. `/play/in/{id}` (see play-inbox.ts)
// is the address that records requests.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { PlayInbox, PlayRequest } from '../../domain/play.ts';
import type { Play } from '../../services/play.ts';
import { DateTime, errorResponses, iso, Nullable } from '../schemas/common.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const tags = ['Play'];
const errorRef = errorResponses[404];

const InboxId = Type.String({
  pattern: '^[0-9a-f]{32}$',
  description: 'The inbox id: 32 hex digits (128 random bits). Whoever has it can read the inbox.',
});

const PlayInboxOut = Type.Object(
  {
    id: InboxId,
    url: Type.String({ description: 'The address that records requests: put it in an endpoint.' }),
    viewUrl: Type.String({ description: 'The page that shows the requests live.' }),
    createdAt: DateTime,
    expiresAt: DateTime,
    maxRequests: Type.Integer({ description: 'Requests the inbox keeps (the oldest go first).' }),
    maxBodyBytes: Type.Integer({ description: 'Body bytes kept per request.' }),
  },
  { title: 'PlayInboxOut' },
);

const SignatureOut = Type.Object(
  {
    status: Type.Union(
      ['valid', 'invalid', 'unsigned', 'no-endpoint'].map((s) => Type.Literal(s)),
      {
        description:
          "valid: verifies with a secret (current or rotated, still valid) of an endpoint whose URL is this inbox; invalid: signature headers present, none verifies; unsigned: the request carries no signature the endpoint's scheme expects; no-endpoint: no endpoint points here.",
      },
    ),
    endpointId: Nullable(Type.String()),
    scheme: Nullable(Type.String()),
    detail: Type.String(),
  },
  { title: 'PlaySignatureOut' },
);

const PlayRequestOut = Type.Object(
  {
    id: Type.String(),
    method: Type.String(),
    path: Type.String({ description: 'The path and query the request was sent to.' }),
    headers: Type.Array(Type.Object({ name: Type.String(), value: Type.String() }), {
      description: 'In the order received, names lower-case.',
    }),
    body: Type.String({ description: 'The body kept, as UTF-8 text or base64 (`bodyEncoding`).' }),
    bodyEncoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
    bodySize: Type.Integer({ description: "The whole body's size in bytes." }),
    bodyTruncated: Type.Boolean({ description: 'True when only the first bytes were kept.' }),
    signature: SignatureOut,
    receivedAt: DateTime,
  },
  { title: 'PlayRequestOut' },
);

const utf8 = new TextDecoder('utf-8', { fatal: true });

function requestOut(r: PlayRequest) {
  let body: string;
  let bodyEncoding: 'utf8' | 'base64' = 'utf8';
  try {
    body = utf8.decode(r.body);
  } catch {
    body = Buffer.from(r.body).toString('base64');
    bodyEncoding = 'base64';
  }
  return {
    id: r.id,
    method: r.method,
    path: r.path,
    headers: r.headers.map(([name, value]) => ({ name, value })),
    body,
    bodyEncoding,
    bodySize: r.bodySize,
    bodyTruncated: r.body.length < r.bodySize,
    signature: r.signature,
    receivedAt: iso(r.receivedAt),
  };
}

export function inboxOut(play: Play, inbox: PlayInbox) {
  return {
    id: inbox.id,
    url: inbox.url,
    viewUrl: inbox.url.replace(/\/play\/in\/([0-9a-f]{32})$/, '/play/$1'),
    createdAt: iso(inbox.createdAt),
    expiresAt: iso(inbox.expiresAt),
    maxRequests: play.limits.maxRequests,
    maxBodyBytes: play.limits.maxBodyBytes,
  };
}

/** Herald's base URL as this caller reaches it: HERALD_PUBLIC_URL, else the request's origin. */
function baseUrl(publicUrl: string | undefined, request: FastifyRequest): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

export function playRoutes(api: HeraldFastify, deps: AppDeps): void {
  const { play, config } = deps;

  api.post(
    '/play/inbox',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        operationId: 'v1.play.inbox.create',
        summary: 'Get a Play URL: a temporary inbox that records every request sent to it',
        description:
          "Any valid token may create one (operator or application-scoped). An inbox made with an application-scoped token checks signatures against that application's endpoints only. The inbox lives `HERALD_PLAY_INBOX_TTL_SECONDS` seconds.",
        body: Type.Optional(Type.Object({}, { description: 'Nothing: send no body, or `{}`.' })),
        response: { 201: PlayInboxOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      const appId = principal?.kind === 'app' ? principal.appId : null;
      const inbox = await play.createInbox(appId, baseUrl(config.publicUrl, request));
      return reply.code(201).send(inboxOut(play, inbox));
    },
  );

  api.get(
    '/play/inbox/:inbox_id',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        operationId: 'v1.play.inbox.get',
        summary: 'Get a Play inbox (public: the inbox id is the capability)',
        security: [],
        params: Type.Object({ inbox_id: Type.String({ maxLength: 64 }) }),
        response: { 200: PlayInboxOut, 404: errorRef, 410: errorRef },
      },
    },
    async (request) => inboxOut(play, await play.openInbox(request.params.inbox_id)),
  );

  api.get(
    '/play/inbox/:inbox_id/request',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        operationId: 'v1.play.request.list',
        summary: 'List the requests a Play inbox recorded, oldest first',
        description:
          'Public: the inbox id is the capability. Poll with `after` set to the last id seen to get only the requests that arrived since.',
        security: [],
        params: Type.Object({ inbox_id: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({
          after: Type.Optional(Type.String({ maxLength: 64, pattern: '^preq_[0-9A-Z]{26}$' })),
          limit: Type.Integer({ minimum: 1, maximum: 250, default: 100 }),
        }),
        response: {
          200: Type.Object(
            { data: Type.Array(PlayRequestOut), done: Type.Boolean() },
            { title: 'ListResponsePlayRequestOut' },
          ),
          404: errorRef,
          410: errorRef,
          422: errorResponses[422],
        },
      },
    },
    async (request) => {
      const { after, limit } = request.query;
      const rows = await play.listRequests(request.params.inbox_id, after ?? null, limit + 1);
      return { data: rows.slice(0, limit).map(requestOut), done: rows.length <= limit };
    },
  );
}
