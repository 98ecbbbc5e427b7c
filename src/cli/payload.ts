// A message payload given on the command line: an argument, a file (--file), or stdin.
import { readFileSync } from 'node:fs';
import { CliError, exitCode } from './command.ts';

export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The payload as a JSON object: `argument` when given ('-' reads stdin), else `--file`, else
 * stdin when it is not a terminal.
 */
export async function readPayload(
  argument: string | undefined,
  file: string | undefined,
): Promise<Record<string, unknown>> {
  let source: string;
  let raw: string;
  if (argument !== undefined && argument !== '-') {
    [source, raw] = ['the payload argument', argument];
  } else if (file !== undefined) {
    try {
      [source, raw] = [file, readFileSync(file, 'utf8')];
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`, exitCode.usage);
    }
  } else if (argument === '-' || !process.stdin.isTTY) {
    [source, raw] = ['stdin', (await readStdin()).toString('utf8')];
  } else {
    throw new CliError(
      'no payload: give it as an argument, with --file, or on stdin',
      exitCode.usage,
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch (error) {
    throw new CliError(`${source} is not JSON: ${(error as Error).message}`, exitCode.usage);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new CliError(`${source} is not a JSON object`, exitCode.usage);
  }
  return payload as Record<string, unknown>;
}
