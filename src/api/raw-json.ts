/**
 * Finds the exact text of one member of a top-level JSON object, so a message
 * payload is stored byte for byte as the client sent it (what it signs is what
 * it sent, big integers and key order included). Only called on text that
 * JSON.parse accepted, so the scanner can trust the grammar.
 */
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const VALUE_END = new Set([',', '}', ']', ' ', '\t', '\n', '\r']);

function skipWhitespace(s: string, i: number): number {
  let j = i;
  while (j < s.length && WHITESPACE.has(s[j] as string)) j++;
  return j;
}

function skipString(s: string, i: number): number {
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else j++;
  }
  return j;
}

function skipValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return skipString(s, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    let j = i;
    while (j < s.length) {
      const ch = s[j];
      if (ch === '"') {
        j = skipString(s, j);
        continue;
      }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return j;
  }
  let j = i;
  while (j < s.length && !VALUE_END.has(s[j] as string)) j++;
  return j;
}

/** The raw text of `key` in the top-level object `text`; the last one wins, as in JSON.parse. */
export function rawMember(text: string, key: string): string | undefined {
  let i = skipWhitespace(text, 0);
  if (text[i] !== '{') return undefined;
  i++;
  let found: string | undefined;
  while (i < text.length) {
    i = skipWhitespace(text, i);
    if (text[i] !== '"') break;
    const keyEnd = skipString(text, i);
    const name: unknown = JSON.parse(text.slice(i, keyEnd));
    i = skipWhitespace(text, keyEnd) + 1; // past ':'
    i = skipWhitespace(text, i);
    const end = skipValue(text, i);
    if (name === key) found = text.slice(i, end);
    i = skipWhitespace(text, end);
    if (text[i] === ',') i++;
  }
  return found;
}

/** The raw text of each element of the top-level array `text` (e.g. a rawMember that is a list). */
export function rawElements(text: string): string[] | undefined {
  let i = skipWhitespace(text, 0);
  if (text[i] !== '[') return undefined;
  i = skipWhitespace(text, i + 1);
  const out: string[] = [];
  while (i < text.length && text[i] !== ']') {
    const end = skipValue(text, i);
    out.push(text.slice(i, end));
    i = skipWhitespace(text, end);
    if (text[i] === ',') i = skipWhitespace(text, i + 1);
  }
  return out;
}
