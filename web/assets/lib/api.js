// A small client of Herald's public API (/api/v1), used by every page with the caller's own
// token. Errors come back as ApiError with the API's `{code, detail}`.
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} detail
   */
  constructor(status, code, detail) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/**
 * @param {() => (string | null)} getToken the bearer token, read on each call
 * @param {(error: ApiError) => void} [onUnauthorized] called on 401 (expired or revoked token)
 * @param {() => Record<string, string>} [getHeaders] more headers for every call, read on each
 *   call (the console's CSRF token)
 */
export function createApi(getToken, onUnauthorized, getHeaders) {
  /**
   * @param {string} method
   * @param {string} path under /api/v1, e.g. `/app/app_x/endpoint`
   * @param {{ body?: unknown, query?: Record<string, unknown> }} [options]
   */
  async function call(method, path, options = {}) {
    const url = new URL(`/api/v1${path}`, location.origin);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined || value === null || value === '') continue;
      if (Array.isArray(value))
        for (const item of value) url.searchParams.append(key, String(item));
      else url.searchParams.set(key, String(value));
    }
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    const token = getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    Object.assign(headers, getHeaders?.() ?? {});
    let body;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(url, { method, headers, body, credentials: 'same-origin' });
    const text = await response.text();
    const data = text ? safeParse(text) : null;
    if (!response.ok) {
      const error = new ApiError(
        response.status,
        (data && typeof data.code === 'string' && data.code) || `http_${response.status}`,
        (data && typeof data.detail === 'string' && data.detail) || response.statusText,
      );
      if (response.status === 401 && onUnauthorized) onUnauthorized(error);
      throw error;
    }
    return data;
  }
  return {
    get: (path, query) => call('GET', path, { query }),
    post: (path, body, query) => call('POST', path, { body: body ?? {}, query }),
    put: (path, body) => call('PUT', path, { body }),
    patch: (path, body) => call('PATCH', path, { body }),
    delete: (path) => call('DELETE', path),
    call,
  };
}

/** @param {string} text */
function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
