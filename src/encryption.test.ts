import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig } from './config.js';
import { generateKey, keyIdOf, parseKeys } from './core/secret-box.js';
import { resolveKeys } from './encryption.js';

describe('where the main keys come from', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const config = (over: Partial<typeof DEFAULTS>) => ({ ...DEFAULTS, ...over });

  it('generates a 0600 key file beside a SQLite database once, then reads it', () => {
    const databaseUrl = `sqlite:${join(dir, 'h.db')}`;
    const first = resolveKeys(config({ databaseUrl }), { generate: true });
    const file = join(dir, 'h.db.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.warning).toContain(file);
    const key = parseKeys(readFileSync(file, 'utf8'), 'file')[0]!;
    expect(first.keyring?.primaryId).toBe(keyIdOf(key));
    // The warning names the file, never the key.
    expect(first.warning).not.toContain(key.toString('base64'));
    const again = resolveKeys(config({ databaseUrl }), { generate: true });
    expect(again.keyring?.primaryId).toBe(first.keyring?.primaryId);
    expect(again.warning).toBeNull();
  });

  it('does not make a key up for rotation, nor for PostgreSQL (clear text, with a warning)', () => {
    expect(() =>
      resolveKeys(config({ databaseUrl: `sqlite:${join(dir, 'none.db')}` }), { generate: false }),
    ).toThrow(/cannot read .*none\.db\.key/);
    const pg = resolveKeys(config({ databaseUrl: 'postgres://127.0.0.1/x' }), { generate: true });
    expect(pg.keyring).toBeNull();
    expect(pg.warning).toMatch(/clear text/);
    expect(
      resolveKeys(config({ databaseUrl: 'sqlite::memory:' }), { generate: true }).keyring,
    ).not.toBeNull();
  });

  it('takes keys from the flag or a key file, first one encrypting, and refuses both at once', () => {
    const [a, b] = [generateKey(), generateKey()];
    const fromFlag = resolveKeys(loadConfig({ encryptionKey: `${a},${b}` }), { generate: true });
    expect(fromFlag.keyring?.ids).toEqual([a, b].map((k) => keyIdOf(Buffer.from(k, 'base64'))));
    const file = join(dir, 'keys');
    writeFileSync(file, `# new\n${b}\n# old\n${a}\n`);
    const fromFile = resolveKeys(loadConfig({ encryptionKeyFile: file }), { generate: true });
    expect(fromFile.keyring?.primaryId).toBe(keyIdOf(Buffer.from(b, 'base64')));
    expect(() => loadConfig({ encryptionKey: a, encryptionKeyFile: file })).toThrow(/not both/);
    expect(() => loadConfig({ encryptionKey: 'short' })).toThrow(
      /invalid --encryption-key \(HOOKLINE_ENCRYPTION_KEY\): key 1 of 1 is not 32 bytes/,
    );
  });
});
