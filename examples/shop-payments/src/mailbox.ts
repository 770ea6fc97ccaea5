import { existsSync, readFileSync } from 'node:fs';

/** One email as the mail sink stored it: the envelope, the headers that matter, the text. */
export interface StoredEmail {
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  /** The shop's own headers: which payment and which webhook delivery produced the email. */
  paymentId: string | null;
  eventType: string | null;
  webhookId: string | null;
  text: string;
}

/** Every email the sink has stored, oldest first. The sink appends one JSON line per email. */
export function readMailbox(path: string): StoredEmail[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StoredEmail);
}

/**
 * Just enough of RFC 5322 for the emails the shop sends (ASCII, one text part):
 * unfolded headers, lower-cased names, and the body after the blank line.
 */
export function parseEmail(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, text: body.replace(/\r\n/g, '\n').trim() };
}
