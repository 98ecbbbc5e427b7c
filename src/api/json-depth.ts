// A limit on how deeply a JSON request body nests. Deeper documents would exhaust the stack
// of the recursive steps that follow parsing (validation, serialization, templates), so they
// are refused before they are parsed, with a coded 400. Svix's server has the same limit.

/** Objects and arrays may nest this deep, counting the body itself as level 1. */
export const maxJsonDepth = 128;

/** True when the JSON text opens more than `limit` objects or arrays inside one another. */
export function jsonTooDeep(text: string, limit = maxJsonDepth): boolean {
  // Each level takes at least two characters: a short text cannot be too deep.
  if (text.length <= limit * 2) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}
