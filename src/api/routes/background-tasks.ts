// /api/v1/background-task: progress of long operations such as recover.
import { Type } from '@sinclair/typebox';
import type { BackgroundTask } from '../../domain/background-task.ts';
import { notFound } from '../../domain/errors.ts';
import { DateTime, errorResponses, iso, ListQuery, ListResponse } from '../schemas/common.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const tags = ['Background Task'];
const Status = Type.Union([
  Type.Literal('running'),
  Type.Literal('finished'),
  Type.Literal('failed'),
]);
const BackgroundTaskOut = Type.Object(
  {
    id: Type.String(),
    status: Status,
    task: Type.String(),
    data: Type.Object({}, { additionalProperties: true }),
    updatedAt: DateTime,
  },
  { title: 'BackgroundTaskOut' },
);

const taskOut = (t: BackgroundTask) => ({
  id: t.id,
  status: t.status,
  task: t.task,
  data: t.data,
  updatedAt: iso(t.updatedAt),
});

export function backgroundTaskRoutes(api: HeraldFastify, deps: AppDeps): void {
  api.get(
    '/background-task',
    {
      schema: {
        tags,
        operationId: 'v1.background-task.list',
        summary: 'List background tasks, newest first',
        querystring: Type.Composite([
          ListQuery,
          Type.Object({
            status: Type.Optional(Status),
            task: Type.Optional(Type.String({ maxLength: 64 })),
          }),
        ]),
        response: { 200: ListResponse(BackgroundTaskOut, 'BackgroundTaskOut'), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, iterator, order, status, task } = request.query;
      const page = await deps.store.backgroundTasks.list(
        { ...(status ? { status } : {}), ...(task ? { task } : {}) },
        { limit, iterator: iterator ?? null, order: order ?? 'descending' },
      );
      return { ...page, data: page.data.map(taskOut) };
    },
  );

  api.get(
    '/background-task/:task_id',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        operationId: 'v1.background-task.get',
        summary: 'Get a background task',
        description:
          "An app-portal token may read the tasks of its own application (the portal follows a recovery's progress); the operator token reads any.",
        params: Type.Object({ task_id: Type.String({ maxLength: 64 }) }),
        response: { 200: BackgroundTaskOut, ...errorResponses },
      },
    },
    async (request) => {
      const task = await deps.store.backgroundTasks.find(request.params.task_id);
      if (!task) throw notFound('background task');
      if (request.principal?.kind !== 'admin') {
        // Another application's task is as unknown to a portal token as a missing one.
        if (task.appId === null || request.principal?.appId !== task.appId) {
          throw notFound('background task');
        }
      }
      return taskOut(task);
    },
  );
}
