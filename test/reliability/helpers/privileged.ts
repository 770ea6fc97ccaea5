import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/**
 * Tests that need root powers (mounting a tmpfs, running initdb as the
 * postgres user) skip with a visible reason on a laptop, and fail instead
 * under HOOKLINE_REQUIRE_SERVICES=1 (CI runs as root and must run them).
 */
export function unavailable(what: string, why: string): true {
  const text = `${what}: ${why}`;
  if (process.env.HOOKLINE_REQUIRE_SERVICES === '1') throw new Error(`${text}; HOOKLINE_REQUIRE_SERVICES=1`);
  console.warn(`\n[hookline] SKIPPING ${text}. Set HOOKLINE_REQUIRE_SERVICES=1 to fail.\n`);
  return true;
}

/** Mounts a tmpfs of `size` (e.g. '4m') on `dir`; the error text when that is not permitted. */
export function mountTmpfs(dir: string, size: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err).trim() || String(err);
  }
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    // Not mounted (the mount failed, or an earlier unmount ran).
  }
}

/** The directory of PostgreSQL's server binaries (initdb, pg_ctl), newest version first, or null. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(`${root}/${v}/bin/initdb`)) return `${root}/${v}/bin`;
  return null;
}
