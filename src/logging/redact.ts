// Secrets out of log lines: Herald's tokens, endpoint secrets, URL credentials, bearer and
// basic credentials, secret-looking query parameters and JSON fields, and any exact value
// the process knows to be secret (the operator and metrics tokens, the database password).
// One pass of one expression over each line.

const parts = [
  // Herald tokens: hrld_<kind>_<base64url>
  '(?<hrld>hrld_[a-z]+_)[A-Za-z0-9_-]+',
  // Endpoint secrets: whsec_ (HMAC) and whsk_ (Ed25519) keys
  '(?<wh>wh(?:sec|sk)_)[A-Za-z0-9+/=_-]+',
  // user:password@ in any URL
  String.raw`(?<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s:@"'\\]+(?::[^/\s@"'\\]*)?@`,
  // Authorization header values
  String.raw`(?<auth>\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]+`,
  // ?token=..., &api_key=..., ...
  String.raw`(?<query>[?&][A-Za-z0-9_.-]*(?:token|secret|password|passwd|api[_-]?key|apikey|signature|auth)[A-Za-z0-9_.-]*=)[^&\s"'\\#]+`,
  // "authorization": "...", "x-api-key": "...", "client_secret": "..." in JSON
  String.raw`(?<field>"[^"\\]*(?:authorization|token|secret|password|passwd|api[_-]?key|apikey|cookie|signature|credential)[^"\\]*"\s*:\s*)"(?:[^"\\]|\\.)*"`,
];

const pattern = new RegExp(parts.join('|'), 'gi');

export type Redactor = (text: string) => string;

/** A function that redacts secrets from text; `known` are exact secret values to hide too. */
export function createRedactor(known: readonly (string | null | undefined)[] = []): Redactor {
  const exact = [
    ...new Set(known.filter((k): k is string => typeof k === 'string' && k.length >= 6)),
  ];
  const exactPattern =
    exact.length > 0
      ? new RegExp(exact.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
      : null;
  return (text) => {
    let out = text.replace(pattern, (...args) => {
      const groups = args.at(-1) as Record<string, string | undefined>;
      if (groups.hrld) return `${groups.hrld}[redacted]`;
      if (groups.wh) return `${groups.wh}[redacted]`;
      if (groups.scheme) return `${groups.scheme}[redacted]@`;
      if (groups.auth) return `${groups.auth}[redacted]`;
      if (groups.query) return `${groups.query}[redacted]`;
      if (groups.field) return `${groups.field}"[redacted]"`;
      return '[redacted]';
    });
    if (exactPattern) out = out.replace(exactPattern, '[redacted]');
    return out;
  };
}
