import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Config } from './config.js';
import { OPTION_NAMES } from './config.js';
import { HooklineError } from './core/errors.js';
import { createKeyring, generateKey, type Keyring, parseKeys } from './core/secret-box.js';

/**
 * Where the main keys come from (README "Security"):
 *
 * - `--encryption-key` / HOOKLINE_ENCRYPTION_KEY, or `--encryption-key-file`.
 * - Neither, on a SQLite file: the key file beside the database,
 *   `<database>.key`, generated (mode 0600) on first start. The embedded
 *   default thus never writes a secret in clear text, and a copy of the
 *   database alone (a backup, a support bundle) holds no readable secret.
 * - Neither, on `sqlite::memory:`: a random key held in memory (nothing is at rest).
 * - Neither, on PostgreSQL: no key, clear text, and a warning at start.
 *   Hookline cannot make one up there: its processes run on several machines
 *   and a key generated on one would be missing on the others. Refusing to
 *   start would break every existing deployment on upgrade.
 */
export interface ResolvedKeys {
  keyring: Keyring | null;
  /** Something the operator should hear at start (a generated key file, clear text); never the key. */
  warning: string | null;
}

type KeyConfig = Pick<Config, 'databaseUrl' | 'encryptionKey' | 'encryptionKeyFile'>;

function readKeyFile(path: string, source: string): Keyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HooklineError('CONFIG_INVALID', `${source}: cannot read ${path}: ${(err as Error).message}`);
  }
  return createKeyring(parseKeys(text, `${source} ${path}`));
}

/** The key file beside a SQLite database file, or null for `:memory:` and PostgreSQL. */
export function besideKeyFile(databaseUrl: string): string | null {
  if (!databaseUrl.startsWith('sqlite:')) return null;
  const path = databaseUrl.slice('sqlite:'.length);
  return path === ':memory:' ? null : `${path}.key`;
}

/**
 * The keyring for this configuration. `generate`: `hookline serve` creates
 * the SQLite key file when missing; `rotate-encryption-key` does not (a key
 * made up then could not open anything).
 */
export function resolveKeys(config: KeyConfig, opts: { generate: boolean }): ResolvedKeys {
  if (config.encryptionKey !== null) {
    const { flag, env } = OPTION_NAMES.encryptionKey;
    return { keyring: createKeyring(parseKeys(config.encryptionKey, `${flag} (${env})`)), warning: null };
  }
  if (config.encryptionKeyFile !== null) {
    const { flag, env } = OPTION_NAMES.encryptionKeyFile;
    return { keyring: readKeyFile(config.encryptionKeyFile, `${flag} (${env})`), warning: null };
  }
  if (config.databaseUrl === 'sqlite::memory:') {
    return { keyring: createKeyring(parseKeys(generateKey(), 'memory')), warning: null };
  }
  const beside = besideKeyFile(config.databaseUrl);
  if (beside === null) {
    return {
      keyring: null,
      warning:
        'no encryption key given: endpoint secrets and header values are stored in clear text in PostgreSQL; ' +
        'set --encryption-key or --encryption-key-file on every process (README "Security")',
    };
  }
  if (!opts.generate)
    return { keyring: readKeyFile(beside, 'the key file beside the database'), warning: null };
  // Written whole to a temporary file, then linked into place: the key file never exists
  // half-written (a second start reading it meanwhile would find no key), and link() never
  // overwrites, so two starts racing both end up reading the one that won.
  const temp = `${beside}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(
      temp,
      `# Hookline main key: keep it with the database, and apart from its backups\n${generateKey()}\n`,
      { mode: 0o600, flag: 'wx' },
    );
    linkSync(temp, beside);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      throw new HooklineError(
        'STORE_UNAVAILABLE',
        `cannot open SQLite database ${beside.slice(0, -'.key'.length)}: cannot create its key file ${beside}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return { keyring: readKeyFile(beside, 'the key file beside the database'), warning: null };
  } finally {
    rmSync(temp, { force: true });
  }
  return {
    keyring: readKeyFile(beside, 'the key file beside the database'),
    warning: `generated the encryption key file ${beside} (mode 0600): back it up, apart from the database; without it the stored secrets cannot be read`,
  };
}
