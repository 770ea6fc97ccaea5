/**
 * @hookline/verify as users install it: the npm pack tarball (built by its own
 * prepack) installed into an empty project, then the README's Express
 * receivers run as written, in ESM and in CommonJS, and a TypeScript consumer
 * of each module system compiled against the shipped types.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret, testHeaders } from '@hookline/verify';
import { installTarball, packVerify } from '../../../scripts/pack-verify.js';

const root = new URL('../../..', import.meta.url).pathname;
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'hookline-verify-user-'));
const children: ChildProcess[] = [];

/** The README's fenced block whose first line is `firstLine`. */
function readmeBlock(firstLine: string): string {
  const block = readme.split('```').find((b) => b.split('\n')[1] === firstLine);
  if (!block) throw new Error(`README has no block starting with ${firstLine}`);
  return block.slice(block.indexOf('\n') + 1);
}

beforeAll(async () => {
  const tarball = await packVerify(dir);
  const app = join(dir, 'app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  writeFileSync(join(app, 'package.json'), '{ "private": true }\n');
  await installTarball(tarball, app);
  // express as the user would have it; the repository's copy, so no network is needed.
  symlinkSync(join(root, 'node_modules/express'), join(app, 'node_modules/express'));
}, 180_000);

afterAll(() => {
  for (const child of children) child.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('the packed @hookline/verify', () => {
  it('installs with no dependencies, and the README says how', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'app/node_modules/@hookline/verify/package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(readme).toContain('npm i @hookline/verify');
  });

  for (const [file, firstLine] of [
    ['server.mjs', '// server.mjs (ESM)'],
    ['server.cjs', '// server.cjs (CommonJS)'],
  ] as const) {
    it(`runs the README's ${file} as written: verified requests reach the handler, forged ones get 401`, async () => {
      writeFileSync(join(dir, 'app', file), readmeBlock(firstLine));
      const secret = generateSecret();
      const port = await freePort();
      const child = spawn(process.execPath, [file], {
        cwd: join(dir, 'app'),
        env: { ...process.env, WEBHOOK_SECRET: secret, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const url = `http://127.0.0.1:${port}/webhooks`;

      const good = await testHeaders(secret, { type: 'invoice.paid' }, { id: 'msg_readme' });
      const answer = await retryWhileStarting(
        () => fetch(url, { method: 'POST', ...good }),
        () => output,
      );
      expect(answer.status, output).toBe(204);
      await waitUntil(() => output.includes('verified msg_readme'));
      expect(output).toContain("{ type: 'invoice.paid' }");

      const forged = await testHeaders(generateSecret(), { type: 'invoice.paid' }, { id: 'msg_forged' });
      const refused = await fetch(url, { method: 'POST', ...forged });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { code: string }).code).toBe('NO_MATCHING_SIGNATURE');
      expect(output).not.toContain('msg_forged');
      child.kill();
    });
  }

  it('type-checks an ESM and a CommonJS TypeScript consumer against the shipped types', async () => {
    const consumer = (load: string) => `${load}
const guard = createIdempotencyGuard(memoryStore());
export async function receive(body: string, headers: Record<string, string>): Promise<string | undefined> {
  const event: VerifiedWebhook = await verify(body, headers, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  const outcome = await guard.once(event.id, () => 1);
  return outcome.status === 'processed' ? event.id : undefined;
}
// @ts-expect-error the types are real: a name the package does not export is an error
verifyEverything();
`;
    writeFileSync(
      join(dir, 'app/consumer.mts'),
      consumer(
        "import { createIdempotencyGuard, memoryStore, verify, type VerifiedWebhook } from '@hookline/verify';",
      ),
    );
    writeFileSync(
      join(dir, 'app/consumer.cts'),
      consumer(
        "import { createIdempotencyGuard, memoryStore, verify, type VerifiedWebhook } from '@hookline/verify';",
      ),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const args = [
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
    ];
    const types = [
      '--lib',
      'es2022,dom',
      '--types',
      'node',
      '--typeRoots',
      join(root, 'node_modules/@types'),
    ];
    const run = promisify(execFile);
    const result = await run(process.execPath, [tsc, ...args, ...types, 'consumer.mts', 'consumer.cts'], {
      cwd: join(dir, 'app'),
    }).catch((error: { stdout: string }) => ({ stdout: error.stdout, failed: true }));
    expect(result.stdout).toBe('');
    expect('failed' in result).toBe(false);
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The server needs a moment to listen: connection refused is retried, anything else is the answer. */
async function retryWhileStarting(request: () => Promise<Response>, output: () => string): Promise<Response> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the server never answered:\n${output()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
