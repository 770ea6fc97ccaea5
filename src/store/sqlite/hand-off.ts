import { randomUUID } from 'node:crypto';
import { type ClaimRow, type FieldCipher, readClaims, toClaim } from '../rows.js';
import { type ClaimedDelivery, type FreshTaker, PartialClaimError } from '../store.js';
import type { Db } from './db.js';
import { claimedRows } from './queue.js';

/** What an accept may lease (messages.ts write): none when `slots` is 0. */
export interface LeaseTerms {
  slots: number;
  /** The endpoints that may borrow (store.ts FairTerms). */
  borrowers: ReadonlySet<string>;
  leaseUntil: number;
  token: string | null;
}

export const NO_LEASE: Readonly<LeaseTerms> = Object.freeze({
  slots: 0,
  borrowers: new Set<string>(),
  leaseUntil: 0,
  token: null,
});

/** What one accept leased, to give the taker once its transaction has committed. */
export interface Leased {
  token: string;
  rows: ClaimRow[];
}

/** Terms for a taker with room, under one lease token for the group commit. */
function openTerms(taker: FreshTaker, slots: number, now: number): LeaseTerms {
  const fair = taker.fair();
  return {
    slots,
    borrowers: new Set(fair?.borrowers),
    leaseUntil: now + taker.leaseMs,
    token: randomUUID(),
  };
}

/**
 * Hands fresh deliveries to the worker of this process (store.ts FreshTaker):
 * with the API and the worker on one connection, a claim transaction per few
 * accepted messages (the worker waking, looking, leasing, reading back) cost
 * as much CPU as the accept itself. The delivery insert leases them as a claim
 * would (status sending, a token, due again when the lease expires), so a
 * crash before the send loses nothing: they are claimed again then.
 */
export function sqliteHandOff(db: Db, cipher: FieldCipher) {
  const leased = claimedRows<[string, string]>(db, 'WHERE d.msg_id = ? AND d.lease_token = ?');
  let taker: FreshTaker | null = null;
  // What the taker has room for, read once per group commit and spent message
  // by message; forgotten once the commit's callers run.
  let budget: LeaseTerms | null = null;

  return {
    /** The worker of this process takes from now on, until the returned function is called. */
    set(t: FreshTaker): () => void {
      taker = t;
      return () => {
        if (taker === t) taker = null;
      };
    },
    /** Inside the accepting transaction, before the message's deliveries are inserted. */
    terms(now: number): LeaseTerms {
      if (taker === null) return NO_LEASE;
      if (budget === null) {
        const slots = taker.room();
        budget = slots > 0 ? openTerms(taker, slots, now) : NO_LEASE;
        queueMicrotask(() => {
          budget = null;
        });
      }
      return budget;
    },
    /** Inside the transaction, after the insert leased `n` of the message's deliveries. */
    leased(msgId: string, terms: LeaseTerms, n: number): Leased | null {
      if (n === 0 || terms.token === null) return null;
      terms.slots -= n;
      return { token: terms.token, rows: leased(msgId, terms.token) };
    },
    /** After commit. A row that cannot be read (a secret no key opens) keeps its lease until it expires. */
    give(l: Leased): void {
      if (taker === null) return;
      let claims: ClaimedDelivery[];
      try {
        claims = readClaims(l.rows, toClaim(cipher, l.token));
      } catch (err) {
        if (!(err instanceof PartialClaimError)) throw err;
        claims = err.claims;
      }
      taker.take(claims);
    },
  };
}

export type HandOff = ReturnType<typeof sqliteHandOff>;
