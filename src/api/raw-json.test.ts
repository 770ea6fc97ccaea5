import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawElements, rawMember } from './raw-json.js';

describe('rawMember', () => {
  it('returns the exact text of a member, spacing and number spelling included', () => {
    const text = '{ "a" : 1, "payload" : { "big": 12345678901234567890, "x": [1.50, "}\\"]"] } , "z": null }';
    expect(rawMember(text, 'payload')).toBe('{ "big": 12345678901234567890, "x": [1.50, "}\\"]"] }');
    expect(rawMember(text, 'z')).toBe('null');
    expect(rawMember(text, 'missing')).toBeUndefined();
    expect(rawMember('[1]', 'payload')).toBeUndefined();
  });

  it('matches escaped keys and takes the last duplicate, as JSON.parse does', () => {
    expect(rawMember('{"pay\\u006coad": 1}', 'payload')).toBe('1');
    expect(rawMember('{"payload": 1, "payload": "two"}', 'payload')).toBe('"two"');
  });

  it('agrees with JSON.parse for any object and any indentation', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.jsonValue(),
        fc.nat(4),
        (rest, payload, indent) => {
          const text = JSON.stringify({ ...rest, payload }, null, indent);
          const raw = rawMember(text, 'payload');
          expect(raw).toBeDefined();
          expect(JSON.parse(raw as string)).toEqual(JSON.parse(text).payload);
        },
      ),
    );
  });
});

describe('rawElements', () => {
  it("gives each element's exact text, strings with brackets and commas included", () => {
    expect(rawElements('[ {"a": [1, 2]} , "x,]" ,3.50,null, [ ] ]')).toEqual([
      '{"a": [1, 2]}',
      '"x,]"',
      '3.50',
      'null',
      '[ ]',
    ]);
    expect(rawElements('[]')).toEqual([]);
    expect(rawElements('{"a":1}')).toBeUndefined();
  });
});
