import { describe, expect, it } from 'vitest';
import { conflict, HooklineError } from '../../core/errors.js';
import { mapPgError, rolledBack } from './errors.js';

/** pg's DatabaseError carries the server's SQLSTATE in `code`; socket errors carry errno names. */
const pgError = (code: string, message = 'server said no') => Object.assign(new Error(message), { code });

describe('rolledBack: may a failed statement be run again without storing twice?', () => {
  it('yes when the server refused it, mapped or not', () => {
    expect(rolledBack(pgError('23505'))).toBe(true);
    expect(rolledBack(mapPgError(pgError('23505')))).toBe(true);
    expect(rolledBack(conflict('x'))).toBe(true);
    expect(rolledBack(mapPgError(pgError('23503')))).toBe(true);
  });

  it('yes for a deadlock or serialization failure, though the API reads them as unavailable', () => {
    for (const code of ['40P01', '40001', '53300', '57P03', 'ECONNREFUSED']) {
      const mapped = mapPgError(pgError(code));
      expect((mapped as HooklineError).code, code).toBe('STORE_UNAVAILABLE');
      expect(rolledBack(mapped), code).toBe(true);
    }
  });

  it('no when the connection died while the statement ran: it may have committed', () => {
    expect(rolledBack(mapPgError(pgError('ECONNRESET')))).toBe(false);
    expect(rolledBack(mapPgError(pgError('57P01')))).toBe(false);
    expect(rolledBack(mapPgError(new Error('Connection terminated unexpectedly')))).toBe(false);
    expect(rolledBack(new HooklineError('STORE_UNAVAILABLE', 'database unavailable'))).toBe(false);
  });
});
