import type { Command } from 'commander';

const SERVER_HELP =
  'Hookline server [HOOKLINE_SERVER_URL, else `hookline login`, else http://127.0.0.1:8071]';

/**
 * `--server` and `--json` on every command that talks to the API (and `--json`
 * on the local checks), placed after the command as with `gh`: `hookline app list --json`.
 */
export function addCommonOptions(program: Command, local: readonly string[]): void {
  const visit = (cmd: Command, top: string) => {
    if (cmd.commands.length > 0) {
      for (const sub of cmd.commands) visit(sub, top);
      return;
    }
    if (top === 'serve' || top === 'prune') return;
    if (!local.includes(top)) cmd.option('--server <url>', SERVER_HELP);
    cmd.option('--json', 'print JSON for scripts instead of tables');
  };
  for (const cmd of program.commands) visit(cmd, cmd.name());
}
