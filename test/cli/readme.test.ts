import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type Config, DEFAULTS, OPTION_NAMES } from '../../src/config.js';
import { defaultText } from '../../src/cli/options.js';
import { until } from '../helpers/until.js';
import { cliBundle, ROOT, runCli, startCli, startTestServer, type TestServer } from './harness.js';

const run = promisify(execFile);
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The fenced blocks of one README section, with their language. */
function blocks(section: string): { lang: string; code: string }[] {
  const start = readme.indexOf(`## ${section}\n`);
  const end = readme.indexOf('\n## ', start + 1);
  const text = readme.slice(start, end === -1 ? undefined : end);
  return [...text.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] ?? '', code: m[2] ?? '' }));
}

let hl: TestServer | undefined;
const scratch = join(ROOT, 'dist', `readme-test-${process.pid}`);
afterAll(async () => {
  await hl?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("README's Quick start, as a script", () => {
  const [server, client, code] = blocks('Quick start');

  it('starts the server with the token the client commands use', () => {
    expect(server?.lang).toBe('sh');
    expect(server?.code).toMatch(/^npm ci\nexport HOOKLINE_API_TOKEN=(\S+)\nnpx hookline serve\n$/);
  });

  it('the client steps work pasted literally, and again on a second run', async () => {
    const token = /HOOKLINE_API_TOKEN=(\S+)/.exec(server?.code ?? '')?.[1] ?? '';
    expect(client?.lang).toBe('sh');
    expect(client?.code).toContain(`export HOOKLINE_API_TOKEN=${token}\n`);
    // API only: the example endpoint (shop.example) must not be looked up from a test.
    hl = await startTestServer({ role: 'api', apiToken: token });
    // `npx hookline` runs this checkout's CLI; the shim runs the same code without npm's start-up cost.
    mkdirSync(join(scratch, 'bin'), { recursive: true });
    const shim = join(scratch, 'bin', 'npx');
    writeFileSync(
      shim,
      `#!/bin/sh\n[ "$1" = hookline ] || exit 97\nshift\nexec "${process.execPath}" "${await cliBundle()}" "$@"\n`,
    );
    chmodSync(shim, 0o755);
    const env = {
      PATH: `${join(scratch, 'bin')}:${process.env.PATH}`,
      HOME: hl.dir,
      XDG_CONFIG_HOME: join(hl.dir, 'config'),
      HOOKLINE_SERVER_URL: hl.url,
    };
    for (const round of [1, 2]) {
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', client?.code ?? ''], {
        env,
        cwd: ROOT,
      });
      expect(stdout, `round ${round}`).toMatch(/^application app_\w+ \(acme\): Acme Shop\n/);
      expect(stdout).toMatch(/\nwhsec_\S+\n$/);
    }
    const res = await fetch(`${hl.url}/api/v1/app/acme/endpoint`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(1);

    // The Svix snippet, saved as quickstart.mjs and run with node.
    expect(code?.lang).toBe('js');
    const file = join(scratch, 'quickstart.mjs');
    writeFileSync(file, code?.code ?? '');
    const { stdout } = await run(process.execPath, [file], {
      env: { ...env, HOOKLINE_API_TOKEN: token },
      cwd: ROOT,
    });
    expect(stdout).toMatch(/^sent msg_\w+\n$/);
  });

  it('`npx hookline` resolves to this checkout from a clone', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await run('npx', ['--no', '--', 'hookline', '--version'], { cwd: ROOT });
    expect(stdout.trim()).toBe(version);
  });
});

describe("README's configuration table", () => {
  it('shows each default as `serve --help` does', () => {
    for (const key of Object.keys(OPTION_NAMES) as (keyof Config)[]) {
      const text = defaultText(key);
      if (text === undefined || typeof DEFAULTS[key] === 'boolean') continue;
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${OPTION_NAMES[key].flag}\` |`));
      expect(row, OPTION_NAMES[key].flag).toBeDefined();
      expect(row?.split(' | ')[2], OPTION_NAMES[key].flag).toMatch(
        new RegExp(`^\`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``),
      );
    }
  });
});

describe("README's Develop locally commands", () => {
  /** `npx hookline ...` lines of the section's first block, as argv (single quotes kept together, comments dropped). */
  const commands = (blocks('Develop locally')[0]?.code ?? '')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, ''))
    .filter((line) => line.startsWith('npx hookline '))
    .map((line) =>
      (line.slice('npx hookline '.length).match(/'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^'|'$/g, '')),
    );

  it('listen and tail start as written, and the message they show is sent', async () => {
    expect(commands.map((c) => c[0])).toEqual(['listen', 'tail', 'msg']);
    const dev = await startTestServer();
    try {
      await runCli(['app', 'create', '--name', 'Acme Shop', '--uid', 'acme'], { env: dev.env });
      const [listen, tail, send] = commands as [string[], string[], string[]];
      // Whatever may listen on this machine's port 3000 is not ours: the same command, aimed at a closed port.
      const closed = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const listener = await startCli(
        listen.map((a) => a.replace('localhost:3000', `localhost:${closed}`)),
        dev.env,
      );
      const tailer = await startCli(tail, dev.env);
      await until(() => listener.stderr.includes('Ready. Waiting for events (Ctrl-C to stop).'));
      await until(() => tailer.stderr.includes('waiting for attempts (Ctrl-C to stop)'));
      const sent = await runCli(send, { env: dev.env });
      expect(sent.stderr).toBe('');
      expect(sent.code).toBe(0);
      // Nothing listens there: listen reports that, and tail shows the failed attempt.
      await until(() => listener.stdout.some((l) => l.includes(' order.paid ')));
      await until(() => tailer.stdout.some((l) => l.includes(' order.paid ')));
      for (const cli of [listener, tailer]) cli.kill('SIGINT');
      expect(await Promise.all([listener.exited, tailer.exited])).toEqual([0, 0]);
    } finally {
      await dev.close();
    }
  });
});
