import type { Command } from 'commander';
import { clientFor } from './client.js';
import { failure } from './errors.js';
import { printDone } from './output.js';

/**
 * `hookline dashboard`: a one-time sign-in link to the operator dashboard of
 * the server this CLI uses. The CLI spends its API token on a sign-in code
 * (POST /api/v1/auth/dashboard-sign-in); the link carries only that code,
 * which the page trades once, within a minute, for a session token that
 * expires in hours. So the long-lived API token never sits in a URL, and a
 * link seen later (history, a screenshot, a shared terminal) opens nothing.
 */
export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('print a one-time sign-in link to the operator dashboard (good for 60 seconds)')
    .action(async (_options: unknown, cmd: Command) => {
      const client = clientFor(cmd);
      if (client.connection.token === null) {
        throw failure('no API token: set HOOKLINE_API_TOKEN or run `hookline login` first');
      }
      const link = await client.request<{ url: string; code: string; expiresAt: string }>(
        'POST',
        '/api/v1/auth/dashboard-sign-in',
      );
      printDone(
        cmd,
        { url: link.url, expiresAt: link.expiresAt },
        `${link.url}\n(one-time sign-in link, until ${link.expiresAt}: open it yourself, share it with no one)`,
      );
    });
}
