/**
 * Packs @hookline/verify as `npm publish` would (its prepack builds it) and
 * installs the tarball into a directory, so the demo and the package tests use
 * what a user gets from `npm i @hookline/verify`, not the workspace link.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const verifyDir = join(root, 'packages/verify');
// prepack empties dist/ and rebuilds it: two packs at once (test files run in parallel) must take turns.
const lockDir = join(root, 'node_modules/.cache/hookline-verify-pack.lock');

/** Runs `npm pack` in packages/verify into `destination`; returns the tarball's path. */
export async function packVerify(destination: string): Promise<string> {
  await lock();
  try {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], {
      cwd: verifyDir,
      maxBuffer: 16 * 1024 * 1024,
    });
    // Any output of prepack comes first; the JSON report starts at the first line that is '['.
    const report = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as [{ filename: string }];
    return join(destination, report[0].filename);
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** `npm install <tarball>` in `directory` (offline: the package has no dependencies to fetch). */
export async function installTarball(tarball: string, directory: string): Promise<void> {
  await run(
    'npm',
    ['install', '--offline', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', tarball],
    { cwd: directory },
  );
}

/**
 * Installs the packed package into `directory` unless the sources it was packed
 * from are unchanged since the last install there (a hash kept beside it).
 */
export async function ensureVerifyInstalled(directory: string): Promise<'installed' | 'up to date'> {
  const stamp = join(directory, 'node_modules/.hookline-verify.sha256');
  const hash = sourceHash();
  const installed = join(directory, 'node_modules/@hookline/verify/package.json');
  if (exists(installed) && exists(stamp) && readFileSync(stamp, 'utf8') === hash) return 'up to date';
  const destination = mkdtempSync(join(tmpdir(), 'hookline-verify-pack-'));
  try {
    await installTarball(await packVerify(destination), directory);
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
  writeFileSync(stamp, hash);
  return 'installed';
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const files = [
    'package.json',
    'tsconfig.json',
    'tsconfig.cjs.json',
    'README.md',
    ...(readdirSync(join(verifyDir, 'src'), { recursive: true }) as string[]).map((f) => join('src', f)),
    ...readdirSync(join(verifyDir, 'scripts')).map((f) => join('scripts', f)),
  ].sort();
  for (const file of files) {
    const path = join(verifyDir, file);
    if (statSync(path).isFile()) hash.update(file).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}

async function lock(): Promise<void> {
  mkdirSync(join(lockDir, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A pack takes well under two minutes; an older lock was left by a killed process.
      const held = statSync(lockDir, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) {
        rmSync(lockDir, { recursive: true, force: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const exists = (path: string) => statSync(path, { throwIfNoEntry: false }) !== undefined;
