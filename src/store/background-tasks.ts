// Background tasks in the store.
import type { BackgroundTask, BackgroundTaskStatus } from '../domain/background-task.ts';
import type { Database } from './database.ts';
import { parseJson } from './json-columns.ts';
import { type Page, type PageQuery, paginate } from './pagination.ts';

type Row = {
  id: string;
  app_id: string | null;
  task: string;
  status: string;
  data: string;
  created_at: number;
  updated_at: number;
};

/** Recover and replay jobs and their progress. */
export interface BackgroundTaskRepository {
  /** Stores a new task and returns it. */
  create(t: BackgroundTask): Promise<BackgroundTask>;
  /** Sets a task's final status and data. */
  finish(
    id: string,
    status: BackgroundTaskStatus,
    data: Record<string, unknown>,
    now: number,
  ): Promise<void>;
  /** The task with this id (null: none). */
  find(id: string): Promise<BackgroundTask | null>;
  /** Lists tasks by id (the order they were made), optionally of one status or kind. */
  list(filter: { status?: string; task?: string }, page: PageQuery): Promise<Page<BackgroundTask>>;
}

const toTask = (r: Row): BackgroundTask => ({
  id: r.id,
  appId: r.app_id,
  task: r.task,
  status: r.status as BackgroundTaskStatus,
  data: parseJson(r.data, {}),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function backgroundTaskRepository(db: Database): BackgroundTaskRepository {
  return {
    async create(t: BackgroundTask): Promise<BackgroundTask> {
      await db.run(
        'INSERT INTO background_tasks (id, app_id, task, status, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [t.id, t.appId, t.task, t.status, JSON.stringify(t.data), t.createdAt, t.updatedAt],
      );
      return t;
    },
    async finish(
      id: string,
      status: BackgroundTaskStatus,
      data: Record<string, unknown>,
      now: number,
    ): Promise<void> {
      await db.run(
        'UPDATE background_tasks SET status = ?, data = ?, updated_at = ? WHERE id = ?',
        [status, JSON.stringify(data), now, id],
      );
    },
    async find(id: string): Promise<BackgroundTask | null> {
      const row = await db.get<Row>('SELECT * FROM background_tasks WHERE id = ?', [id]);
      return row ? toTask(row) : null;
    },
    list(
      filter: { status?: string; task?: string },
      page: PageQuery,
    ): Promise<Page<BackgroundTask>> {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.status) {
        where.push('status = ?');
        params.push(filter.status);
      }
      if (filter.task) {
        where.push('task = ?');
        params.push(filter.task);
      }
      return paginate(db, {
        from: 'SELECT * FROM background_tasks',
        where,
        params,
        key: 'id',
        page,
        map: toTask,
        keyOf: (t) => t.id,
      });
    },
  };
}
