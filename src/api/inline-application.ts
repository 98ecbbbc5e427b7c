// `MessageIn.application` and `AppPortalAccessIn.application`: a request that names an
// application by uid may carry its fields, and the application is created when it does not
// exist yet (as Svix's server does). An existing application is used as it is.
import type { FastifyRequest } from 'fastify';
import type { Application } from '../domain/application.ts';
import type { Clock } from '../domain/clock.ts';
import { checkPolicyLimits, type PolicyLimits } from '../domain/delivery-policy.ts';
import { HeraldError, invalid } from '../domain/errors.ts';
import { type IdGenerator, isId } from '../domain/ids.ts';
import type { Store } from '../store/store.ts';
import { loadApp } from './load.ts';
import { type ApplicationInput, applicationFields } from './routes/applications.ts';

export async function loadOrCreateApp(
  deps: { store: Store; clock: Clock; newId: IdGenerator; config?: PolicyLimits },
  request: FastifyRequest,
  idOrUid: string,
  inline: ApplicationInput | null | undefined,
): Promise<Application> {
  const loc = ['body', 'application', 'uid'];
  if (inline?.uid && inline.uid !== idOrUid)
    throw invalid(loc, `must be the uid in the path ("${idOrUid}") or absent`);
  if (!inline || isId('application', idOrUid)) return loadApp(deps.store, request, idOrUid);
  const existing = await deps.store.applications.find(idOrUid);
  if (existing) return loadApp(deps.store, request, idOrUid);
  checkPolicyLimits(inline.policy, deps.config, ['body', 'application', 'policy']);
  const now = deps.clock.now();
  try {
    return await deps.store.applications.create({
      id: deps.newId('application'),
      ...applicationFields({ ...inline, uid: idOrUid }),
      createdAt: now,
      updatedAt: now,
    });
  } catch (error) {
    // A concurrent request created it first: use that one.
    if (error instanceof HeraldError && error.code === 'conflict')
      return loadApp(deps.store, request, idOrUid);
    throw error;
  }
}
