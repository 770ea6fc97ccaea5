import { describe, expect, it } from 'vitest';
import { jsonDepth, MAX_JSON_DEPTH } from './body.js';

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['{"a":"[[[[{{{{"}', 1],
    ['{"a":"\\"[[["}', 1],
    ['[[],[[]]]', 3],
  ])('%s is %i deep', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });

  it('measures documents far deeper than the limit', () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    expect(jsonDepth(deep)).toBe(20_000);
    expect(jsonDepth(deep)).toBeGreaterThan(MAX_JSON_DEPTH);
  });
});
