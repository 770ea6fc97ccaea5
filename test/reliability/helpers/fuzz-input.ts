import fc from 'fast-check';

/**
 * fast-check arbitraries for hostile API input: path segments, query strings,
 * JSON bodies (valid JSON of any shape, known fields with wrong types, broken
 * JSON) and headers. Known names come first so random input reaches the
 * validators rather than only the "unknown field" path.
 */

/** Text of every kind: ASCII, any Unicode code point (lone surrogates included), and long runs. */
export const anyText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'null',
    '-1',
    '0',
    '1e400',
    '\u202e',
    'é',
    '😀',
    '__proto__',
    'constructor',
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** A path segment, ready to put in a URL. Raw forms (bad %-escapes, dots) are sent as is. */
export function pathSegment(realIds: string[]): fc.Arbitrary<string> {
  const raw = fc.constantFrom('%', '%ZZ', '%00', '%C0%AF', '..', '.', '%2F', 'a%2Fb', '%E2%82', '%uFFFF');
  return fc.oneof(
    { arbitrary: realIds.length > 0 ? fc.constantFrom(...realIds) : fc.constant('none'), weight: 4 },
    { arbitrary: anyText.filter((s) => s.length > 0).map(encodeURIComponent), weight: 3 },
    { arbitrary: fc.integer({ min: 1000, max: 1100 }).map((n) => 'a'.repeat(n)), weight: 1 },
    { arbitrary: raw, weight: 1 },
  );
}

const queryValue = fc.oneof(
  anyText,
  fc.integer().map(String),
  fc.constantFrom(
    'true',
    'false',
    '1',
    '0',
    '-1',
    '251',
    '99999999999999999999',
    'NaN',
    '2020-01-01T00:00:00Z',
  ),
  fc.constantFrom('msg_', 'ep_', 'app_', 'atmpt_', 'iter_').map((p) => `${p}${'0'.repeat(27)}`),
);

/**
 * `?a=1&b=...` over the route's own parameter names (its OpenAPI entry), some
 * repeated. Only those: the API ignores names it does not know, and the test
 * suite's contract check (test/setup/api-contract.ts) counts an accepted
 * request with an unlisted name as a mismatch.
 */
export function queryString(names: readonly string[]): fc.Arbitrary<string> {
  if (names.length === 0) return fc.constant('');
  return fc.array(fc.tuple(fc.constantFrom(...names), queryValue), { maxLength: 6 }).map((pairs) => {
    const params = new URLSearchParams();
    for (const [k, v] of pairs) params.append(k, v);
    const text = params.toString();
    return text === '' ? '' : `?${text}`;
  });
}

const FIELDS = [
  'name',
  'uid',
  'rateLimit',
  'metadata',
  'url',
  'description',
  'filterTypes',
  'channels',
  'secret',
  'key',
  'headers',
  'disabled',
  'version',
  'maxInFlight',
  'ordered',
  'secretKind',
  'eventType',
  'eventId',
  'payload',
  'tags',
  'payloadRetentionPeriod',
  'archived',
  'deprecated',
  'schemas',
  'featureFlag',
  'since',
  'until',
  'application',
];
const anyValue = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
  { arbitrary: anyText, weight: 2 },
  { arbitrary: fc.array(anyText, { maxLength: 300 }), weight: 1 },
  { arbitrary: fc.dictionary(anyText, anyText, { maxKeys: 5 }), weight: 1 },
  { arbitrary: fc.constantFrom(null, true, -1, 0, 1.5, 2 ** 53, -(2 ** 63), 1e308), weight: 1 },
  { arbitrary: fc.constantFrom('https://example.com/hook', 'http://127.0.0.1:1/x', 'whsec_AAAA'), weight: 1 },
);

/** Nested `levels` deep: around and past the API's nesting limit. */
const deep = fc.integer({ min: 100, max: 300 }).map((levels) => `${'['.repeat(levels)}${']'.repeat(levels)}`);

/** A request body as the raw text sent. */
export const body = fc.oneof(
  {
    arbitrary: fc
      .dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 8 })
      .map((o) => JSON.stringify(o)),
    weight: 5,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), weight: 2 },
  { arbitrary: fc.dictionary(anyText, anyValue, { maxKeys: 5 }).map((o) => JSON.stringify(o)), weight: 1 },
  { arbitrary: deep, weight: 1 },
  {
    arbitrary: fc.constantFrom('', '{', '{"a":', 'nul', '{"a":1}}', '\u0000', '{"__proto__":{"x":1}}'),
    weight: 1,
  },
);

const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,60}$/);

/** Request headers besides the token: content types, idempotency keys and strangers. */
export const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
    ),
    'idempotency-key': headerValue,
    'x-random': headerValue,
    accept: fc.constantFrom('*/*', 'text/html', 'application/json', 'x/y'),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', 'x'),
  },
  { requiredKeys: [] },
);

/** Whose token: ours almost always, so input reaches the routes; sometimes none or a stranger's. */
export const token = fc.oneof(
  { arbitrary: fc.constant('valid' as const), weight: 18 },
  { arbitrary: fc.constantFrom('none' as const, 'wrong' as const), weight: 1 },
);
