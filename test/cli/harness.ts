import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import { type Config, DEFAULTS } from '../../src/config.js';
import { type Server, startServer } from '../../src/server.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TOKEN = 'hk_cli_test_token_0123456789';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
}

let bundled: Promise<string> | undefined;
const BUNDLE_DIR = join(ROOT, 'dist', `cli-test-${process.pid}-${Date.now()}`);
// Registered while the importing test file is collected, so it runs after that file's tests.
afterAll(() => rmSync(BUNDLE_DIR, { recursive: true, force: true }));

/**
 * src/cli/main.ts bundled once per test file with esbuild (tsx's own compiler),
 * dependencies left as imports: each run is then a plain `node` start, not a
 * TypeScript compile of the whole CLI, which took seconds per command on a
 * loaded machine. It sits in dist/ so main.ts finds ../../package.json as built.
 */
export function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const outdir = BUNDLE_DIR;
    await build({
      entryPoints: [join(ROOT, 'src/cli/main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // Split, so the server half (fastify, the stores) stays behind serve's dynamic import.
      splitting: true,
      outdir,
      outExtension: { '.js': '.mjs' },
      logLevel: 'error',
    });
    // The stores read their migrations beside their code, as the build lays them out (scripts/copy-sql.mjs).
    cpSync(join(ROOT, 'src/store/migrations'), join(outdir, 'migrations'), { recursive: true });
    return join(outdir, 'main.mjs');
  })();
  return bundled;
}

/** Runs the CLI as a user would, as its own OS process, with a private config dir and HOME. */
export async function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const main = await cliBundle();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('HOOKLINE_')) delete env[key];
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [main, ...args], {
      cwd: ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
    proc.stdin.end(opts.input ?? '');
  });
}

export interface TestServer {
  url: string;
  server: Server;
  /** Env for runCli: this server, its token, a private config dir. */
  env: Record<string, string>;
  dir: string;
  close(): Promise<void>;
}

/** A real Hookline (API and worker) on a fresh SQLite file and an OS-chosen port, in this process. */
export async function startTestServer(
  overrides: { role?: 'all' | 'api'; apiToken?: string; config?: Partial<Config>; dir?: string } = {},
): Promise<TestServer> {
  const dir = overrides.dir ?? mkdtempSync(join(tmpdir(), 'hookline-cli-'));
  const server = await startServer(
    {
      ...DEFAULTS,
      port: 0,
      databaseUrl: `sqlite:${join(dir, 'cli.db')}`,
      apiToken: overrides.apiToken ?? TOKEN,
      role: overrides.role ?? 'all',
      allowPrivateNetworks: true,
      retrySchedule: [60_000],
      pollIntervalMs: 50,
      ...overrides.config,
    },
    pino({ level: 'silent' }),
  );
  return {
    url: server.url,
    server,
    dir,
    env: {
      HOOKLINE_SERVER_URL: server.url,
      HOOKLINE_API_TOKEN: overrides.apiToken ?? TOKEN,
      XDG_CONFIG_HOME: join(dir, 'config'),
      HOME: dir,
    },
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CLI process left running (tail, listen): its output as lines, read while it runs. */
export interface RunningCli {
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export async function startCli(args: string[], env: Record<string, string>): Promise<RunningCli> {
  const main = await cliBundle();
  const full: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(full)) if (key.startsWith('HOOKLINE_')) delete full[key];
  Object.assign(full, env);
  const proc = spawn(process.execPath, [main, ...args], {
    cwd: ROOT,
    env: full,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running: RunningCli = {
    stdout: [],
    stderr: [],
    exited: new Promise((resolve) => proc.on('close', (code) => resolve(code))),
    kill: (signal) => proc.kill(signal),
  };
  const collect = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      into.push(...lines);
    };
  };
  proc.stdout.on('data', collect(running.stdout));
  proc.stderr.on('data', collect(running.stderr));
  return running;
}

/** Parses a --json output, failing the test with the CLI's own words when it is not JSON. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
export function json(result: CliResult): any {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
}
