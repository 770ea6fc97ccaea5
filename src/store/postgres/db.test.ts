import { describe, expect, it } from 'vitest';
import { clientConfigFor } from './db.js';

describe('clientConfigFor', () => {
  it('puts ?schema= on the search path and keeps it out of the URL pg sees', () => {
    const config = clientConfigFor('postgres://u@h:5432/db?schema=hooks_1');
    expect(config.options).toBe('-c search_path=hooks_1');
    expect(config.connectionString).not.toContain('schema');
  });

  it('refuses schema names search_path would not find as given (upper case) or that need quoting', () => {
    for (const schema of ['Hooks', 'a-b', '1st', 'x;drop']) {
      expect(() => clientConfigFor(`postgres://u@h/db?schema=${encodeURIComponent(schema)}`), schema).toThrow(
        /invalid PostgreSQL schema name/,
      );
    }
  });
});
