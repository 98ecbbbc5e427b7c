// The API client of the `herald` commands: where Herald is, the token, and requests that
// turn Herald's `{code, detail}` errors and unreachable servers into one-line errors.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientSettings } from '../config/client.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { CliError, exitCode, type ParsedArgs, text } from './command.ts';

type Query = Record<string, string | number | boolean | string[] | undefined>;

export type Api = {
  url: string;
  request<T = unknown>(
    method: string,
    path: string,
    options?: { body?: unknown; query?: Query },
  ): Promise<T>;
};

/** --url and --token, else HERALD_URL and HERALD_TOKEN, else this machine's own node. */
export function connect(values: ParsedArgs['values']): Api {
  const settings = clientSettings();
  let url = text(values.url) ?? settings.url;
  let token = text(values.token) ?? settings.token;
  if (!url || !token) {
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message, exitCode.usage);
      throw error;
    }
    const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
    url ??= `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
    const tokenFile = join(config.dataDir, 'admin-token');
    token ??=
      config.adminToken ??
      (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  }
  if (!token) {
    throw new CliError(
      'no token: pass --token or set HERALD_TOKEN (an operator token; `herald token create` makes one)',
      exitCode.usage,
    );
  }
  return apiClient(url.replace(/\/+$/, ''), token);
}

export function apiClient(url: string, token: string): Api {
  return {
    url,
    async request<T>(
      method: string,
      path: string,
      options: {
        body?: unknown;
        query?: Query;
      } = {},
    ): Promise<T> {
      const target = new URL(`${url}/api/v1${path}`);
      for (const [key, value] of Object.entries(options.query ?? {})) {
        for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
          target.searchParams.append(key, String(one));
        }
      }
      let response: Response;
      try {
        response = await fetch(target, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new CliError(
          `cannot reach Herald at ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
          exitCode.unreachable,
        );
      }
      const body = await response.text();
      if (response.ok) return (body === '' ? {} : JSON.parse(body)) as T;
      let detail = body;
      let code = '';
      try {
        const parsed = JSON.parse(body) as { code?: string; detail?: unknown };
        code = parsed.code ?? '';
        detail =
          typeof parsed.detail === 'string'
            ? parsed.detail
            : Array.isArray(parsed.detail)
              ? parsed.detail
                  .map((d: { loc?: string[]; msg?: string }) => `${d.loc?.join('.')}: ${d.msg}`)
                  .join('; ')
              : body;
      } catch {
        // not JSON: show it as it is
      }
      throw new CliError(
        `${response.status}${code ? ` ${code}` : ''}: ${detail}`,
        response.status === 401 ? exitCode.unreachable : exitCode.failed,
      );
    },
  };
}

/** Every item of a list route, following its iterator, up to `max`. */
export async function listAll<T>(
  api: Api,
  path: string,
  max: number,
  query: Query = {},
): Promise<T[]> {
  const items: T[] = [];
  let iterator: string | undefined;
  while (items.length < max) {
    const page = await api.request<{ data: T[]; iterator: string | null; done: boolean }>(
      'GET',
      path,
      { query: { ...query, limit: Math.min(250, max - items.length), iterator } },
    );
    items.push(...page.data);
    if (page.done || !page.iterator) break;
    iterator = page.iterator;
  }
  return items;
}
