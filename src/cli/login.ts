import type { Command } from 'commander';
import { createClient } from './client.js';
import { configPath, readConfig, writeConfig } from './config-file.js';
import { DEFAULT_SERVER, normalizeServer } from './connection.js';
import { usage } from './errors.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line from the terminal without echoing it (the token must not land in scrollback). */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let text = '';
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(text);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(usage('login canceled'));
          return;
        }
        if (ch === '\u007f') text = text.slice(0, -1);
        else text += ch;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

/**
 * `hookline login`: checks the token against the server, then stores both in
 * the config file (mode 0600). The token is read from stdin or a hidden
 * prompt, never from argv (which other users can read in `ps`), and never printed.
 */
export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('store the server URL and API token for the commands that follow')
    .option('--with-token', 'read the token from stdin (e.g. `echo $TOKEN | hookline login --with-token`)')
    .action(async (o: { withToken?: boolean }, cmd: Command) => {
      const stored = readConfig();
      const flag = cmd.optsWithGlobals().server as string | undefined;
      const server = normalizeServer(
        flag ?? (process.env.HOOKLINE_SERVER_URL || stored.server || DEFAULT_SERVER),
      );
      let token: string;
      if (o.withToken || !process.stdin.isTTY) token = await readStdin();
      else token = await promptHidden(`API token for ${server} (hk_..., printed by \`hookline serve\`): `);
      token = token.trim();
      if (token === '') throw usage('no token given');
      // One request that needs the token: a wrong one is refused here, not at the next command.
      await createClient({ server, token, tokenSource: 'hookline login' }).request('GET', '/api/v1/app', {
        query: { limit: 1 },
      });
      writeConfig({ ...stored, server, tokens: { ...stored.tokens, [server]: token } });
      process.stdout.write(`logged in to ${server} (token stored in ${configPath()})\n`);
    });

  program
    .command('logout')
    .description('forget the stored token of the server')
    .action((_o: unknown, cmd: Command) => {
      const stored = readConfig();
      const flag = cmd.optsWithGlobals().server as string | undefined;
      const server = normalizeServer(
        flag ?? (process.env.HOOKLINE_SERVER_URL || stored.server || DEFAULT_SERVER),
      );
      const { [server]: _, ...tokens } = stored.tokens ?? {};
      writeConfig({ ...stored, tokens });
      process.stdout.write(`logged out of ${server}\n`);
    });
}
