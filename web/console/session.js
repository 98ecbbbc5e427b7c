// The console's session: the operator token is exchanged once for an HttpOnly cookie (which
// this page cannot read) and a CSRF token, kept here in memory and sent with every API call.
import { createApi } from '/assets/lib/api.js';

let csrfToken = null;

/**
 * @param {(error: Error) => void} onEnded called when the API says the session is over
 */
export function createConsoleApi(onEnded) {
  return createApi(
    () => null,
    (error) => {
      // A 401 while logged in means the session ended; a wrong token at login is not that.
      const hadSession = csrfToken !== null;
      csrfToken = null;
      if (hadSession) onEnded(error);
    },
    () => (csrfToken ? { 'x-herald-csrf': csrfToken } : {}),
  );
}

/** Is there a live session (after a reload)? Picks up its CSRF token. */
export async function resumeSession(api) {
  const state = await api.get('/auth/console-session');
  csrfToken = state?.active ? state.csrfToken : null;
  return csrfToken !== null;
}

/** Logs in with the operator token; throws ApiError (401) when it is wrong. */
export async function logIn(api, token) {
  const session = await api.post('/auth/console-session', { token });
  csrfToken = session.csrfToken;
}

export async function logOut(api) {
  try {
    await api.delete('/auth/console-session');
  } finally {
    csrfToken = null;
  }
}
