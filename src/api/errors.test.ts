import { describe, expect, it } from 'vitest';
import { type ErrorCode, HooklineError, invalid } from '../core/errors.js';
import { HTTP_ERRORS, toErrorResponse } from './errors.js';

describe('toErrorResponse', () => {
  it('maps every error code to a status and a stable snake_case code', () => {
    for (const [code, http] of Object.entries(HTTP_ERRORS) as [
      ErrorCode,
      { status: number; code: string },
    ][]) {
      const res = toErrorResponse(new HooklineError(code, 'why'));
      expect(res.status).toBe(http.status);
      expect(http.code).toMatch(/^[a-z_]+$/);
      if (res.status !== 422) expect(res.body).toEqual({ code: http.code, detail: expect.any(String) });
      else expect(res.body).toEqual({ detail: [expect.objectContaining({ msg: 'why' })] });
    }
  });

  it('keeps validation issues and hides internal messages', () => {
    expect(toErrorResponse(invalid(['body', 'url'], 'bad url'))).toEqual({
      status: 422,
      body: { detail: [{ loc: ['body', 'url'], msg: 'bad url', type: 'value_error' }] },
    });
    expect(toErrorResponse(new HooklineError('INTERNAL', 'secret SQL detail')).body).toEqual({
      code: 'internal_error',
      detail: 'internal error',
    });
    expect(toErrorResponse(new Error('boom')).status).toBe(500);
    // A 503's cause names internal hosts: it is logged, not answered.
    const down = new HooklineError(
      'STORE_UNAVAILABLE',
      'database unavailable: connect ECONNREFUSED 10.0.0.5:5432',
    );
    expect(toErrorResponse(down)).toEqual({
      status: 503,
      body: { code: 'store_unavailable', detail: 'the database is unavailable; retry later' },
    });
  });

  it('turns Fastify 4xx errors into Svix bodies', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(toErrorResponse(tooLarge)).toEqual({
      status: 413,
      body: { code: 'payload_too_large', detail: 'Request body is too large' },
    });
    // A status without a code of its own is answered 400 bad_request: status and code agree.
    const other = Object.assign(new Error('header too long'), { statusCode: 431 });
    expect(toErrorResponse(other)).toEqual({
      status: 400,
      body: { code: 'bad_request', detail: 'header too long' },
    });
  });
});
