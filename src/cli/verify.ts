// `herald verify --secret S [FILE]`: checks the signature of a captured request.
import { readFileSync } from 'node:fs';
import { checkStandardWebhook } from '../domain/standard-webhook-check.ts';
import { CliError, type Command, exitCode, text, usageError } from './command.ts';
import { json, print } from './output.ts';
import { readStdin } from './payload.ts';

const help = `Usage: herald verify --secret SECRET [FILE] [--ignore-age] [--json]

Checks the Standard Webhooks signature of a captured request, read from FILE or stdin:
either a line of \`herald listen --json\`, or the request as text: header lines
("name: value", after an optional "POST /path HTTP/1.1" line), an empty line, then the body
exactly as received.

Options:
  --secret SECRET  the endpoint's signing secret (whsec_...), or a whsk_/whpk_ key
  --ignore-age     accept a timestamp older than 5 minutes (a request captured earlier)
  --json           print the result as JSON

Exit code 0 when the signature verifies, 1 when it does not.`;

type Captured = { headers: Record<string, string>; body: Buffer };

/** A `herald listen --json` line, or headers, an empty line and the body. */
export function parseCaptured(raw: Buffer): Captured {
  const textForm = raw.toString('utf8');
  if (textForm.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(textForm) as { headers?: unknown; body?: unknown };
      if (typeof parsed.headers === 'object' && parsed.headers && typeof parsed.body === 'string') {
        return {
          headers: parsed.headers as Record<string, string>,
          body: Buffer.from(parsed.body),
        };
      }
    } catch {
      // not one JSON object: read it as headers and body
    }
  }
  const separator = /\r?\n\r?\n/.exec(textForm);
  if (!separator) throw new CliError('no empty line between the headers and the body');
  const headEnd = Buffer.byteLength(textForm.slice(0, separator.index));
  const body = raw.subarray(headEnd + Buffer.byteLength(separator[0]));
  const headers: Record<string, string> = {};
  for (const line of textForm.slice(0, separator.index).split(/\r?\n/)) {
    if (/^[A-Z]+ \S+( HTTP\/[\d.]+)?$/.test(line)) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new CliError(`not a header line: ${line}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check the signature of a captured request (a file or stdin)',
  help,
  options: {
    secret: { type: 'string' },
    'ignore-age': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ positionals, values }) {
    const secret = text(values.secret);
    if (!secret) throw usageError('herald verify needs --secret', help);
    if (positionals.length > 1) throw usageError('herald verify takes at most one file', help);
    const file = positionals[0];
    let raw: Buffer;
    try {
      raw = file && file !== '-' ? readFileSync(file) : await readStdin();
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`, exitCode.usage);
    }
    const captured = parseCaptured(raw);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const options = values['ignore-age'] ? { toleranceSeconds: Number.MAX_SAFE_INTEGER } : {};
    let check = checkStandardWebhook({ secret, ...captured, nowSeconds, ...options });
    // A file saved by an editor or `echo` may end with a newline the request did not have.
    const trimmed = captured.body.toString('utf8').replace(/\r?\n$/, '');
    if (!check.ok && trimmed.length !== captured.body.toString('utf8').length) {
      const again = checkStandardWebhook({
        secret,
        headers: captured.headers,
        body: trimmed,
        nowSeconds,
        ...options,
      });
      if (again.ok) check = again;
    }
    if (values.json) print(json(check));
    else if (check.ok) {
      print(
        `Signature verified: ${check.msgId}, sent ${new Date(check.timestamp * 1000).toISOString()}\n`,
      );
    } else print(`Signature does not verify: ${check.reason}\n`);
    return check.ok ? exitCode.ok : exitCode.failed;
  },
};
