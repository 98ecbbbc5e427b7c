// Body formats besides JSON, each a documented mapping of the JSON body.
//
// Form (`application/x-www-form-urlencoded`): nested keys in brackets, array items by index:
// `{"booking": {"id": 7, "items": [{"sku": "a"}]}}` becomes
// `booking[id]=7&booking[items][0][sku]=a`. Scalars become text (true/false, numbers as
// written, null as an empty value); empty objects and arrays are left out.
//
// XML: `<?xml version="1.0" encoding="UTF-8"?>` and a `<webhook>` root. Each object member
// is an element named after its key (or `<entry key="...">` when the key is not an XML
// name), array items are `<item>` elements, and non-string scalars carry their JSON type in a
// `type` attribute (`number`, `boolean`, `null`), so the JSON can be rebuilt exactly.

export function toForm(value: unknown): string {
  const pairs: string[] = [];
  const visit = (prefix: string, v: unknown) => {
    if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) visit(`${prefix}[${i}]`, item);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        visit(prefix ? `${prefix}[${k}]` : k, item);
      }
    } else {
      pairs.push(
        `${encodeURIComponent(prefix)}=${encodeURIComponent(v === null ? '' : String(v))}`,
      );
    }
  };
  visit('', value);
  return pairs.join('&');
}

const xmlName = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

export function toXml(value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${element('webhook', value)}`;
}

function element(name: string, value: unknown): string {
  const open = (attrs: string) =>
    xmlName.test(name) && !name.toLowerCase().startsWith('xml')
      ? `<${name}${attrs}`
      : `<entry key="${escapeXml(name)}"${attrs}`;
  const close =
    xmlName.test(name) && !name.toLowerCase().startsWith('xml') ? `</${name}>` : '</entry>';
  if (value === null) return `${open(' type="null"')}/>`;
  if (Array.isArray(value))
    return `${open(' type="array"')}>${value.map((v) => element('item', v)).join('')}${close}`;
  if (typeof value === 'object') {
    if (Object.keys(value).length === 0) return `${open(' type="object"')}/>`;
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join('');
    return `${open('')}>${inner}${close}`;
  }
  if (typeof value === 'string') return `${open('')}>${escapeXml(value)}${close}`;
  return `${open(` type="${typeof value}"`)}>${String(value)}${close}`;
}

export const contentTypes = {
  json: 'application/json',
  xml: 'application/xml',
  form: 'application/x-www-form-urlencoded',
} as const;
