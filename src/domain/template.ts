// Templates over a delivery's fields, for envelopes and header values. `{{path}}` names a
// field: msg.id, msg.eventId, msg.eventType, msg.timestamp, payload, payload.<path>,
// eventType, eventType.resource (before the first dot), eventType.event (after it),
// attempt.id, attempt.number, endpoint.id, endpoint.uid, endpoint.url, source.

export type TemplateContext = {
  msg: { id: string; eventId: string | null; eventType: string; timestamp: string };
  payload: unknown;
  attempt: { id: string; number: number };
  endpoint: { id: string; uid: string | null; url: string };
  source: string | null;
};

const placeholder = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
const whole = /^\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}$/;

export function resolvePath(context: TemplateContext, path: string): unknown {
  const [head, ...rest] = path.split('.');
  const eventType = context.msg.eventType;
  const dot = eventType.indexOf('.');
  switch (head) {
    case 'eventType':
      if (rest.length === 0) return eventType;
      if (rest[0] === 'resource') return dot < 0 ? eventType : eventType.slice(0, dot);
      if (rest[0] === 'event') return dot < 0 ? '' : eventType.slice(dot + 1);
      return undefined;
    case 'source':
      return context.source;
    case 'payload':
      return walk(context.payload, rest);
    case 'msg':
    case 'attempt':
    case 'endpoint':
      return walk(context[head], rest);
    default:
      return undefined;
  }
}

function walk(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const text = (value: unknown): string =>
  value === undefined || value === null
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

/** Fills a string template; every placeholder becomes text. */
export function renderString(template: string, context: TemplateContext): string {
  return template.replace(placeholder, (_, path: string) => text(resolvePath(context, path)));
}

/**
 * Fills a JSON template: a string that is exactly one placeholder takes the field's JSON
 * value (an object stays an object; a missing field becomes null); other strings are filled
 * as text; objects and arrays are filled member by member.
 */
export function renderEnvelope(template: unknown, context: TemplateContext): unknown {
  if (typeof template === 'string') {
    const match = whole.exec(template);
    if (match?.[1]) return resolvePath(context, match[1]) ?? null;
    return renderString(template, context);
  }
  if (Array.isArray(template)) return template.map((item) => renderEnvelope(item, context));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(
      Object.entries(template as Record<string, unknown>).map(([k, v]) => [
        k,
        renderEnvelope(v, context),
      ]),
    );
  }
  return template;
}
