// How the examples call Herald: any function that sends a JSON request and returns the
// parsed answer. `httpApi` is the real thing; tests pass one built on inject().
export type ApiCall = <T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<T>;

export function httpApi(baseUrl: string, token: string): ApiCall {
  return async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
}

/** Creates an event type unless it exists. */
export async function ensureEventType(
  api: ApiCall,
  name: string,
  description: string,
): Promise<void> {
  await api('PUT', `/api/v1/event-type/${name}`, { description });
}
