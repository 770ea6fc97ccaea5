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
