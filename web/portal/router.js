// A small path router: the portal's pages live under /portal/ (the server answers every path
// there with the portal), so links are real URLs that survive a reload.
import { html, useEffect, useState } from '/assets/lib/html.js';

const listeners = new Set();

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const listener of listeners) listener(location.pathname + location.search);
  window.scrollTo(0, 0);
}

/** The current path and query; re-renders on navigation. */
export function useLocation() {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const onPop = () => setPath(location.pathname + location.search);
    listeners.add(setPath);
    window.addEventListener('popstate', onPop);
    return () => {
      listeners.delete(setPath);
      window.removeEventListener('popstate', onPop);
    };
  }, []);
  return path;
}

/** A link that navigates inside the portal without reloading it. */
export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}

/**
 * Matches a path against patterns like `/portal/endpoints/:id/:tab?`; returns the params of
 * the first match as `[index, params]`, or null.
 */
export function match(pathname, patterns) {
  for (let i = 0; i < patterns.length; i++) {
    const parts = patterns[i].split('/').filter(Boolean);
    const given = pathname.split('/').filter(Boolean);
    const params = {};
    let ok = given.length <= parts.length;
    for (let j = 0; ok && j < parts.length; j++) {
      const part = parts[j];
      const value = given[j];
      if (part.startsWith(':')) {
        const optional = part.endsWith('?');
        if (value === undefined) ok = optional;
        else params[part.slice(1).replace('?', '')] = decodeURIComponent(value);
      } else ok = part === value;
    }
    if (ok) return [i, params];
  }
  return null;
}
