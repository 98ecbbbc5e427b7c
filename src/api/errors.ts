// Turns every failure into Svix's error shape: `{code, detail}`, or the 422 `{detail: [...]}`.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HeraldError, ValidationError, type ValidationIssue } from '../domain/errors.ts';
import { StoreUnavailableError } from '../store/unavailable.ts';

type AjvIssue = {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
};

const locationNames: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

export function validationIssues(context: string, errors: AjvIssue[]): ValidationIssue[] {
  return errors.map((e) => {
    const loc: (string | number)[] = [locationNames[context] ?? context];
    for (const part of e.instancePath.split('/').slice(1)) {
      loc.push(
        /^\d+$/.test(part) ? Number(part) : part.replaceAll('~1', '/').replaceAll('~0', '~'),
      );
    }
    if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') {
      loc.push(e.params.missingProperty);
      return { loc, msg: 'field required', type: 'value_error.missing' };
    }
    return { loc, msg: e.message ?? 'invalid value', type: `value_error.${e.keyword}` };
  });
}

const fastifyCodes: Record<string, HeraldError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: new HeraldError(
    'invalid_json',
    'the request body is not valid JSON',
  ),
  FST_ERR_CTP_EMPTY_JSON_BODY: new HeraldError(
    'invalid_json',
    'the request body is empty; send a JSON object',
  ),
  FST_ERR_CTP_BODY_TOO_LARGE: new HeraldError('payload_too_large', 'the request body is too large'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: new HeraldError(
    'unsupported_media_type',
    'send the request body as application/json',
  ),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: new HeraldError(
    'generic_error',
    'the Content-Length header is wrong',
  ),
};

export function toHeraldError(error: FastifyError | Error): HeraldError {
  if (error instanceof HeraldError) return error;
  if (error instanceof StoreUnavailableError) {
    return new HeraldError(
      'service_unavailable',
      error.reason === 'storage'
        ? 'the database cannot store anything right now (its disk is full, read-only or failing); try again later'
        : 'the database cannot be reached right now; try again shortly',
    );
  }
  const fe = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (fe.validation)
    return new ValidationError(validationIssues(fe.validationContext ?? 'body', fe.validation));
  const known = fe.code ? fastifyCodes[fe.code] : undefined;
  if (known) return known;
  if (error instanceof SyntaxError && fe.statusCode === 400)
    return fastifyCodes.FST_ERR_CTP_INVALID_JSON_BODY as HeraldError;
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)
    return new HeraldError('generic_error', fe.message);
  return new HeraldError('server_error', 'internal server error');
}

export function errorBody(error: HeraldError): unknown {
  if (error instanceof ValidationError) return { detail: error.issues };
  return { code: error.code, detail: error.message };
}

export function handleError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const herald = toHeraldError(error);
  if (herald.status >= 500) request.log.error({ err: error }, 'request failed');
  return reply
    .code(herald.status)
    .type('application/json')
    .serializer(JSON.stringify)
    .send(errorBody(herald));
}
