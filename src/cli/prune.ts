import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { DEFAULTS, databaseUrl, loadPruneOptions, OPTION_NAMES } from '../config.js';

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
      const { olderThanMs, batchSize, pauseMs, everyMs } = loadPruneOptions({
        olderThan: options.olderThan ?? '',
        batchSize: options.batchSize ?? '1000',
        pause: options.pause ?? '0ms',
        every: options.every,
      });
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
