import type {
  Application,
  Attempt,
  AttemptOutcome,
  AttemptResult,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EndpointSecret,
  ErrorClass,
  EventType,
  Message,
  Metadata,
  Trigger,
} from '../core/model.js';
import { HooklineError } from '../core/errors.js';
import { newMessage } from '../core/messages.js';
import type { EndpointPolicy, Health, HealthNews } from '../core/policy.js';
import type { OperatorSession } from '../core/operator-session.js';
import type { PortalToken } from '../core/portal-token.js';

/**
 * The one seam between Hookline and its database. SQLite and PostgreSQL
 * implement it with one data model (migrations.ts) and differ only in SQL;
 * both pass test/store/conformance.ts unchanged.
 *
 * Methods throw HooklineError: NOT_FOUND for unknown ids, CONFLICT for
 * uniqueness (uid, eventId, event type name), STORE_UNAVAILABLE when the
 * database cannot be reached. `appId` arguments are always resolved ids (the
 * API resolves uids first with apps.get).
 */
export interface Store {
  /** Applies pending numbered migrations; safe to call from many processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * Subscribes to "work became due" signals raised by other processes (messages
   * accepted, resends, recovers). PostgreSQL uses LISTEN/NOTIFY; SQLite, being
   * one process, has nothing to listen to. Returns an unsubscribe function.
   */
  watchDue?(listener: () => void): Promise<() => Promise<void>>;
  /**
   * Where the API and the worker share one process and one database
   * connection (SQLite), a message's deliveries to endpoints without limits
   * are leased to `taker` in the transaction that accepts it, as many as it
   * has room for, until the returned function is called (or another taker
   * comes). Stores without it leave everything to queue.claimDue.
   */
  handOffTo?(taker: FreshTaker): () => void;
  /**
   * What /metrics shows of the whole queue, read at scrape time: a few counts
   * over partial indexes and the endpoints table, cheap enough for every scrape.
   */
  gauges(now: Date): Promise<StoreGauges>;
  apps: AppRepo;
  eventTypes: EventTypeRepo;
  endpoints: EndpointRepo;
  messages: MessageRepo;
  queue: DeliveryQueue;
  attempts: AttemptRepo;
  idempotency: IdempotencyRepo;
  settings: SettingsRepo;
  portalTokens: PortalTokenRepo;
  operatorSessions: OperatorSessionRepo;
  tasks: TaskRepo;
}

/** Keyset pagination. `after`/`before` are ids (or names) from a previous page, exclusive. */
export interface PageQuery {
  limit: number;
  after?: string;
  before?: string;
}
/** Items in list order; `done` is true when nothing follows in the direction read. */
export interface Page<T> {
  items: T[];
  done: boolean;
}

// ---- applications -----------------------------------------------------------
export interface AppInput {
  uid: string | null;
  name: string;
  rateLimit: number | null;
  metadata: Metadata;
}
export interface AppRepo {
  /** `id` is for Hookline's own hidden application (core/operational.ts); users get generated ids. */
  create(input: AppInput, id?: string): Promise<Application>;
  /** By id or uid; null when neither matches. */
  get(idOrUid: string): Promise<Application | null>;
  /** Ascending by id; Hookline's hidden operational application is left out. */
  list(page: PageQuery): Promise<Page<Application>>;
  update(id: string, input: AppInput): Promise<Application>;
  /** Deletes the app and everything under it. */
  delete(id: string): Promise<void>;
}

// ---- event types --------------------------------------------------------------
export type EventTypeInput = Omit<EventType, 'createdAt' | 'updatedAt'>;
export interface EventTypeRepo {
  create(input: EventTypeInput): Promise<EventType>;
  get(name: string): Promise<EventType | null>;
  /** Ascending by name; archived ones only when asked. */
  list(page: PageQuery, opts: { includeArchived: boolean }): Promise<Page<EventType>>;
  update(name: string, input: EventTypeInput): Promise<EventType>;
  /** Archive (soft) or delete for good. */
  delete(name: string, opts: { expunge: boolean }): Promise<void>;
}

// ---- endpoints ----------------------------------------------------------------
export type EndpointInput = Omit<Endpoint, 'id' | 'appId' | 'createdAt' | 'updatedAt'>;
export type EndpointChange = EndpointInput | ((current: Endpoint) => EndpointInput);
/** The input a change asks for, given the endpoint as it is now. */
export const applyChange = (change: EndpointChange, current: Endpoint): EndpointInput =>
  typeof change === 'function' ? change(current) : change;
export interface EndpointRepo {
  create(appId: string, input: EndpointInput): Promise<Endpoint>;
  /** By id or uid within the app. */
  get(appId: string, idOrUid: string): Promise<Endpoint | null>;
  /** Ascending by id. */
  list(appId: string, page: PageQuery): Promise<Page<Endpoint>>;
  /**
   * Replaces every field given in input (secrets included). Changing
   * `disabled` emits endpoint.enabled / endpoint.disabled (trigger manual)
   * operational events in the same transaction; enabling also resets the
   * endpoint's health (breaker closed, failure run forgotten).
   *
   * `change` is the new input, or a function of the endpoint as it is now that
   * returns it: read and written in one transaction under the row's lock, so a
   * change made meanwhile (a worker disabling the endpoint, another rotation)
   * is built upon, never overwritten. It may throw to refuse the change.
   */
  update(appId: string, id: string, change: EndpointChange): Promise<Endpoint>;
  delete(appId: string, id: string): Promise<void>;
  /** Counts of this endpoint's deliveries by status. */
  stats(appId: string, id: string, since?: Date, until?: Date): Promise<Record<DeliveryStatus, number>>;
  /**
   * Closes every open circuit breaker (its probe backoff forgotten; the failure
   * run is kept, for auto-disable), for a start with the breaker turned off
   * (`--breaker-threshold 0`): nothing would ever close them otherwise, and
   * their deliveries would wait on probes. Returns how many were open.
   */
  releaseBreakers(): Promise<number>;
  /** The endpoint's health (core/policy.ts): breaker state and failure run; NOT_FOUND for an unknown endpoint. */
  health(appId: string, id: string): Promise<Health>;
  /**
   * One batch of re-encryption of secrets and header values at rest: the
   * endpoints (every app's) after id `after` in id order, at most `limit`,
   * read and rewritten in one short transaction (rows.ts reseal; `rotate`
   * reseals everything not under the primary key, otherwise only clear
   * text). `last` is the last id read, null when none was left.
   * CONFIG_INVALID naming the key id when a row is sealed under a key this
   * store was not given.
   */
  reseal(opts: { after: string | null; limit: number; rotate: boolean }): Promise<ResealBatch>;
}
export interface ResealBatch {
  last: string | null;
  /** Rows read in this batch. */
  read: number;
  /** Rows rewritten in this batch. */
  resealed: number;
}

// ---- messages -----------------------------------------------------------------
export interface MessageInput {
  appId: string;
  eventType: string;
  eventId: string | null;
  payload: string;
  channels: string[] | null;
  tags: string[] | null;
  /**
   * The W3C trace context of the accepting request (`00-<trace>-<span>-<flags>`),
   * stored so each attempt is traced as its child; null or absent without one.
   */
  traceparent?: string | null;
}
/** A message as the store writes it: the message and the trace context it keeps beside it. */
export type StoredMessage = Message & { traceparent: string | null };
/**
 * Messages as accepted now (core/messages.ts newMessages: one instant, ids in
 * input order), each with the trace context stored beside it.
 */
export function storedMessages(inputs: readonly MessageInput[]): StoredMessage[] {
  const now = new Date();
  return inputs.map(({ traceparent = null, ...fields }) => ({ ...newMessage(fields, now), traceparent }));
}
/** The message as create() returns it, without the stored trace context. */
export function withoutTrace({ traceparent: _, ...message }: StoredMessage): Message {
  return message;
}
export type BatchResult = { message: Message; deliveries: number } | { conflict: HooklineError };
export interface MessageFilter {
  eventTypes?: string[];
  channel?: string;
  tag?: string;
  before?: Date;
  after?: Date;
}
export interface MessageRepo {
  /**
   * Stores the message and one pending delivery per enabled endpoint whose
   * filterTypes and channels accept it (core/filter.ts), in one transaction,
   * due now. CONFLICT when eventId was already used in this app. `waiting`:
   * the deliveries left for a claim (the others went to this process's
   * worker at once, Store.handOffTo).
   */
  create(input: MessageInput): Promise<{ message: Message; deliveries: number; waiting: number }>;
  /**
   * Stores a batch (POST .../msg/batch) in one transaction, like create per
   * message; a message whose eventId is already used (in the app, or earlier
   * in the batch) is left out with its CONFLICT, the rest are stored. Results
   * in input order.
   */
  createBatch(inputs: MessageInput[]): Promise<BatchResult[]>;
  get(appId: string, id: string): Promise<Message | null>;
  /** Newest first. */
  list(appId: string, filter: MessageFilter, page: PageQuery): Promise<Page<Message>>;
  /** This message's deliveries with their endpoints (GET /msg/{id}/endpoint), ascending by endpoint id. */
  deliveries(
    appId: string,
    msgId: string,
    page: PageQuery,
  ): Promise<Page<{ delivery: Delivery; endpoint: Endpoint }>>;
  /** This endpoint's deliveries with their messages (GET /endpoint/{id}/msg), newest message first. */
  forEndpoint(
    appId: string,
    endpointId: string,
    filter: MessageFilter & { status?: DeliveryStatus },
    page: PageQuery,
  ): Promise<Page<{ delivery: Delivery; message: Message }>>;
  /**
   * Deletes messages (their deliveries and attempts) created before `cutoff`,
   * oldest first, at most `batch`; returns how many. A message with any
   * delivery still pending or sending (due, retrying, leased, or parked on a
   * disabled endpoint) is skipped whatever its age, so retention never drops
   * accepted work; it goes in a later prune once its deliveries are finished.
   */
  prune(cutoff: Date, batch: number): Promise<number>;
  /**
   * Stores the message with one delivery, to this endpoint only (send-example):
   * no routing, but none to a disabled endpoint. NOT_FOUND for an unknown app.
   */
  createFor(input: MessageInput, endpointId: string): Promise<{ message: Message; deliveries: number }>;
  /**
   * Expunges the payload (a privacy request): it becomes EXPUNGED_PAYLOAD and
   * `expungedAt` is set; the stored response bodies of its attempts become
   * EXPUNGED_RESPONSE; its pending deliveries are canceled (nothing is left
   * to send). The message and its attempts stay listed. NOT_FOUND if unknown.
   */
  expungeContent(appId: string, msgId: string): Promise<void>;
  /**
   * One batch of expungeContent over the app's messages after id `after`
   * (null: from the first), in id order, at most `limit`; `last` is the last
   * id expunged, null when none was left.
   */
  expungeBatch(
    appId: string,
    after: string | null,
    limit: number,
  ): Promise<{ last: string | null; expunged: number }>;
}

/** What an expunged message's payload reads as (Svix's own marker). */
export const EXPUNGED_PAYLOAD = '{"expired":true}';
/** What an expunged attempt's response body reads as (as in Svix). */
export const EXPUNGED_RESPONSE = 'EXPUNGED';

// ---- delivery queue (the hot path) --------------------------------------------
/** Everything a worker needs to send one delivery, read in the claim. */
export interface ClaimedDelivery {
  deliveryId: string;
  /** Proves this claim is still ours when the result is recorded. */
  leaseToken: string;
  /** Attempts made before this one. */
  attempts: number;
  trigger: Trigger;
  message: Pick<Message, 'id' | 'appId' | 'eventType' | 'payload' | 'createdAt'> & {
    /** The accepting request's trace context (MessageInput.traceparent). */
    traceparent: string | null;
  };
  endpoint: Pick<Endpoint, 'id' | 'url' | 'headers' | 'secrets' | 'rateLimit' | 'maxInFlight' | 'ordered'> & {
    /** The in-flight cap fair sharing holds the endpoint to (DeliveryQueue.shareSlots); null when none. */
    fairCap: number | null;
  };
}

/** A lease to hand back unsent, for whichever claim may take it next. */
export interface LeaseRef {
  deliveryId: string;
  leaseToken: string;
}

/**
 * claimDue failed part-way: `claims` were already leased (committed) when
 * `cause` stopped the rest. The caller sends them, as if claimed, and treats
 * the failure like any other.
 */
export class PartialClaimError extends HooklineError {
  constructor(
    readonly claims: ClaimedDelivery[],
    cause: unknown,
  ) {
    super('STORE_UNAVAILABLE', `claim failed after leasing ${claims.length}: ${String(cause)}`, { cause });
    this.name = 'PartialClaimError';
  }
}

/**
 * What fair sharing asks of a claim (README, Isolation). Gated endpoints
 * (limits, caps, breakers) take at most `limit - keepFree`: the rest is for the
 * plain queue, so endpoints with caps never fill a worker between them
 * (fair-share.ts reserve). And it is work-conserving: slots nobody else wants
 * may go to fair-capped endpoints beyond their cap. After the gated and plain
 * claims, whatever is left of the batch goes to the `borrowers` (the worker's
 * fast ones), each still held to its rate limit and breaker. No reserve is
 * kept from them: a borrowed slot comes back within a fraction of a second,
 * and every claim serves the plain queue before it lends, so a newcomer's
 * delivery waits for the next claim, not for the borrower's backlog.
 */
export interface FairTerms {
  keepFree: number;
  borrowers: readonly string[];
}

/**
 * This process's worker, taking fresh deliveries as they are accepted
 * (Store.handOffTo): the accepting transaction leases them to it,
 * so no claim has to look for them.
 */
export interface FreshTaker {
  /** How many it would start now; 0 while older work may be waiting for a claim (that goes first). */
  room(): number;
  /** What fair sharing asks of its claims, as claimDue's `fair`. */
  fair(): FairTerms | undefined;
  readonly leaseMs: number;
  /** Called once the accepting transaction has committed, with what it leased. */
  take(claims: ClaimedDelivery[]): void;
}

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  now?: Date;
  /** None: gated endpoints may take the whole batch, and nobody borrows. */
  fair?: FairTerms;
}

export interface DeliveryQueue {
  /**
   * Leases up to `limit` due deliveries (pending with nextAttemptAt <= now, or
   * sending with an expired lease) for `leaseMs` and marks them sending.
   * A delivery is never handed to two workers while its lease is valid.
   *
   * Endpoint limits hold across every worker and process: at most
   * `maxInFlight` leased at once, at most `rateLimit` per second (with a small
   * burst, core/policy.ts), ordered endpoints one at a time in accept order
   * (a pending earlier delivery holds later ones back), and an open circuit
   * breaker lets one probe through at its backoff time. Fair-share caps hold
   * too, except for what `fair.borrowers` are lent when the rest of the queue
   * leaves slots idle, and gated endpoints take at most `limit - fair.keepFree`.
   */
  claimDue(opts: ClaimOptions): Promise<ClaimedDelivery[]>;
  /**
   * Fair sharing (README, Isolation), in one transaction: holds each endpoint
   * to its `cap` deliveries in flight across every worker (parking its open
   * deliveries, as for maxInFlight, which an endpoint that has one keeps
   * instead), or moves an existing cap to the new value; then hands back the
   * `release`d leases, unsent and due as they were before the claim. Unknown
   * endpoints and leases no longer ours are ignored.
   */
  shareSlots(caps: { endpointId: string; cap: number }[], release: LeaseRef[]): Promise<void>;
  /**
   * Clears fair-share caps that hold nothing back (the endpoint's open
   * deliveries, pending or sending, are fewer than its cap) or, with fair
   * sharing turned off, all of them; returns how many.
   */
  unshare(opts: { unusedOnly: boolean }): Promise<number>;
  /** Extends leases of deliveries still in flight; returns ids whose lease was lost. */
  renewLeases(claims: { deliveryId: string; leaseToken: string }[], leaseMs: number): Promise<string[]>;
  /**
   * Stores the attempts and moves each delivery on (success, retry at, fail) in
   * one transaction. A result whose lease token no longer matches still stores
   * its attempt but leaves the delivery to its new owner.
   *
   * In the same transaction, endpoint health moves on (core/policy.ts):
   * consecutive failures open the breaker, a success closes it, a 410 or a
   * failure run longer than `policy.autoDisableAfterMs` disables the endpoint;
   * and operational events (endpoint.disabled, message.attempt.exhausted,
   * message.attempt.failing) are queued to the operational endpoints.
   * Returns the breakers it opened or closed and the endpoints it disabled.
   */
  recordAttempts(results: AttemptResult[], policy: EndpointPolicy): Promise<HealthNews>;
  /**
   * Makes deliveries of one message due now as a manual attempt (resend). An
   * open breaker's next probe comes forward to now: the operator asked to try.
   */
  resend(appId: string, msgId: string, endpointId: string): Promise<Delivery>;
  /**
   * Cancels one pending delivery (the operator skips a message that holds an
   * ordered endpoint back). NOT_FOUND without such a delivery, CONFLICT when
   * it is being sent right now or already finished.
   */
  cancel(appId: string, msgId: string, endpointId: string): Promise<Delivery>;
  /**
   * Makes failed deliveries of the endpoint created in [since, until) due now
   * (recover); returns how many. Expunged messages are left out.
   */
  recover(appId: string, endpointId: string, since: Date, until: Date | null): Promise<number>;
  /**
   * Makes the endpoint's pending deliveries due now (their schedule moves
   * forward; attempts made stay counted) and brings an open breaker's next
   * probe forward to now: its receiver is known to be back (a `hookline
   * listen` session connected). A disabled endpoint's deliveries keep waiting.
   * Returns how many deliveries came forward.
   */
  hurry(appId: string, endpointId: string): Promise<number>;
  /**
   * Replay-missing: a new delivery (manual, due now) to this endpoint for
   * each message of the app created in [since, until) that its routing
   * (filterTypes, channels) accepts and that never had a delivery to it (say,
   * sent before the endpoint existed). Expunged messages are left out.
   * Returns how many were queued.
   */
  replayMissing(appId: string, endpointId: string, since: Date, until: Date | null): Promise<number>;
  /** The earliest nextAttemptAt among pending deliveries, so an idle worker knows how long to sleep. */
  nextDueAt(): Promise<Date | null>;
  /**
   * Endpoints with deliveries that ran out of retries (failed for good) at or
   * after `since`, the most recent first, at most `limit`; Hookline's own
   * operational endpoints left out.
   */
  exhaustedEndpoints(since: Date, limit: number): Promise<ExhaustedEndpoint[]>;
}
/** An endpoint whose deliveries failed for good recently: how many, and the last one's time. */
export interface ExhaustedEndpoint {
  appId: string;
  endpointId: string;
  deliveries: number;
  lastAt: Date;
}

// ---- gauges (metrics) -----------------------------------------------------------
/** Deliveries by where they are in the queue; each delivery counts once at most. */
export interface QueueDepth {
  /** Pending, not held by an endpoint gate, its next attempt at or before now. */
  due: number;
  /** Pending, not held, its next attempt later (a retry waiting). */
  scheduled: number;
  /** Leased by a worker (being sent, or its worker died and the lease has not run out). */
  inFlight: number;
  /** Pending but held: by an endpoint gate (rate limit, in-flight or fair-share cap, ordering, open breaker) or a disabled endpoint. */
  parked: number;
  /** Failed for good and still stored (recover or resend them). */
  failed: number;
}
export interface StoreGauges {
  depth: QueueDepth;
  /** nextAttemptAt of the longest-waiting due delivery that no gate holds; null when none is due. */
  oldestDueAt: Date | null;
  endpointsBreakerOpen: number;
  endpointsDisabled: number;
  /** The connection pool (PostgreSQL); null for SQLite's single connection. */
  pool: { total: number; idle: number; waiting: number } | null;
}

// ---- attempts -----------------------------------------------------------------
export interface AttemptFilter {
  status?: 'success' | 'fail';
  /** 0: no response; 100-500: response codes from it to it + 99. */
  statusCodeClass?: number;
  before?: Date;
  after?: Date;
  endpointId?: string;
  /** Of the attempt's message. */
  eventTypes?: string[];
  channel?: string;
  tag?: string;
}
/** An attempt with its message's event type, as the live stream shows it. */
export type FollowedAttempt = Attempt & { eventType: string };
export interface AttemptRepo {
  get(appId: string, msgId: string, attemptId: string): Promise<Attempt | null>;
  /** Newest first. */
  listByMessage(appId: string, msgId: string, filter: AttemptFilter, page: PageQuery): Promise<Page<Attempt>>;
  /** Newest first. */
  listByEndpoint(
    appId: string,
    endpointId: string,
    filter: AttemptFilter,
    page: PageQuery,
  ): Promise<Page<Attempt>>;
  /**
   * Oldest first (by id), after `page.after`: what the live attempt stream
   * reads. `appId` null means every user application (Hookline's hidden
   * operational one left out).
   */
  follow(appId: string | null, filter: AttemptFilter, page: PageQuery): Promise<Page<FollowedAttempt>>;
  /** The attempt's stored response body becomes EXPUNGED_RESPONSE; NOT_FOUND if unknown. */
  expungeContent(appId: string, msgId: string, attemptId: string): Promise<void>;
  /**
   * Attempts made in [since, until), counted by outcome in buckets of
   * `bucketMs` aligned to the epoch (UTC minutes, hours), oldest first; only
   * buckets with an attempt are listed. Scoped to one endpoint, one
   * application, or (neither) every user application.
   */
  countByTime(scope: AttemptCountScope): Promise<AttemptCountBucket[]>;
}
export interface AttemptCountScope {
  since: Date;
  until: Date;
  bucketMs: number;
  appId?: string;
  /** Needs `appId`. */
  endpointId?: string;
}
export interface AttemptCountBucket {
  start: Date;
  success: number;
  fail: number;
}

// ---- idempotency keys -----------------------------------------------------------
export type IdempotencyBegin =
  /** The caller now owns the claim; `token` identifies it to `complete`/`release`. */
  | { state: 'new'; token: string }
  | { state: 'in_progress' }
  | { state: 'done'; requestHash: string; statusCode: number; body: string };

/**
 * How long an unfinished claim holds its key. A process that dies between
 * `begin` and `complete`/`release` leaves its claim behind; past this age it
 * counts as abandoned and the next `begin` takes it over, instead of every
 * retry getting 409 until the key expires (24 h).
 */
export const IDEMPOTENCY_LOCK_TIMEOUT_MS = 60_000;

export interface IdempotencyRepo {
  /**
   * Claims `key` for a request with this body hash, or reports what happened to it.
   * An in-progress claim older than `lockTimeoutMs` is taken over (`new`).
   * Each claim gets a fresh random owner token, returned with `new`.
   */
  begin(key: string, requestHash: string, expiresAt: Date, lockTimeoutMs?: number): Promise<IdempotencyBegin>;
  /**
   * Records the response of the claim holding `token`. A no-op if the claim was
   * taken over since (its lock timed out): the newer claim is left as is.
   */
  complete(key: string, token: string, statusCode: number, body: string): Promise<void>;
  /**
   * Forgets the unfinished claim holding `token`, whose request failed, so the
   * client can retry. A no-op if another claim holds the key by now.
   */
  release(key: string, token: string): Promise<void>;
}

// ---- background tasks -----------------------------------------------------------
/** Svix BackgroundTaskStatus. */
export type TaskStatus = 'running' | 'finished' | 'failed';
/** A background task (Svix BackgroundTaskOut), as stored. */
export interface TaskRecord {
  id: string;
  task: string;
  status: TaskStatus;
  /** What the task reports when it ends (recover: how many deliveries it re-queued). */
  data: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}
export interface TaskFilter {
  status?: TaskStatus;
  task?: string;
}
/**
 * Background tasks (recover, replay, expunge, statistics), in the database so
 * that any API process answers about any task and a restart loses none. The
 * process running a task holds it by a lease it renews; a running task whose
 * lease lapsed was interrupted and `failAbandoned` reports it failed.
 */
export interface TaskRepo {
  create(input: { id: string; task: string; leaseUntil: Date; now: Date }): Promise<TaskRecord>;
  /** Extends the leases of these running tasks. */
  renew(ids: string[], leaseUntil: Date): Promise<void>;
  /** Ends a running task; a no-op for one no longer running (reported failed meanwhile). */
  settle(id: string, status: Exclude<TaskStatus, 'running'>, data: Record<string, unknown>): Promise<void>;
  get(id: string): Promise<TaskRecord | null>;
  /** Keyset by id (time-ordered): `desc` newest first. */
  list(filter: TaskFilter, page: PageQuery, order: 'asc' | 'desc'): Promise<Page<TaskRecord>>;
  /** Running tasks whose lease lapsed before `now` become failed with `data`; returns how many. */
  failAbandoned(now: Date, data: Record<string, unknown>): Promise<number>;
  /** Deletes ended tasks last updated before `cutoff`; returns how many. */
  prune(cutoff: Date): Promise<number>;
}

// ---- settings -------------------------------------------------------------------
export interface SettingsRepo {
  get(name: string): Promise<string | null>;
  /** Stores value unless one exists; returns the stored value either way. */
  getOrSet(name: string, value: string): Promise<string>;
  /**
   * Replaces the value only while it is still `expected` (so processes starting
   * together cannot undo each other); whether it did. Upgrades a clear-text
   * API token to its hash.
   */
  replace(name: string, expected: string, value: string): Promise<boolean>;
}

export type { AttemptOutcome, AttemptResult, EndpointPolicy, EndpointSecret, ErrorClass, HealthNews };

// ---- app-portal access tokens -----------------------------------------------------
export interface PortalTokenRepo {
  /** Stores a new token and drops the expired ones of its application. NOT_FOUND when the app is gone. */
  create(token: PortalToken): Promise<void>;
  /** The token with this hash while it is still valid at `now`, else null (unknown, expired or revoked). */
  find(tokenHash: string, now: Date): Promise<PortalToken | null>;
  /** Makes the token expire at `at` unless it expires sooner already (logout); whether it was still valid. */
  expire(tokenHash: string, at: Date): Promise<boolean>;
  /**
   * Makes every token of the app expire at `at` unless sooner already; with
   * `sessionIds`, only the tokens made with one of them. Returns how many changed.
   */
  expireAll(appId: string, at: Date, sessionIds: readonly string[] | null): Promise<number>;
}

// ---- the dashboard's one-time sign-in -------------------------------------------
export interface OperatorSessionRepo {
  /** Stores a sign-in code (by its hash) and drops the expired codes and sessions. */
  createCode(codeHash: string, createdAt: Date, expiresAt: Date): Promise<void>;
  /**
   * Uses the code once: while it is valid at `session.createdAt`, deletes it
   * and stores the session, in one step, so two exchanges of one code cannot
   * both succeed. False (and no session) when the code is unknown, used or expired.
   */
  exchangeCode(codeHash: string, session: OperatorSession): Promise<boolean>;
  /** The session with this hash while it is valid at `now`, else null (unknown, expired or revoked). */
  findSession(tokenHash: string, now: Date): Promise<OperatorSession | null>;
  /** Makes the session expire at `at` unless it expires sooner already (logout); whether it was still valid. */
  expireSession(tokenHash: string, at: Date): Promise<boolean>;
}
