// A long operation (recover, replay) whose progress the API reports.
export type BackgroundTaskStatus = 'running' | 'finished' | 'failed';

export type BackgroundTask = {
  id: string;
  appId: string | null;
  task: string;
  status: BackgroundTaskStatus;
  data: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
};
