import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a webhook must never reach unless an operator allows them:
 * a customer-supplied URL is otherwise a way into the sender's own network.
 * BlockList also matches IPv4-mapped IPv6 forms (::ffff:10.0.0.1) of IPv4 rules.
 */
const BLOCKED: readonly [string, number, 'ipv4' | 'ipv6', string][] = [
  // Metadata services first, so the reason names them rather than their wider range.
  ['169.254.169.254', 32, 'ipv4', 'cloud metadata'],
  ['fd00:ec2::254', 128, 'ipv6', 'cloud metadata'],
  ['0.0.0.0', 8, 'ipv4', 'unspecified/this network'],
  ['10.0.0.0', 8, 'ipv4', 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.168.0.0', 16, 'ipv4', 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved/broadcast'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['::', 96, 'ipv6', 'IPv4-compatible (deprecated)'],
  // 64:ff9b::/96 (well-known NAT64) is judged by the IPv4 address it embeds: see blockedReason.
  ['64:ff9b:1::', 48, 'ipv6', 'NAT64 local-use'],
  ['::ffff:0:0:0', 96, 'ipv6', 'SIIT IPv4-translated'],
  ['100::', 64, 'ipv6', 'discard-only'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['2001::', 32, 'ipv6', 'Teredo (embeds IPv4 addresses)'],
  ['2002::', 16, 'ipv6', '6to4 (may embed a private IPv4)'],
  ['fc00::', 7, 'ipv6', 'unique-local'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'site-local (deprecated)'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const lists = BLOCKED.map(([net, prefix, family, reason]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { list, reason };
});

export const familyOf = (address: string): 'ipv4' | 'ipv6' | null =>
  isIP(address) === 4 ? 'ipv4' : isIP(address) === 6 ? 'ipv6' : null;

const nat64 = new BlockList();
nat64.addSubnet('64:ff9b::', 96, 'ipv6');

/** The IPv4 address in the last 32 bits of an IPv6 address (in any spelling). */
function embeddedIpv4(address: string): string {
  // The URL parser writes every IPv6 form (dotted tail included) as compressed hex.
  const hex = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const groups = hex.split(':');
  const low = Number.parseInt(groups[groups.length - 1] || '0', 16);
  const high = Number.parseInt(groups[groups.length - 2] || '0', 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Why `address` is blocked (e.g. "loopback"), or null when it is a public address. */
export function blockedReason(address: string): string | null {
  const family = familyOf(address);
  if (!family) return 'not an IP address';
  for (const { list, reason } of lists) if (list.check(address, family)) return reason;
  // Well-known NAT64 reaches the IPv4 address it embeds (DNS64 gives IPv6-only
  // hosts such names for every IPv4-only receiver): blocked when that is.
  if (family === 'ipv6' && nat64.check(address, 'ipv6')) {
    const ipv4 = embeddedIpv4(address);
    const reason = blockedReason(ipv4);
    return reason === null ? null : `NAT64 of ${ipv4}, ${reason}`;
  }
  return null;
}

export function isCidr(text: string): boolean {
  const [net, prefix, extra] = text.split('/');
  const family = net ? familyOf(net) : null;
  const bits = Number(prefix);
  return (
    extra === undefined &&
    family !== null &&
    /^\d+$/.test(prefix ?? '') &&
    bits <= (family === 'ipv4' ? 32 : 128)
  );
}

/** A BlockList holding operator-allowed ranges (`--allowed-cidrs`). */
export function cidrList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, prefix] = cidr.split('/') as [string, string];
    list.addSubnet(net, Number(prefix), familyOf(net)!);
  }
  return list;
}
