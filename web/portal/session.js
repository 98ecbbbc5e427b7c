// The portal session: the app-scoped key from the link, kept for this tab only.
// The key arrives in the URL fragment (#key=…), which browsers never send to a server nor put
// in a Referer; it is moved to sessionStorage and wiped from the address bar at once.
import { createApi } from '/assets/lib/api.js';

const storageKey = 'herald.portal.key';
const endedKey = 'herald.portal.ended';

/** Takes the key out of the fragment (if any) into sessionStorage; returns the stored key. */
export function takeKeyFromUrl() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const key = fragment.get('key');
  if (key) {
    sessionStorage.setItem(storageKey, key);
    sessionStorage.removeItem(endedKey);
    const path =
      location.pathname.replace(/\/+$/, '') === '/portal' ? '/portal/endpoints' : location.pathname;
    history.replaceState(null, '', path + location.search);
  }
  return sessionStorage.getItem(storageKey);
}

export const getKey = () => sessionStorage.getItem(storageKey);

/** Forgets the key and remembers why the session ended (shown on the expired page). */
export function endSession(reason) {
  sessionStorage.removeItem(storageKey);
  sessionStorage.setItem(endedKey, reason);
}

export const endReason = () => sessionStorage.getItem(endedKey);

/**
 * The session every page uses: `api` (the public API with this key), the application and
 * whether the link is read-only. Filled in by app.js before any page renders.
 */
export const session = {
  /** @type {ReturnType<typeof createApi>} */
  api: createApi(getKey),
  /** @type {{id: string, name: string, uid: string | null}} */
  app: { id: '', name: '', uid: null },
  readOnly: true,
  /** @type {number | null} */
  expiresAt: null,
};

/** `/app/{id}` plus a path: every application route of the API. */
export const appPath = (path = '') => `/app/${encodeURIComponent(session.app.id)}${path}`;

let catalogue = null;

/** The event catalogue (with schemas), fetched once per page load. */
export function eventTypes() {
  catalogue ??= (async () => {
    const all = [];
    let iterator;
    for (let i = 0; i < 20; i++) {
      const page = await session.api.get('/event-type', {
        limit: 250,
        with_content: true,
        iterator,
      });
      all.push(...page.data.filter((t) => !t.archived));
      if (page.done || !page.iterator) break;
      iterator = page.iterator;
    }
    return all;
  })().catch((error) => {
    catalogue = null;
    throw error;
  });
  return catalogue;
}
