/**
 * The scripted story: payments completed one after another, each meeting one
 * of the failures a real shop meets, narrated as a timeline; then the verdict.
 */
import { MessageStatus } from 'svix';
import { forgedPayment, replayFromAnHourAgo } from './attacker.js';
import type { ChildEvent } from './child.js';
import type { Exchange, GaveUp } from './edge.js';
import { type StoredEmail, readMailbox } from './mailbox.js';
import { APP_UID, REQUEST_TIMEOUT, RETRY_SCHEDULE, type Stack, startStack } from './stack.js';
import { Timeline } from './timeline.js';
import { type Facts, type PublishedEvent, type Verdict, judge } from './verdict.js';

export const TOGGLES = [
  'shop-down',
  'crash',
  'duplicate-delivery',
  'slow',
  'attacker',
  'double-publish',
] as const;
export type Toggle = (typeof TOGGLES)[number];

export interface DemoOptions {
  toggles: ReadonlySet<Toggle>;
  /** Print the timeline as it happens (the test keeps it quiet and shows it on failure). */
  echo: boolean;
  /** Leave everything running and hand the stack back (the caller stops it). */
  keepRunning?: boolean;
}

export interface DemoResult {
  verdict: Verdict;
  facts: Facts;
  emails: StoredEmail[];
  timeline: Timeline;
  stack?: Stack;
}

const WAIT_MS = 30_000;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const timeline = new Timeline(options.echo);
  const facts: Facts = { events: [], exchanges: [], chaos: [] };
  const narrator = narrate(timeline, facts);
  const stack = await startStack(narrator);
  try {
    timeline.log(
      'demo',
      'Hookline, the payment service, the shop and the mail sink are up; the clock starts now',
    );
    timeline.resetClock();
    timeline.log('hookline', `listening on ${stack.hooklineUrl} (temporary SQLite file in ${stack.dir})`);
    timeline.log(
      'hookline',
      `retry schedule ${RETRY_SCHEDULE} (+-20% jitter), request timeout ${REQUEST_TIMEOUT}`,
    );
    timeline.log(
      'shop',
      `subscribed ${stack.edge.url}/webhooks (its public URL) to payment.succeeded and payment.refunded`,
    );
    await story(stack, timeline, facts, options.toggles);
    await settle(stack, facts);
  } catch (error) {
    // Whatever went wrong, nothing is left running.
    await stack.stop();
    throw error;
  }
  const emails = readMailbox(stack.mailStore);
  const verdict = judge(facts, emails);
  printVerdict(timeline, verdict);
  if (!options.keepRunning) await stack.stop();
  return { verdict, facts, emails, timeline, ...(options.keepRunning ? { stack } : {}) };
}

async function story(stack: Stack, t: Timeline, facts: Facts, toggles: ReadonlySet<Toggle>): Promise<void> {
  const pay = async (orderId: string, cents: number, email: string): Promise<PublishedEvent> => {
    const answer = (await post(`${stack.paymentsUrl}/payments`, {
      orderId,
      amount: cents,
      currency: 'EUR',
      email,
    })) as {
      paymentId: string;
      messageId: string;
    };
    const event: PublishedEvent = {
      orderId,
      paymentId: answer.paymentId,
      type: 'payment.succeeded',
      messageId: answer.messageId,
    };
    facts.events.push(event);
    return event;
  };
  const delivered = (event: PublishedEvent) => waitForDelivery(stack, event);
  const exchangesOf = (event: PublishedEvent) =>
    facts.exchanges.filter((x) => x.webhookId === event.messageId);

  t.section('1. A payment, nothing goes wrong');
  const first = await delivered(await pay('order-1001', 4200, 'ada@example.test'));

  if (toggles.has('shop-down')) {
    t.section('2. The shop is down for a while');
    await stack.stopShop();
    t.log('shop', 'is down (process stopped)');
    const event = await pay('order-1002', 1999, 'grace@example.test');
    await waitFor(
      'two refused attempts',
      () => exchangesOf(event).filter((x) => x.code === 'SHOP_DOWN').length >= 2,
    );
    t.log('shop', 'is being started again');
    await stack.startShop();
    t.log('shop', 'is back up');
    await delivered(event);
    const refused = exchangesOf(event).filter((x) => x.code === 'SHOP_DOWN').length;
    const ok = exchangesOf(event).some((x) => x.status >= 200 && x.status < 300 && x.code === null);
    facts.chaos.push({
      toggle: 'shop down',
      happened: refused >= 1 && ok,
      evidence: `${refused} attempts refused while down (502 SHOP_DOWN), then delivered once it was back`,
    });
  }

  if (toggles.has('crash')) {
    t.section('3. The shop crashes after sending the email, before answering');
    await post(`${stack.shopUrl()}/chaos`, { orderId: 'order-1003', mode: 'crash-before-answer' });
    const event = await pay('order-1003', 5000, 'linus@example.test');
    await delivered(event);
    const hungUp = exchangesOf(event).some((x) => x.code === 'SHOP_HUNG_UP');
    const duplicate = exchangesOf(event).some((x) => x.code === 'DUPLICATE');
    facts.chaos.push({
      toggle: 'crash before answering',
      happened: hungUp && duplicate,
      evidence: `${hungUp ? 'the shop died mid-request' : 'NO CRASH SEEN'}; ${duplicate ? "Hookline's retry was answered 200 duplicate" : 'NO DUPLICATE ANSWER SEEN'}`,
    });
  }

  if (toggles.has('duplicate-delivery')) {
    t.section('4. Two copies of one delivery arrive at once');
    stack.edge.duplicateNext('order-1004');
    const event = await pay('order-1004', 1250, 'margaret@example.test');
    await delivered(event);
    const copies = exchangesOf(event).filter((x) => x.copy === 2).length;
    const handled = exchangesOf(event).filter(
      (x) => x.status >= 200 && x.status < 300 && x.code === null,
    ).length;
    facts.chaos.push({
      toggle: 'two copies at once',
      happened: copies === 1 && handled === 1,
      evidence: `${copies + 1} copies sent together, ${handled} handled: ${exchangesOf(event)
        .map((x) => `${x.status} ${x.code ?? 'handled'}`)
        .join(', ')}`,
    });
  }

  if (toggles.has('slow')) {
    t.section(`5. The shop is slow (past Hookline's ${REQUEST_TIMEOUT} request timeout)`);
    await post(`${stack.shopUrl()}/chaos`, { orderId: 'order-1005', mode: 'slow' });
    const event = await pay('order-1005', 899, 'barbara@example.test');
    await delivered(event);
    const gaveUp = exchangesOf(event).filter((x) => x.senderGaveUp).length;
    facts.chaos.push({
      toggle: 'slow shop',
      happened: gaveUp >= 1 && exchangesOf(event).length >= 2,
      evidence: `Hookline gave up ${gaveUp} time(s) and retried; ${exchangesOf(event).length} attempts in all`,
    });
  }

  if (toggles.has('double-publish')) {
    t.section('6. The payment service publishes the same payment twice');
    const event = await delivered(await pay('order-1006', 3100, 'ken@example.test'));
    t.log('payments', `publishes ${event.paymentId} again (say its first call timed out)`);
    const again = (await post(`${stack.paymentsUrl}/payments/${event.paymentId}/publish`, {})) as {
      published: boolean;
      reason?: string;
    };
    const messages = await stack.svix.message.list(APP_UID, { limit: 250 });
    facts.doublePublish = {
      paymentId: event.paymentId,
      secondPublish: again.published ? 'ACCEPTED' : `refused, ${again.reason}`,
      messagesWithEventId: messages.data.filter((m) => m.eventId === event.paymentId).length,
    };
  }

  t.section('7. A refund');
  const refund = (await post(`${stack.paymentsUrl}/payments/${first.paymentId}/refund`, {})) as {
    messageId: string;
  };
  await delivered(pushEvent(facts, { ...first, type: 'payment.refunded', messageId: refund.messageId }));

  if (toggles.has('attacker')) {
    t.section('8. An attacker: a forged payment, and a replay of a real request from an hour ago');
    const url = `${stack.edge.url}/webhooks`;
    const data = {
      paymentId: 'pay_forged',
      orderId: 'order-6666',
      amount: 99_900,
      currency: 'EUR',
      email: 'mallory@example.test',
    };
    const forged = await forgedPayment(url, data);
    t.log(
      'attacker',
      `posts a forged payment for order-6666 (signed with a made-up secret) -> ${forged.status} ${forged.code}`,
    );
    facts.forged = { orderId: 'order-6666', result: forged };
    const original = facts.exchanges.find((x) => x.webhookId === first.messageId && x.code === null);
    if (!original) throw new Error(`no delivered request of ${first.messageId} to replay`);
    const replay = await replayFromAnHourAgo(url, original.webhookId, original.body, stack.webhookSecret);
    t.log(
      'attacker',
      `replays order-1001's real request, signed an hour ago -> ${replay.status} ${replay.code}`,
    );
    facts.replay = { result: replay };
  }
}

const pushEvent = (facts: Facts, event: PublishedEvent) => {
  facts.events.push(event);
  return event;
};

/** Until the email is stored and Hookline recorded the delivery as a success. */
async function waitForDelivery(stack: Stack, event: PublishedEvent): Promise<PublishedEvent> {
  await waitFor(`${event.orderId} ${event.type} delivered`, async () => {
    const mailed = readMailbox(stack.mailStore).some(
      (m) => m.paymentId === event.paymentId && m.eventType === event.type,
    );
    if (!mailed) return false;
    const destinations = await stack.svix.messageAttempt.listAttemptedDestinations(APP_UID, event.messageId);
    return destinations.data[0]?.status === MessageStatus.Success;
  });
  return event;
}

/** Waits until Hookline has nothing left to send, then a moment more for any late copy to show. */
async function settle(stack: Stack, facts: Facts): Promise<void> {
  const stats = () => stack.svix.endpoint.getStats(APP_UID, stack.endpointId);
  await waitFor('Hookline idle', async () => {
    const s = await stats();
    return s.pending === 0 && s.sending === 0;
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const s = await stats();
  facts.hooklineStats = { success: s.success, pending: s.pending, sending: s.sending, fail: s.fail };
}

async function waitFor(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS / 1000}s waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function post(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** Turns what the processes and the edge report into timeline lines. */
function narrate(t: Timeline, facts: Facts) {
  return {
    child(service: string, e: ChildEvent) {
      if (service === 'payments' && e.event === 'completed') {
        t.log('payments', `${e.paymentId} completed: ${e.orderId}, ${money(e.amount)}, ${e.email}`);
      } else if (service === 'payments' && e.event === 'published') {
        t.log('payments', `published ${e.type}, eventId ${e.eventId} -> Hookline ${e.messageId}`);
      } else if (service === 'payments' && e.event === 'publish-refused') {
        t.log('payments', `publish of ${e.eventId} refused: ${e.reason}`);
      } else if (service === 'payments' && e.event === 'refunded') {
        t.log('payments', `${e.paymentId} refunded (${e.orderId})`);
      } else if (service === 'mail sink' && e.event === 'stored') {
        const email = e.email as StoredEmail;
        t.log('mail sink', `stored "${email.subject}" to ${email.to.join(', ')}`);
      } else if (service === 'shop' && e.event === 'slow') {
        t.log('shop', `emailed, now slow: answers only after ${Number(e.ms) / 1000} s`);
      } else if (service === 'shop' && e.event === 'crash') {
        t.log('shop', 'emailed, marked the webhook-id done, then CRASHES before answering');
      } else if (service === 'hookline' && typeof e.level === 'number' && e.level >= 50) {
        t.log('hookline', `error: ${e.msg}`);
      }
    },
    exchange(x: Exchange) {
      facts.exchanges.push(x);
      if (!x.userAgent.startsWith('Hookline')) return; // the attacker narrates its own requests
      t.log('hookline', `-> shop  ${request(x)}${x.copy === 2 ? ' (second copy)' : ''}: ${meaning(x)}`);
    },
    gaveUp(x: GaveUp) {
      if (!x.userAgent.startsWith('Hookline')) return;
      t.log(
        'hookline',
        `-> shop  ${request(x)}: no answer within ${REQUEST_TIMEOUT}: Hookline gives up on it, will retry`,
      );
    },
    shopRestarting(code: number | null) {
      t.log('shop', `exited (code ${code}); its supervisor starts it again`);
    },
  };
}

const request = (x: GaveUp) => `${x.webhookId} ${x.orderId} ${x.eventType} #${x.attempt}`;

function meaning(x: Exchange): string {
  const late = x.senderGaveUp ? ', too late: Hookline had given up' : '';
  switch (x.code) {
    case null:
      return `${x.status} verified, emailed${late}`;
    case 'DUPLICATE':
      return `${x.status} duplicate: webhook-id already handled, no email${late}`;
    case 'IN_PROGRESS':
      return `${x.status} IN_PROGRESS: same webhook-id being handled now, retry later${late}`;
    case 'SHOP_DOWN':
      return `${x.status} from the edge: shop down, will retry`;
    case 'SHOP_HUNG_UP':
      return `${x.status} from the edge: the shop died mid-request, will retry`;
    default:
      return `${x.status} ${x.code}${late}`;
  }
}

const money = (cents: unknown) => `${(Number(cents) / 100).toFixed(2)} EUR`;

function printVerdict(t: Timeline, verdict: Verdict): void {
  t.section('Verdict');
  for (const c of verdict.checks) t.write(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.text}`);
  t.write('');
  t.write(verdict.ok ? `PASS: ${verdict.summary}, exactly one per event` : `FAIL: ${verdict.summary}`);
}
