// /api/v1/attempt: every attempt across applications as it is made, oldest first (a Herald
// extension for the operator, which `herald tail` follows).
import { Type } from '@sinclair/typebox';
import type { MessageStatus } from '../../domain/message.ts';
import type { AttemptFeedFilter } from '../../store/deliveries.ts';
import { loadListingScope } from '../load.ts';
import { errorResponses, Nullable } from '../schemas/common.ts';
import { MessageAttemptOut, messageAttemptOut } from '../schemas/message.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const AttemptFeedOut = Type.Composite([MessageAttemptOut, Type.Object({ appId: Type.String() })], {
  title: 'AttemptFeedOut',
});

export function attemptFeedRoutes(api: HeraldFastify, deps: AppDeps): void {
  api.get(
    '/attempt',
    {
      schema: {
        tags: ['Message Attempt'],
        operationId: 'v1.message-attempt.feed',
        summary: 'Follow the attempts of every application, oldest first',
        description:
          "Operator only. Start with `since` (a date) and pass the answer's `iterator` as `after` to get the attempts made since. Filter by `app_id`, `endpoint_id` (with `app_id`; ids or uids) and `status` (0 success, 1 pending, 2 fail, 3 sending).",
        querystring: Type.Object({
          after: Type.Optional(Type.String({ pattern: '^atmpt_[A-Za-z0-9]+$', maxLength: 64 })),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          app_id: Type.Optional(Type.String({ maxLength: 256 })),
          endpoint_id: Type.Optional(Type.String({ maxLength: 256 })),
          status: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
          limit: Type.Integer({ minimum: 1, maximum: 250, default: 50 }),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(AttemptFeedOut),
            iterator: Nullable(Type.String()),
            done: Type.Boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { after, since, app_id, endpoint_id, status, limit } = request.query;
      const filter: AttemptFeedFilter = {
        ...(await loadListingScope(deps.store, app_id, endpoint_id)),
      };
      if (after !== undefined) filter.after = after;
      if (since !== undefined) filter.since = Date.parse(since);
      if (status !== undefined) filter.status = status as MessageStatus;
      const rows = await deps.store.deliveries.listAttemptFeed(filter, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        // Operator only: nothing is hidden.
        data: page.map((a) => ({ ...messageAttemptOut(a, false), appId: a.appId })),
        // Where to continue from: the last attempt seen, or the caller's own position.
        iterator: last?.id ?? after ?? null,
        done: rows.length <= limit,
      };
    },
  );
}
