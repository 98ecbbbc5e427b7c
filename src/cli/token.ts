// `herald token create|list|revoke`: operator tokens and tokens scoped to one application,
// kept as SHA-256 hashes. It works on the database directly (like `migrate`): making the
// first operator token cannot need one.
import { type Config, loadConfig } from '../config/config.ts';
import { systemClock, systemRandom } from '../domain/clock.ts';
import { createIdGenerator } from '../domain/ids.ts';
import { issueToken } from '../services/auth.ts';
import { openStore } from '../store/store.ts';
import { type Command, exitCode, integer, text, usageError } from './command.ts';
import { mainSecretBox } from './main-secret.ts';
import { json, print, record, table } from './output.ts';

const help = `Usage: herald token <action> [options]

Operator tokens (every route) and tokens scoped to one application (its routes only). A
token is printed once, when made; Herald keeps only its hash. Works on the database of
HERALD_DATABASE_URL directly, so it runs on a node's machine, even with Herald stopped.

Actions:
  create [--app APP] [--expires-in SECONDS]
                       a new token: an operator token, or one for the application APP
                       (id or uid); valid until revoked unless --expires-in is given
  list                 every token: id, scope, created, expiry and whether revoked
  revoke <id>          revoke a token (exit code 1 when there is no such token)

Options:
  --json               print JSON instead of a table
  --config FILE        a JSON config file (also HERALD_CONFIG)

The HERALD_ADMIN_TOKEN (or the token generated on the first start) is not listed: it is
part of the node's configuration.`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const tokenCommand: Command = {
  name: 'token',
  summary: 'create, list and revoke operator and application tokens',
  help,
  options: {
    app: { type: 'string' },
    'expires-in': { type: 'string' },
    json: { type: 'boolean' },
    config: { type: 'string' },
  },
  async run({ positionals, values }) {
    const [action, ...args] = positionals;
    if (!action || !['create', 'list', 'revoke'].includes(action)) {
      throw usageError(
        action ? `unknown action "${action}"` : 'herald token needs an action',
        help,
      );
    }
    if (args.length !== (action === 'revoke' ? 1 : 0)) {
      throw usageError(
        `herald token ${action} takes ${action === 'revoke' ? '<id>' : 'no argument'}`,
        help,
      );
    }
    const ttl = integer(values['expires-in'], 'expires-in', help);
    const config: Config = loadConfig(text(values.config) ? { file: text(values.config) } : {});
    const store = await openStore(config.databaseUrl, {
      schema: config.databaseSchema,
      secretBox: mainSecretBox(config),
    });
    try {
      if (action === 'create') {
        let appId: string | null = null;
        const appRef = text(values.app);
        if (appRef) {
          const app = await store.applications.find(appRef);
          if (!app) {
            console.error(`herald: no application ${appRef}`);
            return exitCode.failed;
          }
          appId = app.id;
        }
        const newId = createIdGenerator(systemClock, systemRandom);
        const issued = await issueToken(
          { store, clock: systemClock, random: systemRandom, newId },
          appId,
          ttl ?? null,
        );
        const out = {
          id: issued.id,
          token: issued.token,
          scope: appId ?? 'operator',
          expiresAt: iso(issued.expiresAt),
        };
        print(values.json ? json(out) : record(out));
        return exitCode.ok;
      }
      if (action === 'list') {
        const now = systemClock.now();
        const rows = (await store.tokens.list()).map((t) => ({
          id: t.id,
          scope: t.appId ?? 'operator',
          createdAt: iso(t.createdAt),
          expiresAt: iso(t.expiresAt),
          revokedAt: iso(t.revokedAt),
          state:
            t.revokedAt !== null
              ? 'revoked'
              : t.expiresAt !== null && t.expiresAt <= now
                ? 'expired'
                : 'active',
        }));
        print(
          values.json
            ? json(rows)
            : table(rows, [
                ['ID', (r) => r.id],
                ['SCOPE', (r) => r.scope],
                ['STATE', (r) => r.state],
                ['CREATED', (r) => r.createdAt],
                ['EXPIRES', (r) => r.expiresAt],
              ]),
        );
        return exitCode.ok;
      }
      const id = args[0] ?? '';
      if (!(await store.tokens.revoke(id, systemClock.now()))) {
        console.error(`herald: no active token ${id}`);
        return exitCode.failed;
      }
      print(values.json ? json({ revoked: id }) : `Revoked ${id}.\n`);
      return exitCode.ok;
    } finally {
      await store.close();
    }
  },
};
