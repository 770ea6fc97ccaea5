import { array, int, object, ref, type Schema, str } from './schema.js';

/** The error bodies of api/errors.ts: `{code, detail}`, and 422 `{detail: [{loc, msg, type}]}`. */
export const errorSchemas: Record<string, Schema> = {
  HttpErrorOut: object(
    {
      code: str({ description: 'Stable snake_case code (docs/api.md, Errors)', examples: ['not_found'] }),
      detail: str({ description: 'What went wrong, for people' }),
    },
    ['code', 'detail'],
  ),
  ValidationErrorItem: object(
    {
      loc: array(
        { anyOf: [str(), int()] },
        { description: 'Where: `body`, `query` or `path`, then the field' },
      ),
      msg: str(),
      type: str({ examples: ['value_error.missing'] }),
    },
    ['loc', 'msg', 'type'],
  ),
  HTTPValidationError: object({ detail: array(ref('ValidationErrorItem')) }, ['detail']),
};

const ERROR_MEANINGS: Record<string, string> = {
  '400': 'Malformed JSON (`bad_request`)',
  '401':
    'No token, a wrong one, or an expired or revoked app-portal or dashboard session token (`authentication_failed`); ' +
    'a dashboard sign-in code that is unknown, used or expired (`sign_in_code_invalid`)',
  '403': 'An app-portal token outside its application or capabilities (`forbidden`)',
  '404': 'No such resource (`not_found`)',
  '409':
    'Already exists (`conflict`), the first request with this Idempotency-Key is still running (`idempotency_in_progress`), ' +
    'a resend of a message whose content was expunged (`content_expunged`), ' +
    'or `hookline listen` on a process serving the API only (`conflict`)',
  '413': 'Body over the size limit (`payload_too_large`)',
  '415': 'Body not `application/json` (`unsupported_media_type`)',
  '422': 'Validation failed: every problem, with its location',
  '501': 'Not served by Hookline (`not_implemented`); `detail` says why',
  '5XX': 'The database is unavailable (`store_unavailable`, 503), or an internal error (500)',
};

export function errorResponse(status: string): Schema {
  const schema = status === '422' ? 'HTTPValidationError' : 'HttpErrorOut';
  return {
    description: ERROR_MEANINGS[status] ?? 'Error',
    content: { 'application/json': { schema: ref(schema) } },
  };
}
