// Herald's API over HTTP, for tests and tools that run Herald as a process of its own.
import { Pool } from 'undici';

export type Answer<T = Record<string, unknown>> = { status: number; body: T };

export type RemoteApi = {
  /** One call; a connection failure rejects (the process may have been killed under it). */
  call<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<Answer<T>>;
  /** The ids of every message stored for the application, following the iterator. */
  messageIds(appId: string): Promise<string[]>;
  close(): Promise<void>;
};

export function remoteApi(url: string, token: string, connections = 8): RemoteApi {
  const pool = new Pool(url, { connections });
  const call = async <T>(method: string, path: string, body?: unknown): Promise<Answer<T>> => {
    const response = await pool.request({
      method: method as 'GET',
      path: `/api/v1${path}`,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: (text ? JSON.parse(text) : {}) as T };
  };
  return {
    call,
    async messageIds(appId) {
      const ids: string[] = [];
      let iterator: string | null = null;
      // Bounded: 400 pages of 250 is far beyond any test's messages.
      for (let page = 0; page < 400; page++) {
        const query: string = iterator ? `&iterator=${iterator}` : '';
        const answer = await call<{
          data: { id: string }[];
          iterator: string | null;
          done: boolean;
        }>('GET', `/app/${appId}/msg?limit=250${query}`);
        if (answer.status !== 200) throw new Error(`listing messages: ${answer.status}`);
        ids.push(...answer.body.data.map((m) => m.id));
        if (answer.body.done) return ids;
        iterator = answer.body.iterator;
      }
      throw new Error('more than 100,000 messages');
    },
    close: () => pool.destroy(),
  };
}
