import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSender, type Sender } from '../../src/delivery/sender.js';
import { type AddressPolicy, createAddressGuard, type Resolve } from '../../src/delivery/ssrf.js';
import { createWorker } from '../../src/delivery/worker.js';
import { BLOCKED_MATRIX } from '../helpers/blocked-addresses.js';
import { type Listener, listen, listenPair } from '../helpers/listener.js';
import { type Harness, harness, testConfig } from './fixtures.js';
import { forEachBackend } from '../helpers/backends.js';

const BY_DEFAULT: AddressPolicy = { allowPrivateNetworks: false, allowedCidrs: [] };
const body = JSON.stringify({ type: 'ssrf.probe' });
const headers = { 'content-type': 'application/json' };

/** A sender wired the way src/server.ts wires it: the guard's lookup and target check. */
function guardedSender(policy: AddressPolicy, resolve?: Resolve): Sender {
  const guard = createAddressGuard(policy, resolve);
  return createSender({ timeoutMs: 2000, lookup: guard.lookup, checkTarget: guard.checkTarget });
}

const resolvesTo =
  (address: string): Resolve =>
  async () => [{ address, family: address.includes(':') ? 6 : 4 }];

const urlHost = (address: string) => (address.includes(':') ? `[${address}]` : address);

// The sender suites below never touch a store, so they run once, not per backend.
describe('SSRF guard in the sender: every blocked range is refused by default', () => {
  let loopback: Listener;
  const senders: Sender[] = [];
  const sender = (policy: AddressPolicy, resolve?: Resolve) => {
    const s = guardedSender(policy, resolve);
    senders.push(s);
    return s;
  };
  beforeEach(async () => {
    loopback = await listen('127.0.0.1');
  });
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((s) => s.close()));
    await loopback.close();
  });

  it.each(BLOCKED_MATRIX)('refuses a URL with the literal address %s (%s)', async (address, reason) => {
    const res = await sender(BY_DEFAULT).send({
      url: `http://${urlHost(address)}:${loopback.port}/hook`,
      headers,
      body,
    });
    expect(res).toMatchObject({ statusCode: 0, errorClass: 'blocked' });
    expect(res.body).toContain(reason);
    expect(loopback.connections).toBe(0);
  });

  it.each(BLOCKED_MATRIX)('refuses a name that resolves to %s (%s)', async (address, reason) => {
    const res = await sender(BY_DEFAULT, resolvesTo(address)).send({
      url: `http://hooks.example.test:${loopback.port}/hook`,
      headers,
      body,
    });
    expect(res).toMatchObject({ statusCode: 0, errorClass: 'blocked' });
    expect(res.body).toContain(address);
    expect(res.body).toContain(reason);
    expect(loopback.connections).toBe(0);
  });

  it('names the address in the message for both a literal and a resolved name', async () => {
    const literal = await sender(BY_DEFAULT).send({
      url: `http://127.0.0.1:${loopback.port}/`,
      headers,
      body,
    });
    expect(literal.body).toMatch(/refused to connect to 127\.0\.0\.1: loopback address/);
    const named = await sender(BY_DEFAULT, resolvesTo('10.20.30.40')).send({
      url: 'https://internal.example.test/',
      headers,
      body,
    });
    expect(named.body).toMatch(/refused to connect to 10\.20\.30\.40 \(internal\.example\.test\)/);
  });

  it('allowPrivateNetworks lets deliveries through to loopback', async () => {
    const open = sender({ allowPrivateNetworks: true, allowedCidrs: [] }, resolvesTo('127.0.0.1'));
    for (const url of [`http://127.0.0.1:${loopback.port}/a`, `http://dev.example.test:${loopback.port}/b`]) {
      expect(await open.send({ url, headers, body })).toMatchObject({ statusCode: 200, errorClass: null });
    }
    expect(loopback.requests.map((r) => r.url)).toEqual(['/a', '/b']);
  });

  it('allowedCidrs lets the chosen range through and nothing else', async () => {
    const some = sender({ allowPrivateNetworks: false, allowedCidrs: ['127.0.0.1/32'] });
    const ok = await some.send({ url: `http://127.0.0.1:${loopback.port}/ok`, headers, body });
    expect(ok).toMatchObject({ statusCode: 200, errorClass: null });
    const other = await some.send({ url: `http://127.0.0.3:${loopback.port}/no`, headers, body });
    expect(other).toMatchObject({ statusCode: 0, errorClass: 'blocked' });
    expect(loopback.requests.map((r) => r.url)).toEqual(['/ok']);
  });
});

describe('SSRF guard in the sender: rebinding and redirects', () => {
  // 127.0.0.2 stands in for a public address (allowed); 127.0.0.1 is the private target.
  const policy: AddressPolicy = { allowPrivateNetworks: false, allowedCidrs: ['127.0.0.2/32'] };
  let allowed: Listener;
  let forbidden: Listener;
  let sender: Sender | undefined;
  afterEach(async () => {
    await sender?.close();
    await allowed.close();
    await forbidden.close();
  });

  it('a resolver that answers allowed, then private, never gets the socket to the private address', async () => {
    // `connection: close` makes every request open a new connection, so every one resolves again.
    [allowed, forbidden] = await listenPair(
      ['127.0.0.2', '127.0.0.1'],
      [(_req, res) => res.writeHead(200, { connection: 'close' }).end('public')],
    );
    const answers: string[] = [];
    const rebinding: Resolve = async () => {
      const address = answers.length === 0 ? '127.0.0.2' : '127.0.0.1';
      answers.push(address);
      return [{ address, family: 4 }];
    };
    sender = guardedSender(policy, rebinding);
    const url = `http://rebind.example.test:${allowed.port}/hook`;
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await sender.send({ url, headers, body }));

    expect(results[0]).toMatchObject({ statusCode: 200, body: 'public', errorClass: null });
    for (const later of results.slice(1)) {
      expect(later).toMatchObject({ statusCode: 0, errorClass: 'blocked' });
      expect(later.body).toContain('127.0.0.1');
    }
    expect(answers).toEqual(['127.0.0.2', '127.0.0.1', '127.0.0.1']);
    expect(allowed.requests).toHaveLength(1);
    expect(forbidden.connections).toBe(0);
  });

  it('one private address among the answers blocks the name outright', async () => {
    [allowed, forbidden] = await listenPair(['127.0.0.2', '127.0.0.1']);
    const both: Resolve = async () => [
      { address: '127.0.0.2', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    sender = guardedSender(policy, both);
    const res = await sender.send({ url: `http://both.example.test:${allowed.port}/`, headers, body });
    expect(res).toMatchObject({ statusCode: 0, errorClass: 'blocked' });
    expect(allowed.connections + forbidden.connections).toBe(0);
  });

  it('a 302 to a private address is recorded as a redirect and not followed', async () => {
    [allowed, forbidden] = await listenPair(
      ['127.0.0.2', '127.0.0.1'],
      [(_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${allowed.port}/steal` }).end()],
    );
    sender = guardedSender(policy);
    const res = await sender.send({ url: `http://127.0.0.2:${allowed.port}/hook`, headers, body });
    expect(res).toMatchObject({ statusCode: 302, errorClass: 'redirect' });
    expect(allowed.requests).toHaveLength(1);
    expect(forbidden.connections).toBe(0);
  });

  it('redirects are not followed even when private networks are allowed', async () => {
    [allowed, forbidden] = await listenPair(
      ['127.0.0.2', '127.0.0.1'],
      [(_req, res) => res.writeHead(307, { location: `http://127.0.0.1:${allowed.port}/steal` }).end()],
    );
    sender = guardedSender({ allowPrivateNetworks: true, allowedCidrs: [] });
    const res = await sender.send({ url: `http://127.0.0.2:${allowed.port}/hook`, headers, body });
    expect(res).toMatchObject({ statusCode: 307, errorClass: 'redirect' });
    expect(forbidden.connections).toBe(0);
  });
});

forEachBackend('SSRF guard in the worker: a blocked delivery is a recorded attempt', (backend) => {
  let h: Harness;
  let target: Listener;
  beforeEach(async () => {
    h = await harness(backend);
    target = await listen('127.0.0.1');
  });
  afterEach(async () => {
    await h.close();
    await target.close();
  });

  it('records errorClass blocked with a message naming the address, and never connects', async () => {
    const sender = guardedSender(BY_DEFAULT);
    // An endpoint stored while the range was allowed; the API refuses such URLs now.
    await h.endpoint(`http://127.0.0.1:${target.port}/hook`);
    let onRecorded = () => {};
    const recorded = new Promise<void>((resolve) => {
      onRecorded = resolve;
    });
    const worker = createWorker({
      store: h.store,
      config: { ...testConfig, retrySchedule: [] },
      sender,
      events: { recorded: () => onRecorded() },
    });
    worker.start();
    try {
      const msgId = await h.send();
      worker.wake();
      await recorded;
      const [attempt] = await h.attempts(msgId);
      expect(attempt).toMatchObject({ status: 'fail', responseStatusCode: 0, errorClass: 'blocked' });
      expect(attempt?.response).toContain('refused to connect to 127.0.0.1: loopback address');
      expect(target.connections).toBe(0);
    } finally {
      await worker.stop();
      await sender.close();
    }
  });
});
