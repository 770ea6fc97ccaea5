/**
 * The verdict, from what the mail sink stored and what the scenario saw:
 * exactly one email per event published, none for forged or replayed
 * requests, every refusal explained, and each chaos toggle really exercised
 * (a demo whose failures never happened would prove nothing).
 */
import type { Exchange } from './edge.js';
import type { StoredEmail } from './mailbox.js';
import type { AttackResult } from './attacker.js';

export interface PublishedEvent {
  orderId: string;
  paymentId: string;
  type: 'payment.succeeded' | 'payment.refunded';
  messageId: string;
}

export interface Facts {
  events: PublishedEvent[];
  exchanges: Exchange[];
  forged?: { orderId: string; result: AttackResult };
  replay?: { result: AttackResult };
  doublePublish?: { paymentId: string; secondPublish: string; messagesWithEventId: number };
  /** Evidence per chaos toggle that it happened, or why not. */
  chaos: { toggle: string; happened: boolean; evidence: string }[];
  /** Hookline's own count of deliveries by status at the end. */
  hooklineStats?: { success: number; pending: number; sending: number; fail: number };
}

export interface Check {
  ok: boolean;
  text: string;
}

export interface Verdict {
  ok: boolean;
  checks: Check[];
  summary: string;
}

export function judge(facts: Facts, emails: StoredEmail[]): Verdict {
  const checks: Check[] = [];
  for (const e of facts.events) {
    const n = emails.filter((m) => m.paymentId === e.paymentId && m.eventType === e.type).length;
    checks.push({
      ok: n === 1,
      text: `${e.orderId} ${e.type}: ${n} email${n === 1 ? '' : 's'} (exactly 1 wanted)`,
    });
  }
  const expected = new Set(facts.events.map((e) => `${e.paymentId} ${e.type}`));
  const unexpected = emails.filter((m) => !expected.has(`${m.paymentId} ${m.eventType}`));
  checks.push({
    ok: unexpected.length === 0,
    text: `no other email: ${unexpected.length === 0 ? 'none' : unexpected.map((m) => `"${m.subject}"`).join(', ')}`,
  });
  if (facts.forged) {
    const { status, code } = facts.forged.result;
    const mailed = emails.some((m) => m.subject.includes(facts.forged!.orderId));
    checks.push({
      ok: status >= 400 && status < 500 && code !== null && !mailed,
      text: `forged payment refused: ${status} ${code ?? '(no reason)'}, ${mailed ? 'AN EMAIL WAS SENT' : 'no email'}`,
    });
  }
  if (facts.replay) {
    const { status, code } = facts.replay.result;
    checks.push({
      ok: status >= 400 && status < 500 && code !== null,
      text: `replay from an hour ago refused: ${status} ${code ?? '(no reason)'}`,
    });
  }
  if (facts.doublePublish) {
    const { paymentId, secondPublish, messagesWithEventId } = facts.doublePublish;
    checks.push({
      ok: messagesWithEventId === 1,
      text: `published twice: ${messagesWithEventId} message in Hookline for eventId ${paymentId} (second publish: ${secondPublish})`,
    });
  }
  for (const c of facts.chaos) checks.push({ ok: c.happened, text: `${c.toggle}: ${c.evidence}` });
  const refusals = facts.exchanges.filter((x) => x.status < 200 || x.status >= 300);
  const unexplained = refusals.filter((x) => x.code === null);
  checks.push({
    ok: unexplained.length === 0,
    text: `every refusal explained: ${tally(refusals) || 'none'}${unexplained.length ? `; ${unexplained.length} without a reason` : ''}`,
  });
  if (facts.hooklineStats) {
    const s = facts.hooklineStats;
    const published = new Set(facts.events.map((e) => e.messageId)).size;
    checks.push({
      ok: s.success === published && s.pending === 0 && s.sending === 0 && s.fail === 0,
      text: `Hookline: ${s.success} of ${published} deliveries succeeded, ${s.pending} pending, ${s.sending} sending, ${s.fail} failed`,
    });
  }
  const ok = checks.every((c) => c.ok);
  const summary = `${emails.length} email${emails.length === 1 ? '' : 's'} for ${facts.events.length} events`;
  return { ok, checks, summary };
}

function tally(exchanges: Exchange[]): string {
  const counts = new Map<string, number>();
  for (const x of exchanges) {
    const key = `${x.status} ${x.code ?? '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => (n > 1 ? `${key} x${n}` : key)).join(', ');
}
