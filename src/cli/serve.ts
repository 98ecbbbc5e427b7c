// `herald serve`: owns the process. Reads the config, wires Herald (herald.ts), starts the
// API and, by role, the worker, prints where it listens, and shuts down gracefully on a signal.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HeraldApp } from '../api/build-app.ts';
import type { Config } from '../config/config.ts';
import { systemClock, systemRandom } from '../domain/clock.ts';
import { createHerald } from '../herald.ts';
import { createLogOutput } from '../logging/log-output.ts';
import { createRedactor } from '../logging/redact.ts';
import { createHttpClient } from '../outbound/http-client.ts';
import { wholeAddressSpaces } from '../outbound/ip-range.ts';
import { createThreadedHttpClient } from '../outbound/threaded-http-client.ts';
import { createSecretBox } from '../store/secret-box.ts';
import type { Store } from '../store/store.ts';
import { heraldVersion } from '../version.ts';
import { loadMainSecrets } from './main-secret.ts';

export type RunningHerald = {
  url: string;
  app: HeraldApp;
  store: Store;
  stop(): Promise<void>;
};

export async function serve(
  config: Config,
  out: (line: string) => void = console.log,
): Promise<RunningHerald> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const mainSecrets = loadMainSecrets(config);
  // With `sendThread`, requests are built and sent on a thread of their own (see
  // threaded-http-client.ts); otherwise on the main thread, which costs less memory.
  const createClient = config.sendThread ? createThreadedHttpClient : createHttpClient;
  const userAgent = `Herald/${heraldVersion}`;
  const http = createClient({ allowedSubnets: config.allowedSubnets, userAgent });
  let herald: Awaited<ReturnType<typeof createHerald>>;
  try {
    herald = await createHerald(config, {
      clock: systemClock,
      random: systemRandom,
      http,
      userAgent,
      secretBox: createSecretBox(mainSecrets.secrets),
      processMetrics: true,
      logger: (generatedAdminToken) => ({
        level: config.logLevel,
        redact: ['req.headers.authorization', 'req.headers["idempotency-key"]'],
        stream: createLogOutput({
          format:
            config.logFormat === 'auto'
              ? process.stdout.isTTY
                ? 'pretty'
                : 'json'
              : config.logFormat,
          redact: createRedactor([
            generatedAdminToken,
            config.adminToken,
            config.metricsToken,
            databasePassword(config.databaseUrl),
          ]),
          write: (text) => process.stdout.write(text),
        }),
      }),
    });
  } catch (error) {
    await http.close();
    throw error;
  }
  const { app, play } = herald;
  const tokenFile = join(dataDir, 'admin-token');
  if (herald.generatedAdminToken) {
    writeFileSync(tokenFile, `${herald.generatedAdminToken}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
  }
  if (config.role !== 'api') {
    herald.dispatcher.start();
    herald.maintenance.start();
  }
  // A worker-only node serves no API: it only delivers.
  let url = '';
  if (config.role !== 'worker') {
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    for (const origin of listenerOrigins(config.host, port)) play.addOwnOrigin(origin);
  } else {
    await app.ready();
  }

  out(
    url
      ? `Herald listening on ${url} (API at ${url}/api/v1, role ${config.role})`
      : 'Herald worker running (role worker: no API)',
  );
  out(`Data directory: ${dataDir}`);
  const wide = wholeAddressSpaces(config.allowedSubnets);
  if (wide.length > 0) {
    out(
      `Warning: HERALD_ALLOWED_SUBNETS includes ${wide.join(' and ')}: webhooks may reach any private, loopback or cloud metadata address (the private-address guard is off for that address family)`,
    );
  }
  if (mainSecrets.generated) {
    out(`Main secret generated in ${mainSecrets.file}: back it up with the database`);
  }
  out(`Database: ${config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}`);
  if (herald.generatedAdminToken) {
    out(`Operator token (shown once, also saved to ${tokenFile}):`);
    out(`  ${herald.generatedAdminToken}`);
  } else if (config.adminToken) {
    out('Operator token: the one set in HERALD_ADMIN_TOKEN');
  } else {
    out(`Operator token: generated on first start, saved in ${tokenFile}`);
  }

  return { url, app, store: herald.store, stop: herald.stop };
}

/** The password in a database URL, if any (kept out of the logs). */
function databasePassword(url: string): string | null {
  try {
    return url.startsWith('postgres') ? decodeURIComponent(new URL(url).password) || null : null;
  } catch {
    return null;
  }
}

/** The origins this node's listener answers on, as Play inbox URLs may name it. */
function listenerOrigins(host: string, port: number): string[] {
  const loopback = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  if (['0.0.0.0', '::', '127.0.0.1', 'localhost', '::1'].includes(host)) return loopback;
  return [`http://${host.includes(':') ? `[${host}]` : host}:${port}`];
}
