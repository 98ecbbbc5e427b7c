// The options of a benchmark script: parsed with Node's parseArgs; a bad option prints the
// error and the usage and exits 2, `--help` prints the usage and exits 0.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

export function parseOptions<T extends ParseArgsOptionsConfig>(options: T, usage: string) {
  const parse = () => parseArgs({ options }).values;
  let values: ReturnType<typeof parse>;
  try {
    values = parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return values;
}
