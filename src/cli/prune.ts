import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { DEFAULTS, databaseUrl, MAX_TIMER_MS, OPTION_NAMES } from '../config.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { HooklineError } from '../core/errors.js';

/** A duration flag: positive, and (for a timer) at most MAX_TIMER_MS; `--pause` may be 0. */
function durationOption(flag: string, text: string, { zero = false, timer = false } = {}): number {
  const ms = parseDuration(text);
  if (ms === undefined || (ms === 0 && !zero)) {
    throw new HooklineError(
      'CONFIG_INVALID',
      `invalid ${flag}: expected a duration like 30d, 12h or 90m, got "${text}"`,
    );
  }
  if (timer && ms > MAX_TIMER_MS) {
    throw new HooklineError(
      'CONFIG_INVALID',
      `invalid ${flag}: must be at most ${formatDuration(MAX_TIMER_MS)}`,
    );
  }
  return ms;
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 100_000) {
    throw new HooklineError(
      'CONFIG_INVALID',
      `invalid ${flag}: expected an integer from 1 to 100000, got "${text}"`,
    );
  }
  return n;
}

/**
 * `hookline prune --older-than 30d`: the retention job. Deletes messages (and
 * their deliveries and attempts) older than the given age in bounded
 * batches, so it never holds long locks against the live API and workers.
 * Messages with a delivery still pending or sending are kept (MessageRepo.prune).
 * With `--every`, it keeps running and prunes on that period (for a sidecar
 * or a one-replica deployment instead of cron).
 */
export function registerPrune(program: Command): void {
  const { flag, env } = OPTION_NAMES.databaseUrl;
  program
    .command('prune')
    .description('delete messages, deliveries and attempts older than a given age, in small batches')
    .requiredOption('--older-than <duration>', 'age of the messages to delete, e.g. 30d')
    .option(`${flag} <url>`, `sqlite:<file> or postgres://... [${env}, default ${DEFAULTS.databaseUrl}]`)
    .option('--batch-size <n>', 'messages per batch (one short transaction each)', '1000')
    .option('--pause <duration>', 'pause between batches', '0ms')
    .option('--every <duration>', 'keep running and prune on this period')
    .action(async (options: Record<string, string | undefined>) => {
      const olderThanMs = durationOption('--older-than', options.olderThan ?? '');
      const batchSize = positiveInt('--batch-size', options.batchSize ?? '1000');
      const pauseMs = durationOption('--pause', options.pause ?? '0ms', { zero: true, timer: true });
      const everyMs =
        options.every === undefined ? null : durationOption('--every', options.every, { timer: true });
      // Loaded here, not at the top: the client commands never need the stores.
      const [{ openStore }, { pruneOlderThan }] = await Promise.all([
        import('../store/open.js'),
        import('../store/prune.js'),
      ]);
      const store = await openStore(
        databaseUrl(options.database ?? process.env[env] ?? DEFAULTS.databaseUrl),
      );
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        do {
          const cutoff = new Date(Date.now() - olderThanMs);
          try {
            const deleted = await pruneOlderThan(store, cutoff, { batchSize, pauseMs, signal: stop.signal });
            process.stdout.write(`pruned ${deleted} messages created before ${cutoff.toISOString()}\n`);
          } catch (err) {
            // A one-shot run reports the failure; a periodic one outlives a database hiccup.
            if (everyMs === null) throw err;
            process.stderr.write(`hookline prune: ${err instanceof Error ? err.message : String(err)}\n`);
          }
          if (everyMs !== null) await sleep(everyMs, undefined, { signal: stop.signal }).catch(() => {});
        } while (everyMs !== null && !stop.signal.aborted);
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        await store.close();
      }
    });
}
