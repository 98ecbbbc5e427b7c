// The `herald` command line: one sub-command per file, each parsed with `util.parseArgs` and
// with its own --help; errors are one line and a documented exit code, never a stack trace.
import { type Config, ConfigError, loadConfig } from '../config/config.ts';
import { systemClock, systemRandom } from '../domain/clock.ts';
import { createHerald } from '../herald.ts';
import { createHttpClient } from '../outbound/http-client.ts';
import { createSecretBox } from '../store/secret-box.ts';
import { openStore } from '../store/store.ts';
import { CliError, type Command, exitCode, parseCommand, text, usageError } from './command.ts';
import { listenCommand } from './listen.ts';
import { mainSecretBox, newMainSecret } from './main-secret.ts';
import { migrateData } from './migrate-data.ts';
import { progressBar } from './output.ts';
import { queueTable } from './queue.ts';
import {
  appCommand,
  endpointCommand,
  eventTypeCommand,
  messageCommand,
  sendCommand,
} from './resources.ts';
import { rotateKey } from './rotate-key.ts';
import { serve } from './serve.ts';
import { tailCommand } from './tail.ts';
import { tokenCommand } from './token.ts';
import { verifyCommand } from './verify.ts';

const configOption = { config: { type: 'string' } } as const;
const configHelp = `Settings come from HERALD_* environment variables or a JSON file named by --config or
HERALD_CONFIG; see docs/configuration.md.`;

/** The node's settings, with --config and overrides; a bad setting is a usage error. */
function nodeConfig(values: Record<string, unknown>, overrides: Partial<Config> = {}): Config {
  try {
    return loadConfig({
      ...(typeof values.config === 'string' ? { file: values.config } : {}),
      overrides,
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, exitCode.usage);
    throw error;
  }
}

const serveHelp = `Usage: herald serve [--role all|api|worker] [--config FILE]

Runs Herald: the API, the delivery worker and the portal in one process by default; --role
api or worker runs one half (several nodes on one PostgreSQL database). Stops gracefully on
SIGTERM or SIGINT.

${configHelp}`;

const serveCommand: Command = {
  name: 'serve',
  summary: 'run Herald (API, worker and portal by default)',
  help: serveHelp,
  options: { role: { type: 'string' }, ...configOption },
  async run({ values }) {
    const role = text(values.role);
    if (role !== undefined && !['all', 'api', 'worker'].includes(role)) {
      throw usageError('--role is all, api or worker', serveHelp);
    }
    const config = nodeConfig(values, role ? { role: role as Config['role'] } : {});
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
    return exitCode.ok;
  },
};

const migrateHelp = `Usage: herald migrate [--config FILE]

Applies pending database migrations to HERALD_DATABASE_URL and exits. \`herald serve\` does
this on start too; run it alone before an upgrade of several nodes.

${configHelp}`;

const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations and exit',
  help: migrateHelp,
  options: configOption,
  async run({ values }) {
    const config = nodeConfig(values);
    const store = await openStore(config.databaseUrl, {
      schema: config.databaseSchema,
      secretBox: mainSecretBox(config),
    });
    await store.close();
    console.log('Database is up to date.');
    return exitCode.ok;
  },
};

const migrateDataHelp = `Usage: herald migrate-data --from URL --to URL [--from-schema NAME] [--to-schema NAME]

Copies a whole installation from one database to another: an embedded SQLite file to
PostgreSQL (postgres://...), or back. Table by table, each in primary-key order, and checks
every table's row count at the end. The target must be empty. Stop Herald first. On a
terminal it shows a progress bar (on stderr).

Options:
  --from URL           the database to copy, e.g. sqlite:./.herald/herald.db
  --to URL             the target database
  --from-schema NAME   the source's PostgreSQL schema (default: HERALD_DATABASE_SCHEMA or public)
  --to-schema NAME     the target's PostgreSQL schema (default: HERALD_DATABASE_SCHEMA or public)

${configHelp}`;

const migrateDataCommand: Command = {
  name: 'migrate-data',
  summary: 'copy a whole installation to another database (SQLite and PostgreSQL, either way)',
  help: migrateDataHelp,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    'from-schema': { type: 'string' },
    'to-schema': { type: 'string' },
    ...configOption,
  },
  async run({ values }) {
    const fromUrl = text(values.from);
    const toUrl = text(values.to);
    if (!fromUrl || !toUrl) {
      throw usageError(
        'migrate-data needs --from <database URL> and --to <database URL>',
        migrateDataHelp,
      );
    }
    const config = nodeConfig(values);
    // Sealed values are copied as they are: the target runs with the same main secret.
    const secretBox = mainSecretBox(config);
    const from = await openStore(fromUrl, {
      secretBox,
      schema: text(values['from-schema']) ?? config.databaseSchema,
    });
    try {
      const to = await openStore(toUrl, {
        secretBox,
        schema: text(values['to-schema']) ?? config.databaseSchema,
      });
      try {
        const counts = await migrateData(from, to, progressBar(process.stderr));
        console.log(
          `Copied and verified: ${Object.entries(counts)
            .map(([t, n]) => `${t} ${n}`)
            .join(', ')}`,
        );
        return exitCode.ok;
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
  },
};

const queueHelp = `Usage: herald queue [--app APP] [--endpoint ENDPOINT] [--limit N] [--config FILE]

Lists the deliveries waiting to be sent, soonest first, reading the database of
HERALD_DATABASE_URL (an endpoint needs its application). Over the API: GET /api/v1/queue.

${configHelp}`;

const queueCommand: Command = {
  name: 'queue',
  summary: 'list pending deliveries, soonest first',
  help: queueHelp,
  options: {
    app: { type: 'string' },
    endpoint: { type: 'string' },
    limit: { type: 'string' },
    ...configOption,
  },
  async run({ values }) {
    const config = nodeConfig(values);
    const store = await openStore(config.databaseUrl, {
      schema: config.databaseSchema,
      secretBox: mainSecretBox(config),
    });
    try {
      process.stdout.write(
        await queueTable(store, {
          app: text(values.app),
          endpoint: text(values.endpoint),
          limit: text(values.limit),
        }),
      );
    } finally {
      await store.close();
    }
    return exitCode.ok;
  },
};

const rotateKeyHelp = `Usage: herald rotate-key [--config FILE]

Seals every secret at rest (endpoint secrets, custom headers, kept idempotent answers) with
a new main secret. With the key file in the data directory, a new secret is generated and
the old one removed once every value is sealed again; with HERALD_MAIN_SECRET, set it to the
new secret and HERALD_PREVIOUS_MAIN_SECRETS to the old one. Run it with Herald stopped.
See docs/deployment.md, "Secrets at rest".

${configHelp}`;

const rotateKeyCommand: Command = {
  name: 'rotate-key',
  summary: 'seal every secret at rest with a new main secret',
  help: rotateKeyHelp,
  options: configOption,
  async run({ values }) {
    await rotateKey(nodeConfig(values), console.log);
    return exitCode.ok;
  },
};

const openapiCommand: Command = {
  name: 'openapi',
  summary: 'print the OpenAPI document',
  help: 'Usage: herald openapi\n\nPrints the OpenAPI document of the API (also at GET /api/v1/openapi.json).',
  options: {},
  async run() {
    process.stdout.write(`${await openApiDocument()}\n`);
    return exitCode.ok;
  },
};

export const commands: Command[] = [
  serveCommand,
  appCommand,
  endpointCommand,
  eventTypeCommand,
  messageCommand,
  sendCommand,
  listenCommand,
  verifyCommand,
  tailCommand,
  tokenCommand,
  queueCommand,
  migrateCommand,
  migrateDataCommand,
  rotateKeyCommand,
  openapiCommand,
];

const usage = `Usage: herald <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(14)}${c.summary}`).join('\n')}

\`herald <command> --help\` describes a command. Commands that use the API find Herald
through --url and --token, or HERALD_URL and HERALD_TOKEN, else this machine's node.

Exit codes:
  0  done
  1  Herald refused the request, a signature did not verify, or the work failed
  2  wrong usage: unknown command or option, missing argument, bad setting
  3  Herald could not be reached, or refused the token

${configHelp}`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const wanted = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    if (wanted) {
      console.log(wanted.help);
      return exitCode.ok;
    }
    (name === undefined ? console.error : console.log)(usage);
    return name === undefined ? exitCode.usage : exitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) {
      throw new CliError(
        `${name.startsWith('-') ? `Unknown option '${name}'` : `unknown command "${name}"`}\n\n${usage}`,
        exitCode.usage,
      );
    }
    const args = parseCommand(command, rest);
    if (args.values.help) {
      console.log(command.help);
      return exitCode.ok;
    }
    return await command.run(args);
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`herald: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ConfigError) {
      console.error(`herald: ${error.message}`);
      return exitCode.usage;
    }
    console.error(`herald: ${(error as Error).message}`);
    return exitCode.failed;
  }
}

/** The OpenAPI document, built from the route schemas of Herald on a throwaway in-memory store. */
export async function openApiDocument(): Promise<string> {
  const config = loadConfig({
    env: {},
    overrides: { adminToken: 'x'.repeat(32), databaseUrl: 'sqlite::memory:' },
  });
  const userAgent = 'Herald/openapi';
  const herald = await createHerald(config, {
    clock: systemClock,
    random: systemRandom,
    http: createHttpClient({ allowedSubnets: [], userAgent }),
    userAgent,
    secretBox: createSecretBox([newMainSecret()]),
    logger: () => false,
  });
  try {
    await herald.app.ready();
    return JSON.stringify(herald.app.swagger(), null, 2);
  } finally {
    await herald.stop();
  }
}

/** Runs the command line and sets the exit code. */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = exitCode.failed;
    },
  );
}

if (import.meta.main) run(process.argv.slice(2));
