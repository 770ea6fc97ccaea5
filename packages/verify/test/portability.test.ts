import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');
const files = (readdirSync(src, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(src, f));
// The node:http, Express and Fastify adapters run on Node by definition; everything else must not need it.
const nodeOnly = new Set(['adapters/node.ts', 'adapters/express.ts', 'adapters/fastify.ts']);

describe('portability and size', () => {
  it('has zero runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('uses only Web-standard APIs outside the Node adapters (no node: imports, no Buffer)', () => {
    const portable = files.filter((f) => !nodeOnly.has(relative(src, f)));
    expect(portable.length).toBeGreaterThan(10);
    for (const file of portable) {
      const code = readFileSync(file, 'utf8');
      expect(code, file).not.toMatch(/^import (?!type )[^;]*from '(node:|pg|ioredis|better-sqlite3)/m);
      expect(code, file).not.toMatch(/\bBuffer\.\w|\brequire\(/);
    }
  });

  it('imports the database clients nowhere at runtime', () => {
    for (const file of files) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(
        /from '(pg|ioredis|better-sqlite3|express|fastify|hono)'/,
      );
    }
  });

  it('keeps the Standard Webhooks core under 200 lines', () => {
    expect(readFileSync(join(src, 'standard.ts'), 'utf8').split('\n').length).toBeLessThan(200);
  });
});
