// Preact with htm: components written as tagged templates, no build step. Strings rendered
// this way become text nodes, never markup, so untrusted text stays text.
import htm from '/assets/vendor/htm.mjs';
import { Fragment, h, render } from '/assets/vendor/preact.mjs';

export const html = htm.bind(h);
export {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from '/assets/vendor/preact-hooks.mjs';
export { Fragment, h, render };
