import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deliveryLogging } from '../../src/server.js';
import { forEachBackend } from '../helpers/backends.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type Harness, harness } from './fixtures.js';

/** A pino logger at `info` whose JSON lines are kept in memory. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines, raw };
}

forEachBackend('delivery log at info', (backend) => {
  let h: Harness;
  let receiver: Receiver;
  beforeEach(async () => {
    h = await harness(backend);
  });
  afterEach(async () => {
    await h.close();
    await receiver?.close();
  });

  it('one JSON line per failed attempt, exhausted delivery, breaker opened and closed, and disable; no payloads', async () => {
    let flaky = 0;
    receiver = await startReceiver((req) => {
      if (req.url === '/gone') return { status: 410, body: 'RESPONSE-MARKER' };
      if (req.url.startsWith('/flaky') && ++flaky > 2) return { status: 200, body: 'RESPONSE-MARKER' };
      return { status: 500, body: 'RESPONSE-MARKER' };
    });
    const ep = {
      flaky: await h.endpoint(`${receiver.url}/flaky?token=URL-MARKER`),
      down: await h.endpoint(`${receiver.url}/down`),
      gone: await h.endpoint(`${receiver.url}/gone`),
    };
    const { log, lines, raw } = memoryLogger();
    const of = (event: string, endpointId: string) =>
      lines.filter((l) => l.event === event && l.endpointId === endpointId);
    // Two failures open the breaker; its probe (the last scheduled attempt) closes it or exhausts the delivery.
    h.worker(
      { breakerThreshold: 2, breakerBackoffMs: 100, retrySchedule: [50, 100] },
      { events: deliveryLogging(log) },
    ).start();
    const msgId = await h.send({ card: 'PAYLOAD-MARKER' });

    await h.until(
      () =>
        of('breaker.closed', ep.flaky.id).length === 1 &&
        of('delivery.exhausted', ep.down.id).length === 1 &&
        of('endpoint.disabled', ep.gone.id).length === 1,
      'the log lines',
    );
    expect(of('attempt.failed', ep.flaky.id)).toHaveLength(2);
    expect(of('breaker.opened', ep.flaky.id)).toHaveLength(1);
    expect(of('attempt.failed', ep.down.id)).toHaveLength(3);
    expect(of('breaker.opened', ep.down.id)).toHaveLength(1);
    expect(of('breaker.closed', ep.down.id)).toHaveLength(0);
    expect(of('endpoint.disabled', ep.gone.id)[0]).toMatchObject({
      level: 30,
      reason: expect.stringContaining('410'),
    });

    const failed = of('attempt.failed', ep.down.id);
    expect(failed[0]).toMatchObject({
      level: 30,
      msg: 'delivery attempt failed',
      msgId,
      appId: h.app.id,
      statusCode: 500,
      errorClass: 'http',
      trigger: 'scheduled',
      nextAttemptAt: expect.any(String),
    });
    expect(failed[2]?.nextAttemptAt).toBeNull();
    expect(of('delivery.exhausted', ep.down.id)[0]).toMatchObject({
      msgId,
      msg: 'delivery failed its last scheduled attempt',
    });
    // Ids and numbers only: no payload, response body, URL (it may carry a token) or secret.
    const secrets = Object.values(ep).map((e) => e.secrets[0]?.key ?? '');
    for (const line of raw) {
      for (const marker of ['PAYLOAD-MARKER', 'RESPONSE-MARKER', 'URL-MARKER', ...secrets]) {
        expect(line).not.toContain(marker);
      }
    }
  });
});
