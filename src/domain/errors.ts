// The one registry of coded errors. Every error Herald answers with comes from here, so the
// HTTP status, the Svix-compatible `code` and the documentation stay in step.

export const errorCatalog = {
  generic_error: { status: 400, description: 'The request is malformed or not allowed here.' },
  invalid_json: { status: 400, description: 'The request body is not valid JSON.' },
  json_too_deep: {
    status: 400,
    description: 'The request body nests objects and arrays more than 128 levels deep.',
  },
  authentication_failed: { status: 401, description: 'The bearer token is missing or invalid.' },
  'insufficient access': { status: 403, description: 'The token may not act on this resource.' },
  read_only: {
    status: 403,
    description: 'The token is read-only (a read-only portal link): it may not change anything.',
  },
  csrf_failed: {
    status: 403,
    description:
      'A console session cookie came without its CSRF token in the `X-Herald-CSRF` header.',
  },
  not_found: { status: 404, description: 'No such resource, or no such route.' },
  method_not_allowed: { status: 405, description: 'The route exists but not for this method.' },
  conflict: { status: 409, description: 'A resource with this uid, name or eventId exists.' },
  request_timeout: { status: 408, description: 'The request took too long to arrive.' },
  idempotency_conflict: {
    status: 409,
    description: 'The Idempotency-Key was used before with a different request body.',
  },
  gone: {
    status: 410,
    description: 'The resource existed but has expired (a Play inbox past its lifetime).',
  },
  payload_too_large: { status: 413, description: 'The request body exceeds the size limit.' },
  unsupported_media_type: { status: 415, description: 'The request body is not JSON.' },
  validation_error: {
    status: 422,
    description: 'A field failed validation (`detail` lists them).',
  },
  headers_too_large: { status: 431, description: 'The request headers are too large.' },
  rate_limited: { status: 429, description: 'Too many requests.' },
  server_error: { status: 500, description: 'An unexpected error; details are in the log.' },
  not_implemented: { status: 501, description: 'The operation is not available.' },
  service_unavailable: {
    status: 503,
    description:
      'The database cannot be reached, or cannot store anything (disk full, read-only), right now.',
  },
  overloaded: {
    status: 503,
    description: 'Too many large requests are in progress; retry after `Retry-After` seconds.',
  },
} as const;

export type ErrorCode = keyof typeof errorCatalog;

export class HeraldError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, detail: string) {
    super(detail);
    this.name = 'HeraldError';
    this.code = code;
    this.status = errorCatalog[code].status;
  }
}

export type ValidationIssue = { loc: (string | number)[]; msg: string; type: string };

/** A 422 in Svix's shape: `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`. */
export class ValidationError extends HeraldError {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    super('validation_error', issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; '));
    this.issues = issues;
  }
}

export function notFound(what: string): HeraldError {
  return new HeraldError('not_found', `${what} not found`);
}

export function conflict(detail: string): HeraldError {
  return new HeraldError('conflict', detail);
}

export function invalid(loc: (string | number)[], msg: string): ValidationError {
  return new ValidationError([{ loc, msg, type: 'value_error' }]);
}
