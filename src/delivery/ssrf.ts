import { lookup as dnsLookup } from 'node:dns/promises';
import type { BlockList, LookupFunction } from 'node:net';
import { blockedReason, cidrList, familyOf } from '../core/ip-ranges.js';
import { BLOCKED_CODE } from './classify.js';

/**
 * The SSRF guard. Every connection resolves its host through `guardedLookup`,
 * which refuses blocked addresses and hands the socket exactly the address it
 * checked: a DNS answer that changes between check and connect (rebinding)
 * has nothing to change. IP-literal hosts skip DNS, so `checkTarget` covers them.
 */
export interface AddressPolicy {
  /** Development switch: nothing is blocked. */
  allowPrivateNetworks: boolean;
  /** Operator-allowed ranges, checked before the block list. */
  allowedCidrs: readonly string[];
}

export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export class BlockedAddressError extends Error {
  readonly code = BLOCKED_CODE;
  constructor(
    readonly address: string,
    readonly reason: string,
    hostname?: string,
  ) {
    super(
      `refused to connect to ${address}${hostname && hostname !== address ? ` (${hostname})` : ''}: ${reason} address; ` +
        'set --allowed-cidrs or --allow-private-networks to allow it',
    );
    this.name = 'BlockedAddressError';
  }
}

export interface AddressGuard {
  /** Why this IP may not be reached, or null. */
  reasonToBlock(address: string): string | null;
  /** For net/tls `lookup`: resolve, refuse blocked answers, return only checked addresses. */
  lookup: LookupFunction;
  /** Throws BlockedAddressError when a URL's host is an IP literal that is blocked. */
  checkTarget(url: string): void;
}

export function createAddressGuard(policy: AddressPolicy, resolve: Resolve = systemResolve): AddressGuard {
  const allowed: BlockList = cidrList(policy.allowedCidrs);
  const reasonToBlock = (address: string): string | null => {
    if (policy.allowPrivateNetworks) return null;
    const family = familyOf(address);
    if (family && allowed.check(address, family)) return null;
    return blockedReason(address);
  };

  const lookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        // One blocked answer blocks the host: the OS could pick any of them.
        for (const a of answers) {
          const reason = reasonToBlock(a.address);
          if (reason) return callback(new BlockedAddressError(a.address, reason, hostname), '', 0);
        }
        const wanted =
          options.family === 4 || options.family === 6
            ? answers.filter((a) => a.family === options.family)
            : answers;
        if (wanted.length === 0) {
          const err = Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
          return callback(err, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: typeof wanted) => void)(null, wanted);
        const first = wanted[0]!;
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };

  return {
    reasonToBlock,
    lookup,
    checkTarget(url) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (!familyOf(host)) return;
      const reason = reasonToBlock(host);
      if (reason) throw new BlockedAddressError(host, reason);
    },
  };
}
