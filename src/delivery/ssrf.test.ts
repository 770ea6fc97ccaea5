import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { BLOCKED_MATRIX } from '../../test/helpers/blocked-addresses.js';
import { BLOCKED_CODE } from './classify.js';
import { type AddressGuard, BlockedAddressError, createAddressGuard, type Resolve } from './ssrf.js';

const DEFAULT_POLICY = { allowPrivateNetworks: false, allowedCidrs: [] };

const PUBLIC = ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'];

/** Calls the guard's lookup and collects what it hands to the socket. */
function lookup(
  guard: AddressGuard,
  hostname: string,
  options: { all?: boolean; family?: number } = {},
): Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve) => {
    guard.lookup(hostname, options, (err, address, family) => resolve({ err, address, family }));
  });
}

const answering =
  (...addresses: string[]): Resolve =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('SSRF guard: address policy', () => {
  const guard = createAddressGuard(DEFAULT_POLICY);

  it.each(BLOCKED_MATRIX)('blocks %s (%s) by default', (address, reason) => {
    expect(guard.reasonToBlock(address)).toContain(reason);
  });

  it.each(PUBLIC)('lets public %s through', (address) => {
    expect(guard.reasonToBlock(address)).toBeNull();
  });

  it('allowPrivateNetworks lets every range through', () => {
    const open = createAddressGuard({ allowPrivateNetworks: true, allowedCidrs: [] });
    for (const [address] of BLOCKED_MATRIX) expect(open.reasonToBlock(address)).toBeNull();
  });

  it('allowedCidrs lets exactly the chosen ranges through', () => {
    const some = createAddressGuard({
      allowPrivateNetworks: false,
      allowedCidrs: ['10.1.0.0/16', '127.0.0.2/32', 'fd00:1::/32'],
    });
    expect(some.reasonToBlock('10.1.200.3')).toBeNull();
    expect(some.reasonToBlock('::ffff:10.1.200.3')).toBeNull();
    expect(some.reasonToBlock('127.0.0.2')).toBeNull();
    expect(some.reasonToBlock('fd00:1::5')).toBeNull();
    expect(some.reasonToBlock('10.2.0.1')).toContain('private');
    expect(some.reasonToBlock('127.0.0.1')).toContain('loopback');
    expect(some.reasonToBlock('169.254.169.254')).toContain('metadata');
    expect(some.reasonToBlock('fd00:2::5')).toContain('unique-local');
  });
});

describe('SSRF guard: lookup (what sockets connect to)', () => {
  it.each(BLOCKED_MATRIX)('refuses a name that resolves to %s', async (address) => {
    const guard = createAddressGuard(DEFAULT_POLICY, answering(address));
    const { err } = await lookup(guard, 'hooks.example.test');
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err?.code).toBe(BLOCKED_CODE);
    expect(err?.message).toContain(address);
    expect(err?.message).toContain('hooks.example.test');
  });

  it('refuses the whole name when any one answer is blocked', async () => {
    const guard = createAddressGuard(DEFAULT_POLICY, answering('93.184.216.34', '10.0.0.5'));
    for (const options of [{}, { all: true }, { family: 4 }]) {
      const { err } = await lookup(guard, 'mixed.example.test', options);
      expect(err?.code).toBe(BLOCKED_CODE);
      expect(err?.message).toContain('10.0.0.5');
    }
  });

  it('hands back only the addresses it checked, in the shape asked for', async () => {
    const guard = createAddressGuard(DEFAULT_POLICY, answering('93.184.216.34', '2606:4700::1111'));
    expect(await lookup(guard, 'ok.example.test')).toEqual({
      err: null,
      address: '93.184.216.34',
      family: 4,
    });
    expect((await lookup(guard, 'ok.example.test', { all: true })).address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700::1111', family: 6 },
    ]);
    expect(await lookup(guard, 'ok.example.test', { family: 6 })).toMatchObject({
      address: '2606:4700::1111',
      family: 6,
    });
  });

  it('resolves once per lookup, so a later answer cannot replace a checked one', async () => {
    const answers = ['127.0.0.2', '127.0.0.1'];
    let calls = 0;
    const rebinding: Resolve = async () => {
      const address = answers[Math.min(calls++, answers.length - 1)]!;
      return [{ address, family: 4 }];
    };
    const guard = createAddressGuard(
      { allowPrivateNetworks: false, allowedCidrs: ['127.0.0.2/32'] },
      rebinding,
    );
    expect(await lookup(guard, 'rebind.example.test')).toMatchObject({ err: null, address: '127.0.0.2' });
    expect(calls).toBe(1);
    const second = await lookup(guard, 'rebind.example.test');
    expect(second.err?.code).toBe(BLOCKED_CODE);
    expect(second.address).toBe('');
    expect(calls).toBe(2);
  });

  it('passes resolver failures through with their own code (a dns error, not blocked)', async () => {
    const failing: Resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nope.test'), { code: 'ENOTFOUND' });
    };
    const { err } = await lookup(createAddressGuard(DEFAULT_POLICY, failing), 'nope.test');
    expect(err?.code).toBe('ENOTFOUND');
    const empty = await lookup(createAddressGuard(DEFAULT_POLICY, answering('8.8.8.8')), 'v4only.test', {
      family: 6,
    });
    expect(empty.err?.code).toBe('ENOTFOUND');
  });
});

describe('SSRF guard: checkTarget (IP-literal hosts, which skip DNS)', () => {
  const guard = createAddressGuard(DEFAULT_POLICY, async () => {
    throw new Error('literal hosts must not be resolved');
  });

  it.each([
    ['http://127.0.0.1:8080/hook', '127.0.0.1'],
    ['https://10.0.0.1/', '10.0.0.1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://[::1]:9000/', '::1'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    // WHATWG URL parsing turns these spellings into 127.0.0.1 and 0.0.0.0.
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
  ])('refuses %s', (url, address) => {
    let thrown: unknown;
    try {
      guard.checkTarget(url);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BlockedAddressError);
    expect((thrown as BlockedAddressError).code).toBe(BLOCKED_CODE);
    expect((thrown as BlockedAddressError).address).toBe(address);
    expect((thrown as Error).message).toContain(`refused to connect to ${address}`);
  });

  it('leaves names to the lookup and lets public literals through', () => {
    expect(() => guard.checkTarget('https://hooks.example.test/')).not.toThrow();
    expect(() => guard.checkTarget('https://93.184.216.34/')).not.toThrow();
    expect(() => guard.checkTarget('https://[2606:4700::1111]/')).not.toThrow();
  });
});
