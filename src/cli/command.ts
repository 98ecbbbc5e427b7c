// What every `herald` sub-command shares: its definition, argument parsing with
// `util.parseArgs`, exit codes and the usage error.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

/** Exit codes, documented in `herald --help` and docs/cli.md. */
export const exitCode = {
  ok: 0,
  /** Herald refused the request, a check failed (a signature), or something went wrong. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing argument. */
  usage: 2,
  /** Herald could not be reached, or it refused the token. */
  unreachable: 3,
} as const;

/** An error the command line reports in one line (no stack trace) and exits with. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, code: number = exitCode.failed) {
    super(message);
    this.exitCode = code;
  }
}

export type ParsedArgs = {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
};

export type Command = {
  name: string;
  /** One line for `herald --help`. */
  summary: string;
  /** The whole text of `herald <name> --help`. */
  help: string;
  options: ParseArgsOptionsConfig;
  run(args: ParsedArgs): Promise<number>;
};

/** Options every command that talks to Herald's API takes. */
export const connectionOptions: ParseArgsOptionsConfig = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
};

export const connectionHelp = `Connection (commands that use the API):
  --url URL       Herald's address (default: HERALD_URL, else this machine's HERALD_HOST
                  and HERALD_PORT, http://127.0.0.1:8071)
  --token TOKEN   an operator token (default: HERALD_TOKEN, else HERALD_ADMIN_TOKEN, else
                  the token saved in the data directory by the first start)
  --json          print JSON instead of a table`;

/** Parses a command's arguments; an unknown option or stray value is a usage error. */
export function parseCommand(command: Command, argv: string[]): ParsedArgs {
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    });
    return { positionals: parsed.positionals, values: parsed.values };
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${command.help}`, exitCode.usage);
  }
}

export const usageError = (message: string, help: string): CliError =>
  new CliError(`${message}\n\n${help}`, exitCode.usage);

export const text = (value: ParsedArgs['values'][string]): string | undefined =>
  typeof value === 'string' ? value : undefined;

export const list = (value: ParsedArgs['values'][string]): string[] =>
  Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];

/** A whole number option, or a usage error naming it. */
export function integer(
  value: ParsedArgs['values'][string],
  name: string,
  help: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw usageError(`--${name} takes a whole number`, help);
  }
  return Number(value);
}
