// The `herald` command line: serve, migrate, openapi.
import { parseArgs } from 'node:util';
import { buildApp } from '../api/build-app.ts';
import { type Config, ConfigError, loadConfig } from '../config/config.ts';
import { systemClock, systemRandom } from '../domain/clock.ts';
import { createIdGenerator } from '../domain/ids.ts';
import { createAuthenticator } from '../services/auth.ts';
import { createSecretBox } from '../store/secret-box.ts';
import { openStore } from '../store/store.ts';
import { mainSecretBox, newMainSecret } from './main-secret.ts';
import { migrateData, progressBar } from './migrate-data.ts';
import { queueTable } from './queue.ts';
import { rotateKey } from './rotate-key.ts';
import { serve } from './serve.ts';

const usage = `Usage: herald <command> [options]

Commands:
  serve [--role all|api|worker]   run Herald (API, worker and portal by default)
  migrate                         apply pending database migrations and exit
  openapi                         print the OpenAPI document
  migrate-data --from URL --to URL [--to-schema NAME]
                                  copy a whole installation to another database
                                  (e.g. sqlite:./.herald/herald.db to postgres://...)
  queue [--app ID] [--endpoint ID] [--limit N]
                                  list pending deliveries, soonest first
  rotate-key                      seal every secret at rest with a new main secret
                                  (run it with Herald stopped; docs/security.md)

Settings come from HERALD_* environment variables or a JSON file named by --config or
HERALD_CONFIG; see docs/configuration.md.`;

/** The command line's options and positionals; throws on an option it does not know. */
function parseCommandLine(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      app: { type: 'string' },
      endpoint: { type: 'string' },
      limit: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'to-schema': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    console.error(`herald: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    console.log(usage);
    return command || values.help ? 0 : 2;
  }

  let config: Config;
  try {
    config = loadConfig({
      ...(values.config ? { file: values.config } : {}),
      ...(values.role ? { overrides: { role: values.role as Config['role'] } } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`herald: ${error.message}`);
      return 2;
    }
    throw error;
  }

  switch (command) {
    case 'serve': {
      const running = await serve(config);
      await new Promise<void>((resolve) => {
        const onSignal = (signal: string) => {
          console.log(`Received ${signal}, shutting down...`);
          running.stop().then(resolve, (error: unknown) => {
            console.error(error);
            resolve();
          });
        };
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      });
      return 0;
    }
    case 'migrate': {
      const store = await openStore(config.databaseUrl, {
        schema: config.databaseSchema,
        secretBox: mainSecretBox(config),
      });
      await store.close();
      console.log('Database is up to date.');
      return 0;
    }
    case 'migrate-data': {
      if (!values.from?.startsWith('sqlite:') || !values.to) {
        console.error('herald: migrate-data needs --from sqlite:<path> and --to <database URL>');
        return 2;
      }
      // Sealed values are copied as they are: the target runs with the same main secret.
      const secretBox = mainSecretBox(config);
      const from = await openStore(values.from, { schema: config.databaseSchema, secretBox });
      const to = await openStore(values.to, {
        schema: values['to-schema'] ?? config.databaseSchema,
        secretBox,
      });
      try {
        const counts = await migrateData(
          from,
          to,
          progressBar((text) => process.stderr.write(text)),
        );
        console.log(
          `Copied and verified: ${Object.entries(counts)
            .map(([t, n]) => `${t} ${n}`)
            .join(', ')}`,
        );
        return 0;
      } catch (error) {
        console.error(`herald: ${(error as Error).message}`);
        return 1;
      } finally {
        await from.close();
        await to.close();
      }
    }
    case 'queue': {
      const store = await openStore(config.databaseUrl, {
        schema: config.databaseSchema,
        secretBox: mainSecretBox(config),
      });
      try {
        process.stdout.write(await queueTable(store, values));
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'rotate-key': {
      await rotateKey(config, console.log);
      return 0;
    }
    case 'openapi': {
      process.stdout.write(`${await openApiDocument()}\n`);
      return 0;
    }
    default:
      console.error(`herald: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

/** The OpenAPI document, built from the route schemas on a throwaway in-memory store. */
export async function openApiDocument(): Promise<string> {
  const config = loadConfig({ env: {}, overrides: { adminToken: 'x'.repeat(32) } });
  const store = await openStore('sqlite::memory:', {
    secretBox: createSecretBox([newMainSecret()]),
  });
  const newId = createIdGenerator(systemClock, systemRandom);
  const authenticator = createAuthenticator({
    store,
    adminTokenHash: '00',
    clock: systemClock,
    random: systemRandom,
    newId,
  });
  const app = await buildApp({
    config,
    store,
    clock: systemClock,
    random: systemRandom,
    newId,
    authenticator,
  });
  await app.ready();
  const document = JSON.stringify(app.swagger(), null, 2);
  await app.close();
  await store.close();
  return document;
}

/** Runs the command line and sets the exit code. */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

if (import.meta.main) run(process.argv.slice(2));
