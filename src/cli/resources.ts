// `herald app|endpoint|event-type|message`: list, get, create and delete through the API,
// so they work against any node; and `herald send`.
import {
  type Command,
  connectionHelp,
  connectionOptions,
  exitCode,
  integer,
  list,
  type ParsedArgs,
  text,
  usageError,
} from './command.ts';
import { type Api, connect, listAll } from './connection.ts';
import { type Column, json, print, record, table } from './output.ts';
import { readPayload } from './payload.ts';

type Row = Record<string, unknown>;
type Action = (api: Api, args: string[], values: ParsedArgs['values']) => Promise<void>;

const enc = encodeURIComponent;

/** Prints a list as a table, or JSON with --json. */
function showList(values: ParsedArgs['values'], rows: Row[], columns: Column<Row>[]): void {
  print(values.json ? json(rows) : table(rows, columns));
}

/** Prints one object as `field: value` lines, or JSON with --json. */
function showOne(values: ParsedArgs['values'], row: Row, fields: string[]): void {
  print(values.json ? json(row) : record(Object.fromEntries(fields.map((f) => [f, row[f]]))));
}

function showDeleted(values: ParsedArgs['values'], what: string): void {
  print(values.json ? json({ deleted: what }) : `Deleted ${what}.\n`);
}

/** A command with actions (`herald app list`, ...), each taking some positional arguments. */
function resourceCommand(spec: {
  name: string;
  summary: string;
  usage: string;
  options?: Command['options'];
  actions: Record<string, { args: string[]; optionalArgs?: number; run: Action }>;
}): Command {
  const help = `Usage: herald ${spec.name} <action> ...

${spec.summary}

${spec.usage}

${connectionHelp}`;
  return {
    name: spec.name,
    summary: spec.summary,
    help,
    options: { ...connectionOptions, limit: { type: 'string' }, ...spec.options },
    async run({ positionals, values }) {
      const [actionName, ...args] = positionals;
      const action = actionName ? spec.actions[actionName] : undefined;
      if (!action) {
        throw usageError(
          actionName ? `unknown action "${actionName}"` : `herald ${spec.name} needs an action`,
          help,
        );
      }
      const least = action.args.length - (action.optionalArgs ?? 0);
      if (args.length < least || args.length > action.args.length) {
        throw usageError(
          `herald ${spec.name} ${actionName} takes ${action.args.map((a) => `<${a}>`).join(' ')}`,
          help,
        );
      }
      await action.run(connect(values), args, values);
      return exitCode.ok;
    },
  };
}

const limitOf = (values: ParsedArgs['values'], help: string) =>
  integer(values.limit, 'limit', help) ?? 50;

const appFields = ['id', 'uid', 'name', 'createdAt', 'updatedAt'];
export const appCommand = resourceCommand({
  name: 'app',
  summary: 'applications: list, get, create and delete',
  usage: `Actions:
  list [--limit N]                 the applications, newest first (default 50)
  get <app>                        one application, by id or uid
  create <name> [--uid UID]        a new application
  delete <app>                     delete an application, its endpoints and messages`,
  options: { uid: { type: 'string' } },
  actions: {
    list: {
      args: [],
      run: async (api, _args, values) => {
        const rows = await listAll<Row>(api, '/app', limitOf(values, ''));
        showList(values, rows, [
          ['ID', (r) => r.id],
          ['UID', (r) => r.uid],
          ['NAME', (r) => r.name],
          ['CREATED', (r) => r.createdAt],
        ]);
      },
    },
    get: {
      args: ['app'],
      run: async (api, [app], values) =>
        showOne(values, await api.request<Row>('GET', `/app/${enc(app ?? '')}`), appFields),
    },
    create: {
      args: ['name'],
      run: async (api, [name], values) => {
        const uid = text(values.uid);
        const body = { name, ...(uid ? { uid } : {}) };
        showOne(values, await api.request<Row>('POST', '/app', { body }), appFields);
      },
    },
    delete: {
      args: ['app'],
      run: async (api, [app], values) => {
        await api.request('DELETE', `/app/${enc(app ?? '')}`);
        showDeleted(values, `application ${app}`);
      },
    },
  },
});

const endpointFields = ['id', 'uid', 'url', 'description', 'disabled', 'filterTypes', 'channels'];
export const endpointCommand = resourceCommand({
  name: 'endpoint',
  summary: "an application's endpoints: list, get, create, delete, and the signing secret",
  usage: `Actions:
  list <app> [--limit N]           the application's endpoints
  get <app> <endpoint>             one endpoint, by id or uid
  create <app> <url> [--uid UID] [--event-type NAME]... [--description TEXT] [--secret whsec_...]
                                   a new endpoint; no --event-type means every event type
  delete <app> <endpoint>          delete an endpoint
  secret <app> <endpoint>          print the endpoint's signing secret`,
  options: {
    uid: { type: 'string' },
    'event-type': { type: 'string', multiple: true },
    description: { type: 'string' },
    secret: { type: 'string' },
  },
  actions: {
    list: {
      args: ['app'],
      run: async (api, [app], values) => {
        const rows = await listAll<Row>(
          api,
          `/app/${enc(app ?? '')}/endpoint`,
          limitOf(values, ''),
        );
        showList(values, rows, [
          ['ID', (r) => r.id],
          ['UID', (r) => r.uid],
          ['URL', (r) => r.url],
          ['DISABLED', (r) => r.disabled],
          ['EVENT TYPES', (r) => (r.filterTypes as string[] | null) ?? 'all'],
        ]);
      },
    },
    get: {
      args: ['app', 'endpoint'],
      run: async (api, [app, endpoint], values) =>
        showOne(
          values,
          await api.request<Row>('GET', `/app/${enc(app ?? '')}/endpoint/${enc(endpoint ?? '')}`),
          endpointFields,
        ),
    },
    create: {
      args: ['app', 'url'],
      run: async (api, [app, url], values) => {
        const eventTypes = list(values['event-type']);
        const body = {
          url,
          ...(text(values.uid) ? { uid: text(values.uid) } : {}),
          ...(text(values.description) ? { description: text(values.description) } : {}),
          ...(text(values.secret) ? { secret: text(values.secret) } : {}),
          ...(eventTypes.length ? { filterTypes: eventTypes } : {}),
        };
        showOne(
          values,
          await api.request<Row>('POST', `/app/${enc(app ?? '')}/endpoint`, { body }),
          endpointFields,
        );
      },
    },
    delete: {
      args: ['app', 'endpoint'],
      run: async (api, [app, endpoint], values) => {
        await api.request('DELETE', `/app/${enc(app ?? '')}/endpoint/${enc(endpoint ?? '')}`);
        showDeleted(values, `endpoint ${endpoint}`);
      },
    },
    secret: {
      args: ['app', 'endpoint'],
      run: async (api, [app, endpoint], values) => {
        const secret = await api.request<{ key: string }>(
          'GET',
          `/app/${enc(app ?? '')}/endpoint/${enc(endpoint ?? '')}/secret`,
        );
        print(values.json ? json(secret) : `${secret.key}\n`);
      },
    },
  },
});

const eventTypeFields = ['name', 'description', 'archived', 'createdAt', 'updatedAt'];
export const eventTypeCommand = resourceCommand({
  name: 'event-type',
  summary: 'event types: list, get, create and delete (archive)',
  usage: `Actions:
  list [--archived] [--limit N]    the event types (--archived includes archived ones)
  get <name>                       one event type
  create <name> [--description TEXT]
                                   a new event type
  delete <name> [--expunge]        archive it (--expunge deletes it for good)`,
  options: {
    description: { type: 'string' },
    archived: { type: 'boolean' },
    expunge: { type: 'boolean' },
  },
  actions: {
    list: {
      args: [],
      run: async (api, _args, values) => {
        const rows = await listAll<Row>(api, '/event-type', limitOf(values, ''), {
          include_archived: values.archived ? true : undefined,
        });
        showList(values, rows, [
          ['NAME', (r) => r.name],
          ['ARCHIVED', (r) => r.archived],
          ['DESCRIPTION', (r) => r.description],
        ]);
      },
    },
    get: {
      args: ['name'],
      run: async (api, [name], values) =>
        showOne(
          values,
          await api.request<Row>('GET', `/event-type/${enc(name ?? '')}`),
          eventTypeFields,
        ),
    },
    create: {
      args: ['name'],
      run: async (api, [name], values) => {
        const body = { name, description: text(values.description) ?? name };
        showOne(values, await api.request<Row>('POST', '/event-type', { body }), eventTypeFields);
      },
    },
    delete: {
      args: ['name'],
      run: async (api, [name], values) => {
        await api.request('DELETE', `/event-type/${enc(name ?? '')}`, {
          query: { expunge: values.expunge ? true : undefined },
        });
        showDeleted(values, `event type ${name}${values.expunge ? '' : ' (archived)'}`);
      },
    },
  },
});

const messageOptions: Command['options'] = {
  file: { type: 'string' },
  'event-id': { type: 'string' },
  channel: { type: 'string', multiple: true },
  'event-type': { type: 'string', multiple: true },
};

/** Publishes a message and prints it with its id. */
async function publish(
  api: Api,
  [app, eventType, payloadArgument]: string[],
  values: ParsedArgs['values'],
): Promise<void> {
  const payload = await readPayload(payloadArgument, text(values.file));
  const channels = list(values.channel);
  const body = {
    eventType,
    payload,
    ...(text(values['event-id']) ? { eventId: text(values['event-id']) } : {}),
    ...(channels.length ? { channels } : {}),
  };
  const message = await api.request<Row>('POST', `/app/${enc(app ?? '')}/msg`, { body });
  showOne(values, message, ['id', 'eventType', 'eventId', 'timestamp']);
}

const publishUsage = `[payload] [--file FILE] [--event-id ID] [--channel NAME]...
                                   publish a message; the JSON payload is the argument,
                                   the file, or stdin ('-' or a pipe)`;

export const messageCommand = resourceCommand({
  name: 'message',
  summary: "an application's messages: list, get (with each delivery), create and delete",
  usage: `Actions:
  list <app> [--event-type NAME]... [--limit N]
                                   the messages, newest first
  get <app> <message>              one message (id or eventId) and where it went
  create <app> <event-type> ${publishUsage}
  delete <app> <message>           delete the message's payload (it stays listed)`,
  options: messageOptions,
  actions: {
    list: {
      args: ['app'],
      run: async (api, [app], values) => {
        const eventTypes = list(values['event-type']);
        const rows = await listAll<Row>(api, `/app/${enc(app ?? '')}/msg`, limitOf(values, ''), {
          event_types: eventTypes.length ? eventTypes : undefined,
        });
        showList(values, rows, [
          ['ID', (r) => r.id],
          ['EVENT TYPE', (r) => r.eventType],
          ['EVENT ID', (r) => r.eventId],
          ['TIMESTAMP', (r) => r.timestamp],
        ]);
      },
    },
    get: {
      args: ['app', 'message'],
      run: async (api, [app, msg], values) => {
        const path = `/app/${enc(app ?? '')}/msg/${enc(msg ?? '')}`;
        const message = await api.request<Row>('GET', path);
        const deliveries = await listAll<Row>(api, `${path}/endpoint`, 250);
        if (values.json) {
          print(json({ ...message, deliveries }));
          return;
        }
        print(
          record({
            id: message.id,
            eventType: message.eventType,
            eventId: message.eventId,
            timestamp: message.timestamp,
            payload: message.payload,
          }),
        );
        print(
          `\n${table(deliveries, [
            ['ENDPOINT', (r) => r.id],
            ['URL', (r) => r.url],
            ['STATUS', (r) => r.statusText],
            ['NEXT ATTEMPT', (r) => r.nextAttempt],
          ])}`,
        );
      },
    },
    create: { args: ['app', 'event-type', 'payload'], optionalArgs: 1, run: publish },
    delete: {
      args: ['app', 'message'],
      run: async (api, [app, msg], values) => {
        await api.request('DELETE', `/app/${enc(app ?? '')}/msg/${enc(msg ?? '')}/content`);
        showDeleted(values, `the payload of message ${msg}`);
      },
    },
  },
});

const sendHelp = `Usage: herald send <app> <event-type> ${publishUsage}

Publishes a message to an application (id or uid). Herald delivers it to every endpoint
of the application that wants the event type. Examples:
  herald send acme invoice.paid '{"invoice": 42}'
  herald send acme invoice.paid --file invoice.json
  echo '{"invoice": 42}' | herald send acme invoice.paid

${connectionHelp}`;

export const sendCommand: Command = {
  name: 'send',
  summary: 'publish a message: the payload from an argument, a file or stdin',
  help: sendHelp,
  options: { ...connectionOptions, ...messageOptions },
  async run({ positionals, values }) {
    if (positionals.length < 2 || positionals.length > 3) {
      throw usageError('herald send takes <app> <event-type> [payload]', sendHelp);
    }
    await publish(connect(values), positionals, values);
    return exitCode.ok;
  },
};
