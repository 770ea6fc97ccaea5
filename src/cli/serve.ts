import type { Command } from 'commander';
import { type RawConfig, loadConfig, rawFromEnv } from '../config.js';
import type { Server } from '../server.js';
import { banner, bannerRecords } from './banner.js';
import { textDestination } from './log-text.js';
import { addConfigOptions, rawFromOptions } from './options.js';

/** `hookline serve`: the API and/or worker until SIGTERM/SIGINT, then a graceful stop. */
export function registerServe(program: Command): void {
  const cmd = program.command('serve').description('run the Hookline API and delivery worker');
  addConfigOptions(cmd);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const raw: RawConfig = { ...rawFromEnv(process.env), ...rawFromOptions(options) };
    const config = loadConfig(raw);
    // Loaded here, not at the top: the client commands never need the server (fastify, the stores).
    const [{ pino }, { startServer }] = await Promise.all([import('pino'), import('../server.js')]);
    const logOptions = {
      level: config.logLevel,
      redact: ['apiToken', 'encryptionKey', 'req.headers.authorization'],
    };
    // One format per output: text on a terminal (like the banner), JSON lines for a collector.
    const logger = process.stdout.isTTY
      ? pino(logOptions, textDestination(process.stdout))
      : pino(logOptions);
    let running: Server | undefined;
    const server = await startServer(config, logger, {
      onFatal: (err) => {
        logger.error({ err }, 'delivery stopped working; exiting so a supervisor restarts this process');
        void (running?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
      },
    });
    running = server;
    // Before "listening" is announced: whoever waits for that line may stop us at once.
    let signals = 0;
    const shutdown = (signal: string) => {
      signals++;
      if (signals > 1) process.exit(1); // a second signal means "now"
      logger.info({ signal }, 'stopping: finishing deliveries in flight');
      server.stop().then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, 'error while stopping');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    // One format per output: the text banner on a terminal, JSON log records otherwise.
    if (process.stdout.isTTY) process.stdout.write(banner(config, server));
    else {
      // Always shown, like the text banner, whatever --log-level says.
      const startLog = pino({ ...logOptions, level: 'info' });
      for (const r of bannerRecords(config, server)) startLog[r.level](r.fields, r.msg);
    }
  });
}
