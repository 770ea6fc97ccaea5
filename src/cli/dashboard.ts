import type { Command } from 'commander';
import { clientFor } from './client.js';
import { failure } from './errors.js';
import { printDone } from './output.js';

/**
 * `hookline dashboard`: the sign-in link of the operator dashboard for the
 * server and token this CLI uses. The token rides in the fragment (`#token=`),
 * which browsers never send, so it reaches no log; the page moves it to
 * session storage and drops it from the address bar.
 */
export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('print a sign-in link to the operator dashboard')
    .action(async (_options: unknown, cmd: Command) => {
      const client = clientFor(cmd);
      const { token, server } = client.connection;
      if (token === null) {
        throw failure('no API token: set HOOKLINE_API_TOKEN or run `hookline login` first');
      }
      // Proves the token before handing out a link that would only fail in the browser.
      await client.request('GET', '/api/v1/auth/session');
      const url = `${server}/#token=${encodeURIComponent(token)}`;
      printDone(
        cmd,
        { url },
        `${url}\n(the link carries your API token: open it yourself, share it with no one)`,
      );
    });
}
