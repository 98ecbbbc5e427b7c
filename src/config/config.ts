// Herald's settings: built-in defaults < optional JSON config file < HERALD_* environment
// variables, checked by one schema. This is the only module that reads process.env.
import { readFileSync } from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { PolicyLimits, ServerDefaults } from '../domain/delivery-policy.ts';
import { defaultRetrySchedule } from '../domain/retry-plan.ts';

export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8071 }),
    databaseUrl: Type.String({
      pattern: '^(sqlite:|postgres(ql)?://)',
      default: 'sqlite:./.herald/herald.db',
    }),
    databaseSchema: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$', default: 'public' }),
    /**
     * SQLite's sync mode: `full` syncs the log at every commit (group commit keeps it to one
     * sync per group), so an acknowledged publish survives a power loss; `normal` may lose
     * the last commits on power loss (not on a crash of the process).
     */
    sqliteSynchronous: Type.Union([Type.Literal('full'), Type.Literal('normal')], {
      default: 'full',
    }),
    dataDir: Type.String({ minLength: 1, default: './.herald' }),
    adminToken: Type.Optional(Type.String({ minLength: 16 })),
    /** Seals secrets at rest; by default a key file generated in the data directory. */
    mainSecret: Type.Optional(Type.String({ minLength: 16 })),
    /** Earlier main secrets, still able to open values during a rotation. */
    previousMainSecrets: Type.Array(Type.String({ minLength: 16 }), { default: [] }),
    /** The bearer token `GET /metrics` asks for; unset, it is open to loopback callers only. */
    metricsToken: Type.Optional(Type.String({ minLength: 16 })),
    publicUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    role: Type.Union([Type.Literal('all'), Type.Literal('api'), Type.Literal('worker')], {
      default: 'all',
    }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
    /** `pretty` lines on a terminal and JSON otherwise (`auto`), or always one of them. */
    logFormat: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], {
      default: 'auto',
    }),
    allowedSubnets: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    /**
     * Show application tokens (and so the portal) what private destinations let through by
     * `allowedSubnets` answered; by default only the operator sees those response bodies.
     */
    showPrivateResponses: Type.Boolean({ default: false }),
    retrySchedule: Type.Array(Type.Integer({ minimum: 0 }), {
      minItems: 0,
      default: [...defaultRetrySchedule],
    }),
    signatureHeaders: Type.Union([Type.Literal('standard'), Type.Literal('svix')], {
      default: 'standard',
    }),
    timeoutSeconds: Type.Integer({ minimum: 1, maximum: 300, default: 15 }),
    /** The longest timeout a delivery policy may set (longer ones are refused, or held to it). */
    maxTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 300, default: 300 }),
    /** The shortest wait before a retry a delivery policy may set. */
    minRetryIntervalSeconds: Type.Integer({ minimum: 0, maximum: 604_800, default: 0 }),
    /** The most attempts of one delivery (the first and its retries) a policy may set. */
    maxAttempts: Type.Integer({ minimum: 1, maximum: 101, default: 101 }),
    failureWindowHours: Type.Number({ exclusiveMinimum: 0, default: 120 }),
    maxPayloadBytes: Type.Integer({ minimum: 1024, default: 1_048_576 }),
    /** Request body bytes held by requests in progress, at most; past it, 503 + Retry-After. */
    maxRequestBytesInFlight: Type.Integer({ minimum: 1_048_576, default: 16_777_216 }),
    portalTokenTtlSeconds: Type.Integer({ minimum: 60, default: 3600 }),
    /** How long an operator console session lasts after logging in (not extended by use). */
    consoleSessionTtlSeconds: Type.Integer({ minimum: 60, maximum: 2_592_000, default: 28_800 }),
    retentionDays: Type.Integer({ minimum: 1, default: 30 }),
    completedRetentionDays: Type.Integer({ minimum: 1, default: 30 }),
    idempotencyTtlSeconds: Type.Integer({ minimum: 60, default: 43_200 }),
    /** Origins allowed to embed the portal, Play and the console in a frame (CSP frame-ancestors). */
    portalFrameAncestors: Type.Array(Type.String({ pattern: '^(https?://[^\\s;,]+|\\*)$' }), {
      default: [],
    }),
    /** Send webhook requests from a thread of their own (lower latency, ~40 MB more memory). */
    sendThread: Type.Boolean({ default: false }),
    /** Play: requests an inbox keeps (the oldest go first). */
    playMaxRequests: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
    /** Play: body bytes kept per request (the rest is cut off, and the request says so). */
    playMaxBodyBytes: Type.Integer({ minimum: 1024, maximum: 16_777_216, default: 262_144 }),
    /** Play: how long an inbox lives, in seconds. */
    playInboxTtlSeconds: Type.Integer({ minimum: 60, maximum: 2_592_000, default: 86_400 }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

type EnvSetting = {
  key: keyof Config;
  kind: 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'integer-list';
};

/** The environment variables Herald reads, by setting. */
export const environmentVariables: Record<string, EnvSetting> = {
  HERALD_HOST: { key: 'host', kind: 'string' },
  HERALD_PORT: { key: 'port', kind: 'integer' },
  HERALD_DATABASE_URL: { key: 'databaseUrl', kind: 'string' },
  HERALD_DATABASE_SCHEMA: { key: 'databaseSchema', kind: 'string' },
  HERALD_SQLITE_SYNCHRONOUS: { key: 'sqliteSynchronous', kind: 'string' },
  HERALD_DATA_DIR: { key: 'dataDir', kind: 'string' },
  HERALD_ADMIN_TOKEN: { key: 'adminToken', kind: 'string' },
  HERALD_MAIN_SECRET: { key: 'mainSecret', kind: 'string' },
  HERALD_PREVIOUS_MAIN_SECRETS: { key: 'previousMainSecrets', kind: 'list' },
  HERALD_METRICS_TOKEN: { key: 'metricsToken', kind: 'string' },
  HERALD_PUBLIC_URL: { key: 'publicUrl', kind: 'string' },
  HERALD_ROLE: { key: 'role', kind: 'string' },
  HERALD_LOG_LEVEL: { key: 'logLevel', kind: 'string' },
  HERALD_LOG_FORMAT: { key: 'logFormat', kind: 'string' },
  HERALD_ALLOWED_SUBNETS: { key: 'allowedSubnets', kind: 'list' },
  HERALD_SHOW_PRIVATE_RESPONSES: { key: 'showPrivateResponses', kind: 'boolean' },
  HERALD_RETRY_SCHEDULE: { key: 'retrySchedule', kind: 'integer-list' },
  HERALD_SIGNATURE_HEADERS: { key: 'signatureHeaders', kind: 'string' },
  HERALD_TIMEOUT_SECONDS: { key: 'timeoutSeconds', kind: 'integer' },
  HERALD_MAX_TIMEOUT_SECONDS: { key: 'maxTimeoutSeconds', kind: 'integer' },
  HERALD_MIN_RETRY_INTERVAL_SECONDS: { key: 'minRetryIntervalSeconds', kind: 'integer' },
  HERALD_MAX_ATTEMPTS: { key: 'maxAttempts', kind: 'integer' },
  HERALD_FAILURE_WINDOW_HOURS: { key: 'failureWindowHours', kind: 'number' },
  HERALD_MAX_PAYLOAD_BYTES: { key: 'maxPayloadBytes', kind: 'integer' },
  HERALD_MAX_REQUEST_BYTES_IN_FLIGHT: { key: 'maxRequestBytesInFlight', kind: 'integer' },
  HERALD_PORTAL_TOKEN_TTL_SECONDS: { key: 'portalTokenTtlSeconds', kind: 'integer' },
  HERALD_CONSOLE_SESSION_TTL_SECONDS: { key: 'consoleSessionTtlSeconds', kind: 'integer' },
  HERALD_RETENTION_DAYS: { key: 'retentionDays', kind: 'integer' },
  HERALD_COMPLETED_RETENTION_DAYS: { key: 'completedRetentionDays', kind: 'integer' },
  HERALD_IDEMPOTENCY_TTL_SECONDS: { key: 'idempotencyTtlSeconds', kind: 'integer' },
  HERALD_SEND_THREAD: { key: 'sendThread', kind: 'boolean' },
  HERALD_PORTAL_FRAME_ANCESTORS: { key: 'portalFrameAncestors', kind: 'list' },
  HERALD_PLAY_MAX_REQUESTS: { key: 'playMaxRequests', kind: 'integer' },
  HERALD_PLAY_MAX_BODY_BYTES: { key: 'playMaxBodyBytes', kind: 'integer' },
  HERALD_PLAY_INBOX_TTL_SECONDS: { key: 'playInboxTtlSeconds', kind: 'integer' },
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type ConfigSources = {
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file; `HERALD_CONFIG` names one when this is not given. */
  file?: string;
  /** Settings given in code (tests), applied last. */
  overrides?: Partial<Config>;
};

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const filePath = sources.file ?? env.HERALD_CONFIG;
  const fromFile = filePath ? readConfigFile(filePath) : {};
  const fromEnv = readEnvironment(env);
  const merged: Record<string, unknown> = { ...fromFile, ...fromEnv, ...sources.overrides };
  const withDefaults = Value.Default(ConfigSchema, merged);
  const firstError = Value.Errors(ConfigSchema, withDefaults).First();
  if (firstError) {
    throw new ConfigError(
      `invalid setting ${describeSetting(firstError.path)}: ${firstError.message}`,
    );
  }
  const config = withDefaults as Config;
  checkDeliveryLimits(config);
  return config;
}

/** The server's own delivery defaults must keep the limits it sets for everyone else. */
function checkDeliveryLimits(config: Config): void {
  const fail = (message: string) => {
    throw new ConfigError(`invalid setting ${message}`);
  };
  if (config.timeoutSeconds > config.maxTimeoutSeconds)
    fail(
      `timeoutSeconds (HERALD_TIMEOUT_SECONDS): ${config.timeoutSeconds} is longer than maxTimeoutSeconds (HERALD_MAX_TIMEOUT_SECONDS), ${config.maxTimeoutSeconds}`,
    );
  if (config.retrySchedule.some((s) => s < config.minRetryIntervalSeconds))
    fail(
      `retrySchedule (HERALD_RETRY_SCHEDULE): every wait must be at least minRetryIntervalSeconds (HERALD_MIN_RETRY_INTERVAL_SECONDS), ${config.minRetryIntervalSeconds}`,
    );
  if (config.retrySchedule.length + 1 > config.maxAttempts)
    fail(
      `retrySchedule (HERALD_RETRY_SCHEDULE): ${config.retrySchedule.length} retries make more attempts than maxAttempts (HERALD_MAX_ATTEMPTS), ${config.maxAttempts}`,
    );
}

/** What the operator lets delivery policies set. */
export function policyLimits(config: Config): PolicyLimits {
  return {
    maxTimeoutSeconds: config.maxTimeoutSeconds,
    minRetryIntervalSeconds: config.minRetryIntervalSeconds,
    maxAttempts: config.maxAttempts,
  };
}

function describeSetting(path: string): string {
  const key = path.split('/')[1] ?? path;
  const envName = Object.entries(environmentVariables).find(([, s]) => s.key === key)?.[0];
  return envName ? `${key} (${envName})` : key || '(root)';
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('expected a JSON object');
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid: ${(error as Error).message}`);
  }
}

function readEnvironment(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(environmentVariables)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    out[setting.key] = convert(name, raw, setting.kind);
  }
  return out;
}

function convert(name: string, raw: string, kind: EnvSetting['kind']): unknown {
  const list = () =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const integer = (text: string) => {
    if (!/^\d+$/.test(text))
      throw new ConfigError(`invalid setting ${name}: "${raw}" is not a whole number`);
    return Number(text);
  };
  switch (kind) {
    case 'string':
      return raw;
    case 'integer':
      return integer(raw.trim());
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) {
        throw new ConfigError(`invalid setting ${name}: "${raw}" is not a number`);
      }
      return n;
    }
    case 'boolean': {
      const value = raw.trim().toLowerCase();
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      throw new ConfigError(`invalid setting ${name}: "${raw}" is not true or false`);
    }
    case 'list':
      return list();
    case 'integer-list':
      return list().map(integer);
  }
}

/** The delivery settings every endpoint policy falls back to. */
export function deliveryDefaults(config: Config): ServerDefaults {
  return {
    signatureHeaders: config.signatureHeaders,
    timeoutSeconds: config.timeoutSeconds,
    retrySchedule: config.retrySchedule,
    failureWindowHours: config.failureWindowHours,
    limits: policyLimits(config),
  };
}
