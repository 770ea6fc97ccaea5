import { describe, expect, it } from 'vitest';
import { blockedReason, cidrList, isCidr } from './ip-ranges.js';

describe('blocked address ranges', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'metadata'],
  ])('blocks %s (%s)', (address, reason) => {
    expect(blockedReason(address)).toContain(reason);
  });

  it.each([
    ['64:ff9b:1::1', 'NAT64 local-use'],
    ['64:ff9b:1:ffff::8.8.8.8', 'NAT64 local-use'],
    ['2001::1', 'Teredo'],
    ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 'Teredo'],
    ['fec0::1', 'site-local'],
    ['feff:ffff::1', 'site-local'],
    ['::ffff:0:808:808', 'SIIT'],
    ['::ffff:0:127.0.0.1', 'SIIT'],
    ['64:ff9b::7f00:1', 'NAT64 of 127.0.0.1, loopback'],
    ['64:ff9b::192.168.1.1', 'NAT64 of 192.168.1.1, private'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of 169.254.169.254, cloud metadata'],
    ['64:ff9b::', 'NAT64 of 0.0.0.0, unspecified'],
  ])('blocks the IPv6 range of %s (%s)', (address, reason) => {
    expect(blockedReason(address)).toContain(reason);
  });

  it.each(['64:ff9b::808:808', '64:ff9b::8.8.8.8', '64:ff9b::5db8:d822', '2001:4860:4860::8888', '2002::1'])(
    'judges well-known NAT64 by the IPv4 it embeds: %s',
    (address) => {
      // A public IPv4 behind NAT64 is as reachable as the IPv4 itself (6to4 stays blocked whole).
      expect(blockedReason(address)).toBe(address === '2002::1' ? '6to4 (may embed a private IPv4)' : null);
    },
  );

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows public %s',
    (address) => {
      expect(blockedReason(address)).toBeNull();
    },
  );

  it('parses CIDRs and matches allowed ranges', () => {
    expect(isCidr('10.1.0.0/16')).toBe(true);
    expect(isCidr('fd00::/8')).toBe(true);
    expect(isCidr('10.1.0.0/33')).toBe(false);
    expect(isCidr('nope/8')).toBe(false);
    expect(isCidr('10.0.0.0')).toBe(false);
    const allowed = cidrList(['10.1.0.0/16']);
    expect(allowed.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(allowed.check('10.2.0.1', 'ipv4')).toBe(false);
  });
});
