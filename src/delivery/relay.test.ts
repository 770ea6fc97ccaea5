import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from '../store/store.js';
import { createRelayHub, isRelayUrl, type RelayRequest, relayUrl } from './relay.js';

const claim = (endpointId = 'ep_1', attempts = 0): ClaimedDelivery => ({
  deliveryId: 'dlv_1',
  leaseToken: 't',
  attempts,
  trigger: 'scheduled',
  message: {
    id: 'msg_1',
    appId: 'app_1',
    eventType: 'order.paid',
    payload: '{"a":1}',
    createdAt: new Date(),
    traceparent: null,
  },
  endpoint: {
    id: endpointId,
    url: relayUrl('default'),
    headers: {},
    secrets: [],
    rateLimit: null,
    maxInFlight: null,
    ordered: false,
    fairCap: null,
  },
});

describe('relay hub', () => {
  it('names listen URLs by their scheme', () => {
    expect(relayUrl('my dev')).toBe('hookline-listen://my%20dev');
    expect(isRelayUrl(relayUrl('x'))).toBe(true);
    expect(isRelayUrl('https://example.com/hook')).toBe(false);
  });

  it('fails with class relay while no session is connected', async () => {
    const result = await createRelayHub().deliver(claim(), {}, 1000);
    expect(result).toMatchObject({ statusCode: 0, errorClass: 'relay' });
    expect(result.body).toContain('no `hookline listen` session is connected');
  });

  it("hands the signed request to the session and returns the local receiver's answer", async () => {
    const hub = createRelayHub();
    const pushed: RelayRequest[] = [];
    hub.connect('ep_1', (r) => pushed.push(r));
    const pending = hub.deliver(claim('ep_1', 2), { 'webhook-id': 'msg_1' }, 5000);
    expect(pushed).toEqual([
      {
        requestId: expect.any(String),
        msgId: 'msg_1',
        eventType: 'order.paid',
        attempt: 3,
        headers: { 'webhook-id': 'msg_1' },
        body: '{"a":1}',
      },
    ]);
    const id = pushed[0]?.requestId ?? '';
    expect(hub.report('ep_other', id, { statusCode: 200, body: '', durationMs: 1 })).toBe(false);
    expect(hub.report('ep_1', id, { statusCode: 503, body: 'busy', durationMs: 7 })).toBe(true);
    expect(await pending).toEqual({
      statusCode: 503,
      body: 'busy',
      durationMs: 7,
      errorClass: 'http',
      retryAfter: null,
    });
    // Answered once: a second report of the same request finds nothing waiting.
    expect(hub.report('ep_1', id, { statusCode: 200, body: '', durationMs: 1 })).toBe(false);
  });

  it('a local transport failure is a connect failure with the reason', async () => {
    const hub = createRelayHub();
    let id = '';
    hub.connect('ep_1', (r) => {
      id = r.requestId;
    });
    const pending = hub.deliver(claim(), {}, 5000);
    hub.report('ep_1', id, { statusCode: 0, body: '', durationMs: 3, error: 'ECONNREFUSED' });
    expect(await pending).toMatchObject({
      statusCode: 0,
      errorClass: 'connect',
      body: 'local receiver: ECONNREFUSED',
    });
  });

  it('fails what waits when the session ends or is replaced, and times out a silent one', async () => {
    const hub = createRelayHub();
    const first = hub.connect('ep_1', () => {});
    const ended = hub.deliver(claim(), {}, 5000);
    first.close();
    expect(await ended).toMatchObject({
      errorClass: 'relay',
      body: expect.stringContaining('ended before reporting'),
    });

    hub.connect('ep_1', () => {});
    const replaced = hub.deliver(claim(), {}, 5000);
    hub.connect('ep_1', () => {});
    expect(await replaced).toMatchObject({ errorClass: 'relay', body: expect.stringContaining('replaced') });

    const silent = await hub.deliver(claim(), {}, 20);
    expect(silent).toMatchObject({ statusCode: 0, errorClass: 'timeout', durationMs: 20 });
  });
});
