// Loading the resources a path names, with the access check and a coded 404.
import type { FastifyRequest } from 'fastify';
import type { Application } from '../domain/application.ts';
import type { Endpoint } from '../domain/endpoint.ts';
import { HeraldError, invalid, notFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import type { Message } from '../domain/message.ts';
import type { Store } from '../store/store.ts';
import { assertAppAccess } from './auth-hook.ts';

export async function loadApp(
  store: Store,
  request: FastifyRequest,
  idOrUid: string,
): Promise<Application> {
  const app = await store.applications.find(idOrUid);
  if (!app) {
    // A scoped token learns nothing about other applications, not even whether they exist.
    if (request.principal?.kind === 'app') assertAppAccess(request, idOrUid);
    throw notFound('application');
  }
  assertAppAccess(request, app.id);
  return app;
}

export async function loadEndpoint(
  store: Store,
  request: FastifyRequest,
  appIdOrUid: string,
  endpointIdOrUid: string,
): Promise<{ app: Application; endpoint: Endpoint }> {
  const app = await loadApp(store, request, appIdOrUid);
  const endpoint = await store.endpoints.find(app.id, endpointIdOrUid);
  if (!endpoint) throw notFound('endpoint');
  return { app, endpoint };
}

export async function loadMessage(
  store: Store,
  request: FastifyRequest,
  appIdOrUid: string,
  msgIdOrEventId: string,
): Promise<{ app: Application; message: Message }> {
  const app = await loadApp(store, request, appIdOrUid);
  const message = await store.messages.find(app.id, msgIdOrEventId);
  if (!message) throw notFound('message');
  return { app, message };
}

/** The application and endpoint named by the `app_id` and `endpoint_id` path parameters. */
export function loadPathEndpoint(store: Store, request: FastifyRequest) {
  const { app_id, endpoint_id } = request.params as { app_id: string; endpoint_id: string };
  return loadEndpoint(store, request, app_id, endpoint_id);
}

/**
 * The optional `app_id` and `endpoint_id` filters of an operator listing (ids or uids), as
 * ids; an endpoint needs its application.
 */
export async function loadListingScope(
  store: Store,
  appIdOrUid: string | undefined,
  endpointIdOrUid: string | undefined,
): Promise<{ appId?: string; endpointId?: string }> {
  if (!appIdOrUid) {
    if (endpointIdOrUid) throw new HeraldError('generic_error', 'endpoint_id needs app_id');
    return {};
  }
  const app = await store.applications.find(appIdOrUid);
  if (!app) throw notFound('application');
  if (!endpointIdOrUid) return { appId: app.id };
  const endpoint = await store.endpoints.find(app.id, endpointIdOrUid);
  if (!endpoint) throw notFound('endpoint');
  return { appId: app.id, endpointId: endpoint.id };
}

/**
 * A uid may not have the form of an id of its kind: paths look an id up first, so such a
 * uid would make its resource unreachable by uid (or hide another one).
 */
export function checkUid(
  uid: string,
  kind: 'application' | 'endpoint' = 'application',
  loc: (string | number)[] = ['body', 'uid'],
): void {
  if (isId(kind, uid)) {
    const prefix = kind === 'application' ? 'app_' : 'ep_';
    throw invalid(loc, `a uid may not have the form of an ${kind} id (${prefix} + 26 characters)`);
  }
}
