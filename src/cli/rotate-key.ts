import type { Command } from 'commander';
import { DEFAULTS, databaseUrl, encryptionKeys, loadRotateOptions, OPTION_NAMES } from '../config.js';
import { HooklineError } from '../core/errors.js';
import { resolveKeys } from '../encryption.js';
import { openStore } from '../store/open.js';
import { resealAll } from '../store/reseal.js';

/**
 * `hookline rotate-encryption-key`: re-encrypts every endpoint's secrets and
 * header values under the first key given, in batches (one short
 * transaction each), while servers keep running. It takes the same key
 * options as serve, with the new key first and the old ones after it
 * (README "Security" has the operator's steps). A progress line per batch.
 */
export function registerRotateKey(program: Command): void {
  const db = OPTION_NAMES.databaseUrl;
  const key = OPTION_NAMES.encryptionKey;
  const file = OPTION_NAMES.encryptionKeyFile;
  program
    .command('rotate-encryption-key')
    .description('re-encrypt endpoint secrets and header values under the first key given, in small batches')
    .option(
      `${db.flag} <url>`,
      `sqlite:<file> or postgres://... [${db.env}, default ${DEFAULTS.databaseUrl}]`,
    )
    .option(`${key.flag} <keys>`, `new key first, then the old ones, comma-separated [${key.env}]`)
    .option(`${file.flag} <path>`, `file with the keys, new key first, one a line [${file.env}]`)
    .option('--batch-size <n>', 'endpoints per batch (one short transaction each)', '500')
    .option('--pause <duration>', 'pause between batches', '0ms')
    .action(async (options: Record<string, string | undefined>) => {
      const env = (name: string) => (process.env[name] === '' ? undefined : process.env[name]);
      const { batchSize, pauseMs } = loadRotateOptions({
        batchSize: options.batchSize ?? '500',
        pause: options.pause ?? '0ms',
      });
      const url = databaseUrl(options.database ?? env(db.env) ?? DEFAULTS.databaseUrl);
      const raw = { encryptionKey: options.encryptionKey, encryptionKeyFile: options.encryptionKeyFile };
      if (raw.encryptionKey === undefined && raw.encryptionKeyFile === undefined) {
        raw.encryptionKey = env(key.env);
        raw.encryptionKeyFile = env(file.env);
      }
      const keys = encryptionKeys(raw);
      const { keyring } = resolveKeys({ databaseUrl: url, ...keys }, { generate: false });
      if (!keyring) {
        throw new HooklineError(
          'CONFIG_INVALID',
          `rotate-encryption-key needs the keys: ${key.flag} or ${file.flag} (new key first)`,
        );
      }
      const store = await openStore(url, { cipher: keyring });
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        const totals = await resealAll(store, {
          rotate: true,
          batchSize,
          pauseMs,
          signal: stop.signal,
          onBatch: (b, t) =>
            process.stdout.write(
              `batch ${t.batches}: re-encrypted ${b.resealed} of ${b.read} endpoints (through ${b.last}); ${t.resealed} of ${t.read} so far\n`,
            ),
        });
        process.stdout.write(
          stop.signal.aborted
            ? `stopped: re-encrypted ${totals.resealed} of the ${totals.read} endpoints read; run again to finish\n`
            : `done: ${totals.read} endpoints under key id ${keyring.primaryId} (${totals.resealed} re-encrypted); the other keys can be removed\n`,
        );
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        await store.close();
      }
    });
}
