// Where the `herald` client commands find Herald: HERALD_URL and HERALD_TOKEN, read here
// because only the config modules read the environment. Unset, the commands fall back to the
// local node's own settings (see src/cli/connection.ts).
export type ClientSettings = { url?: string; token?: string };

export function clientSettings(
  env: Record<string, string | undefined> = process.env,
): ClientSettings {
  const settings: ClientSettings = {};
  if (env.HERALD_URL) settings.url = env.HERALD_URL;
  if (env.HERALD_TOKEN) settings.token = env.HERALD_TOKEN;
  return settings;
}
