import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { usage } from './errors.js';

/**
 * What `hookline login` stores: the server it logged in to and one token per
 * server URL, so a token is only ever sent to the server it was given for
 * (a `--server` pointing elsewhere does not receive it).
 */
export interface StoredConfig {
  server?: string;
  tokens?: Record<string, string>;
}

/** $XDG_CONFIG_HOME/hookline/config.json, or ~/.config/hookline/config.json. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'hookline', 'config.json');
}

export function readConfig(path = configPath()): StoredConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as StoredConfig) : {};
  } catch {
    throw usage(`${path} is not valid JSON; fix or delete it, then run \`hookline login\` again`);
  }
}

/** Written with mode 0600 (and re-chmodded, in case the file existed with looser rights). */
export function writeConfig(config: StoredConfig, path = configPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
