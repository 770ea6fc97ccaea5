import { describe, expect, it } from 'vitest';
import { customHeaderNameProblem, customHeaderProblem, customHeaderValueProblem } from './custom-headers.js';

describe('custom headers', () => {
  it('allows ordinary names and values', () => {
    expect(customHeaderProblem('X-Tenant', 'acme')).toBeNull();
    expect(customHeaderProblem('authorization', 'Bearer abc\tdef')).toBeNull();
    expect(customHeaderProblem('x-empty', '')).toBeNull();
    expect(customHeaderProblem('x-latin1', 'häagen')).toBeNull();
  });

  it.each([
    'webhook-id',
    'Webhook-Signature',
    'webhook-anything',
    'svix-id',
    'Content-Type',
    'content-length',
    'Host',
    'user-agent',
    'transfer-encoding',
    'proxy-connection',
  ])('refuses the reserved name %s, naming it', (name) => {
    expect(customHeaderNameProblem(name)).toBe(`header ${name} is set by Hookline and cannot be customised`);
    expect(customHeaderProblem(name, 'x')).toContain('set by Hookline');
  });

  it.each(['__proto__', '__PROTO__'])('refuses %s, which an object would take for its prototype', (name) => {
    expect(customHeaderNameProblem(name)).toContain('prototype');
    expect(customHeaderNameProblem('x__proto__')).toBeNull();
  });

  it('refuses names that are not HTTP tokens or are too long', () => {
    for (const name of ['', 'X Space', 'x:colon', 'x\r\ny', 'é', 'x'.repeat(257)]) {
      expect(customHeaderNameProblem(name), JSON.stringify(name)).toBe('not a valid HTTP header name');
    }
    expect(customHeaderNameProblem('x'.repeat(256))).toBeNull();
  });

  it('refuses values with control characters or over 4096 characters', () => {
    for (const value of [
      'a\r\nInjected: 1',
      'a\nb',
      'a\rb',
      'nul\u0000',
      'bell\u0007',
      'del\u007f',
      '✓',
      'x'.repeat(4097),
    ]) {
      expect(customHeaderValueProblem(value), JSON.stringify(value)).toContain('CR, LF');
    }
    expect(customHeaderValueProblem('x'.repeat(4096))).toBeNull();
  });

  it('reports the name problem first', () => {
    expect(customHeaderProblem('webhook-id', 'a\nb')).toContain('set by Hookline');
    expect(customHeaderProblem('X-Ok', 'a\nb')).toContain('CR, LF');
  });
});
