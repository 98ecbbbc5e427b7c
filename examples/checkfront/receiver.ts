// A receiver written the way Checkfront's documentation says: accept the POST, parse the
// format the webhook was set to (JSON, XML or form), answer 200 at once. Like Flask's
// `request.get_json()`, it answers 415 to a body whose Content-Type is not the webhook's
// format (an empty body without a Content-Type included) and 400 to one it cannot parse.
import { createServer, type Server } from 'node:http';

const mediaTypes = {
  json: 'application/json',
  xml: 'application/xml',
  form: 'application/x-www-form-urlencoded',
} as const;

export type CheckfrontFormat = keyof typeof mediaTypes;

export function checkfrontReceiver(
  onEvent: (event: Record<string, unknown>, contentType: string) => number,
  options: { format?: CheckfrontFormat } = {},
): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const type = String(req.headers['content-type'] ?? '');
      const media = type.split(';')[0]?.trim().toLowerCase() ?? '';
      const format = (Object.keys(mediaTypes) as CheckfrontFormat[]).find(
        (f) => mediaTypes[f] === media,
      );
      if (!format || (options.format && format !== options.format)) {
        res.writeHead(415).end('Unsupported Media Type');
        return;
      }
      let event: Record<string, unknown>;
      try {
        event =
          format === 'xml'
            ? parseXml(body)
            : format === 'form'
              ? parseForm(body)
              : JSON.parse(body);
      } catch {
        res.writeHead(400).end('Bad Request');
        return;
      }
      res.writeHead(onEvent(event, type)).end('Webhook received');
    });
  });
}

/** `a[b][0][c]=x` pairs back into nested objects and arrays (values stay text). */
export function parseForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(/\[|\]\[|\]/).filter((p) => p !== '');
    let node: Record<string, unknown> | unknown[] = root;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      const container = node as Record<string, unknown>;
      if (last) {
        container[part] = value;
      } else {
        container[part] ??= /^\d+$/.test(path[i + 1] ?? '') ? [] : {};
        node = container[part] as Record<string, unknown>;
      }
    });
  }
  return root;
}

/** Herald's XML mapping back into JSON: element names are keys, `type` restores scalars. */
export function parseXml(body: string): Record<string, unknown> {
  const text = body.replace(/^<\?xml[^>]*\?>/, '');
  let at = 0;
  const decode = (s: string) =>
    s.replace(
      /&(lt|gt|amp|quot|apos);/g,
      (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '',
    );
  const element = (): [string, unknown] => {
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+\w+="[^"]*")*)\s*(\/?)>/.exec(text.slice(at));
    if (!open) throw new Error(`bad XML at ${at}`);
    at += open[0].length;
    const attrs = Object.fromEntries(
      [...(open[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], decode(m[2] ?? '')]),
    );
    const name = open[1] === 'entry' && attrs.key !== undefined ? attrs.key : (open[1] ?? '');
    const type = attrs.type;
    if (open[3] === '/') return [name, type === 'null' ? null : type === 'array' ? [] : {}];
    if (text.startsWith('<', at) && !text.startsWith('</', at)) {
      const children: [string, unknown][] = [];
      while (!text.startsWith('</', at)) children.push(element());
      at = text.indexOf('>', at) + 1;
      return [name, type === 'array' ? children.map(([, v]) => v) : Object.fromEntries(children)];
    }
    const end = text.indexOf('</', at);
    const raw = decode(text.slice(at, end));
    at = text.indexOf('>', end) + 1;
    if (type === 'number') return [name, Number(raw)];
    if (type === 'boolean') return [name, raw === 'true'];
    if (type === 'array') return [name, []];
    return [name, raw];
  };
  return element()[1] as Record<string, unknown>;
}
