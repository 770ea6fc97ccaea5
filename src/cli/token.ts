import type { Command } from 'commander';
import { DEFAULTS, databaseUrl, OPTION_NAMES } from '../config.js';
import {
  API_TOKEN_CREATED_SETTING,
  API_TOKEN_SETTING,
  apiTokenFingerprint,
  apiTokenMatches,
  generateApiToken,
  hashApiToken,
  isApiTokenHash,
} from '../core/api-token.js';
import type { Store } from '../store/store.js';
import { failure } from './errors.js';
import { printJson, wantsJson } from './output.js';

const RESTART_NOTE =
  'Servers read the stored token when they start: restart them. A server given --api-token / ' +
  'HOOKLINE_API_TOKEN uses that token instead of the stored one.';

async function withStore<T>(options: { database?: string }, work: (store: Store) => Promise<T>): Promise<T> {
  const { env } = OPTION_NAMES.databaseUrl;
  // Loaded here, not at the top: the client commands never need the stores.
  const { openStore } = await import('../store/open.js');
  const store = await openStore(databaseUrl(options.database ?? process.env[env] ?? DEFAULTS.databaseUrl));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * `hookline token show|rotate`, against the database, for operators. The
 * token is stored only as its SHA-256 (core/api-token.ts), so `show` can say
 * that one exists, its fingerprint and when it was set, never the token;
 * `rotate` makes a new one, prints it once and stores its hash.
 */
export function registerToken(program: Command): void {
  const { flag, env } = OPTION_NAMES.databaseUrl;
  const token = program.command('token').description('the API token stored in the database (operators)');
  const dbOption = [
    `${flag} <url>`,
    `sqlite:<file> or postgres://... [${env}, default ${DEFAULTS.databaseUrl}]`,
  ] as const;

  token
    .command('show')
    .description('whether a token is stored, its fingerprint and when it was set (never the token)')
    .option(...dbOption)
    .action(async (options: { database?: string }, cmd: Command) => {
      const info = await withStore(options, async (store) => ({
        stored: await store.settings.get(API_TOKEN_SETTING),
        createdAt: await store.settings.get(API_TOKEN_CREATED_SETTING),
      }));
      if (info.stored === null) {
        throw failure(
          'no API token is stored yet: the first `hookline serve` generates one (or run `hookline token rotate`)',
        );
      }
      const hashed = isApiTokenHash(info.stored);
      const hash = hashed ? info.stored : hashApiToken(info.stored);
      const given = process.env.HOOKLINE_API_TOKEN;
      const out = {
        stored: true,
        hashed,
        fingerprint: apiTokenFingerprint(hash),
        createdAt: info.createdAt,
        // Only when this shell has one: whether it is the stored token (compared as hashes).
        environmentTokenMatches: given ? apiTokenMatches(given, hash) : null,
      };
      if (wantsJson(cmd)) {
        printJson(out);
        return;
      }
      const lines = [
        `API token: stored ${hashed ? 'as its SHA-256 hash' : 'in clear text by an older version (the next server start hashes it)'}`,
        `fingerprint: ${out.fingerprint}`,
        `set: ${out.createdAt ?? 'unknown (before Hookline recorded it)'}`,
      ];
      if (given)
        lines.push(
          `HOOKLINE_API_TOKEN here: ${out.environmentTokenMatches ? 'is' : 'is NOT'} the stored token`,
        );
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  token
    .command('rotate')
    .description(
      'generate a new API token, print it once and store its hash (the old one stops working at restart)',
    )
    .option(...dbOption)
    .action(async (options: { database?: string }, cmd: Command) => {
      const fresh = generateApiToken();
      const hash = hashApiToken(fresh);
      const createdAt = new Date().toISOString();
      await withStore(options, async (store) => {
        await replaceSetting(store, API_TOKEN_SETTING, hash);
        await replaceSetting(store, API_TOKEN_CREATED_SETTING, createdAt);
      });
      if (wantsJson(cmd)) {
        printJson({ token: fresh, fingerprint: apiTokenFingerprint(hash), createdAt });
        return;
      }
      process.stdout.write(
        `New API token (shown this once; only its hash is stored):\n  ${fresh}\nfingerprint: ${apiTokenFingerprint(hash)}\n${RESTART_NOTE}\n`,
      );
    });
}

/** Sets a setting whatever it holds now: replace what is there, or store it when there is nothing. */
async function replaceSetting(store: Store, name: string, value: string): Promise<void> {
  for (let tries = 0; tries < 5; tries++) {
    const current = await store.settings.get(name);
    if (current === null) {
      if ((await store.settings.getOrSet(name, value)) === value) return;
    } else if (await store.settings.replace(name, current, value)) {
      return;
    }
  }
  throw failure(`could not store ${name}: it kept changing (another rotation running?)`);
}
