import { afterEach, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../../test/helpers/receiver.js';
import { startSenderThread } from './thread.js';

describe('sender thread', () => {
  let receiver: Receiver;
  afterEach(async () => {
    await receiver?.close();
  });

  it('sends from its own thread and returns each result to its caller', async () => {
    receiver = await startReceiver((req) => ({
      status: req.body === '"fail"' ? 500 : 200,
      body: `got ${req.body}`,
    }));
    const sender = await startSenderThread({
      requestTimeoutMs: 2000,
      concurrency: 4,
      allowPrivateNetworks: true,
      allowedCidrs: [],
    });
    try {
      const results = await Promise.all(
        ['"a"', '"fail"', '"b"'].map((body) =>
          sender.send({ url: `${receiver.url}/hook`, headers: { 'content-type': 'application/json' }, body }),
        ),
      );
      expect(results.map((r) => [r.statusCode, r.body, r.errorClass])).toEqual([
        [200, 'got "a"', null],
        [500, 'got "fail"', 'http'],
        [200, 'got "b"', null],
      ]);
    } finally {
      await sender.close();
    }
  });

  it('a send started in the same turn as close() still goes out, and its result comes back', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
    const sender = await startSenderThread({
      requestTimeoutMs: 2000,
      concurrency: 4,
      allowPrivateNetworks: true,
      allowedCidrs: [],
    });
    const sent = sender.send({ url: `${receiver.url}/hook`, headers: {}, body: '{}' });
    const closed = sender.close();
    expect(await sent).toMatchObject({ statusCode: 200, body: 'ok', errorClass: null });
    await closed;
    expect(receiver.requests).toHaveLength(1);
  });

  it('applies the SSRF guard inside the thread', async () => {
    receiver = await startReceiver();
    const sender = await startSenderThread({
      requestTimeoutMs: 2000,
      concurrency: 4,
      allowPrivateNetworks: false,
      allowedCidrs: [],
    });
    try {
      const result = await sender.send({ url: `${receiver.url}/hook`, headers: {}, body: '{}' });
      expect(result).toMatchObject({ statusCode: 0, errorClass: 'blocked' });
      expect(result.body).toContain('127.0.0.1');
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await sender.close();
    }
  });

  it('when the thread dies, sends fail at once and the owner is told', async () => {
    receiver = await startReceiver(() => ({ action: 'hang' }));
    const deaths: Error[] = [];
    const sender = await startSenderThread(
      { requestTimeoutMs: 60_000, concurrency: 4, allowPrivateNetworks: true, allowedCidrs: [] },
      (err) => deaths.push(err),
    );
    const inFlight = sender.send({ url: `${receiver.url}/hook`, headers: {}, body: '{}' });
    await receiver.waitFor(1);
    await sender.terminate();
    expect(await inFlight).toMatchObject({
      statusCode: 0,
      errorClass: 'other',
      body: 'sender thread exited',
    });
    expect(await sender.send({ url: `${receiver.url}/hook`, headers: {}, body: '{}' })).toMatchObject({
      errorClass: 'other',
    });
    expect(deaths).toHaveLength(1);
    await sender.close(); // after death: resolves, does not hang
  });
});
