// `herald listen`: a receiver for developers. It prints each request as it arrives and
// whether its Standard Webhooks signature verifies with the given secret.
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { checkStandardWebhook } from '../domain/standard-webhook-check.ts';
import { type Command, exitCode, integer, text } from './command.ts';

const help = `Usage: herald listen [--port PORT] [--host HOST] [--secret SECRET] [--json]

A local webhook receiver for development. Point an endpoint at it
(http://127.0.0.1:8072/ by default) and it prints each request as it arrives. With
--secret (the endpoint's whsec_... secret, or a whsk_/whpk_ key) it checks the Standard
Webhooks signature (webhook-* or svix-* headers): a request that verifies gets 204, one that
does not gets 401, so Herald retries it. Without --secret every request gets 204.

Herald blocks private addresses unless allowed: start it with
HERALD_ALLOWED_SUBNETS=127.0.0.1/32 to deliver to this receiver.

Options:
  --port PORT      port to listen on (default 8072; 0 picks a free one)
  --host HOST      address to listen on (default 127.0.0.1)
  --secret SECRET  the endpoint's signing secret
  --json           one JSON object per request (headers, body, signature), a line each;
                   \`herald verify\` reads these lines

Stops on Ctrl-C (exit code 0).`;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function bodyText(body: Buffer): string {
  const raw = body.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

export const listenCommand: Command = {
  name: 'listen',
  summary: 'a local receiver that prints each delivery and checks its signature',
  help,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    secret: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ positionals, values }) {
    if (positionals.length > 0) {
      console.error(`herald: listen takes no argument\n\n${help}`);
      return exitCode.usage;
    }
    const port = integer(values.port, 'port', help) ?? 8072;
    const host = text(values.host) ?? '127.0.0.1';
    const secret = text(values.secret);
    const server = createServer(async (request, response) => {
      const body = await readBody(request);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const check = secret
        ? checkStandardWebhook({ secret, headers, body, nowSeconds: Math.floor(Date.now() / 1000) })
        : null;
      const signature = check === null ? 'unchecked' : check.ok ? 'verified' : 'invalid';
      const receivedAt = new Date().toISOString();
      if (values.json) {
        const line = {
          receivedAt,
          method: request.method,
          path: request.url,
          headers,
          body: body.toString('utf8'),
          signature,
          ...(check && !check.ok ? { reason: check.reason } : {}),
        };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      } else {
        const id = headers['webhook-id'] ?? headers['svix-id'] ?? '-';
        const verdict =
          check === null
            ? 'signature not checked (no --secret)'
            : check.ok
              ? 'signature verified'
              : `signature INVALID: ${check.reason}`;
        process.stdout.write(
          `${receivedAt}  ${request.method} ${request.url}  ${id}  ${verdict}\n${bodyText(body)}\n\n`,
        );
      }
      response.statusCode = check && !check.ok ? 401 : 204;
      response.end();
    });
    server.listen(port, host);
    try {
      await once(server, 'listening');
    } catch (error) {
      console.error(`herald: cannot listen on ${host}:${port}: ${(error as Error).message}`);
      return exitCode.failed;
    }
    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    const shown = host.includes(':') ? `[${host}]` : host;
    process.stderr.write(
      `Listening on http://${shown}:${actualPort}/ ${secret ? '(checking signatures)' : '(no --secret: signatures not checked)'}; Ctrl-C stops\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    server.closeAllConnections();
    server.close();
    return exitCode.ok;
  },
};
