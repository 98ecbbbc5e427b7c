// Long operations (recover, replay) run as background tasks: the API answers 202 at once with
// the task, and its progress is visible at /api/v1/background-task.
import type { BackgroundTask } from '../domain/background-task.ts';
import type { Clock } from '../domain/clock.ts';
import type { IdGenerator } from '../domain/ids.ts';
import type { Store } from '../store/store.ts';

export type BackgroundTasks = ReturnType<typeof createBackgroundTasks>;

export function createBackgroundTasks(deps: {
  store: Store;
  clock: Clock;
  newId: IdGenerator;
  log?: { error(obj: unknown, msg: string): void };
}) {
  const running = new Set<Promise<void>>();
  return {
    /** Records the task as running, starts `work`, and returns the task at once. */
    async start(
      task: string,
      appId: string | null,
      data: Record<string, unknown>,
      work: () => Promise<Record<string, unknown>>,
    ): Promise<BackgroundTask> {
      const now = deps.clock.now();
      const created = await deps.store.backgroundTasks.create({
        id: deps.newId('task'),
        appId,
        task,
        status: 'running',
        data,
        createdAt: now,
        updatedAt: now,
      });
      const job = (async () => {
        try {
          const result = await work();
          await deps.store.backgroundTasks.finish(
            created.id,
            'finished',
            { ...data, ...result },
            deps.clock.now(),
          );
        } catch (error) {
          deps.log?.error({ err: error }, `background task ${created.id} (${task}) failed`);
          await deps.store.backgroundTasks.finish(
            created.id,
            'failed',
            { ...data, error: (error as Error).message },
            deps.clock.now(),
          );
        }
      })().finally(() => running.delete(job));
      running.add(job);
      return created;
    },

    /** Waits for every task started so far (shutdown, tests). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
