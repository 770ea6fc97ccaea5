import { familyOf } from '../core/ip-ranges.js';
import { type AddressPolicy, createAddressGuard } from '../delivery/ssrf.js';
import { checkUrl, type Fields } from './validate.js';

/**
 * Webhook target URLs checked against the SSRF guard's policy at the API, so a
 * URL that could never be delivered is refused when it is written rather than
 * failing every attempt later. Only IP-literal hosts can be judged here: a
 * name's answers may change, so names are checked on every connect
 * (delivery/ssrf.ts) and this check is a courtesy, not the guard.
 */
export type TargetUrlCheck = (fields: Fields, key: string, value: string | undefined) => string | undefined;

const article = (word: string): string => (/^(?:[aeio]|un(?!i))/i.test(word) ? 'an' : 'a');

export function targetUrlCheck(policy: AddressPolicy): TargetUrlCheck {
  const guard = createAddressGuard(policy);
  return (fields, key, value) => {
    const url = checkUrl(fields, key, value);
    if (url === undefined) return undefined;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    const reason = familyOf(host) ? guard.reasonToBlock(host) : null;
    if (reason === null) return url;
    return fields.fail(
      key,
      `${host} is ${article(reason)} ${reason} address; deliveries to private networks are disabled ` +
        '(see --allow-private-networks and --allowed-cidrs); to receive on your own machine, run ' +
        '`hookline listen --forward-to http://localhost:PORT/PATH`, which relays deliveries to it',
      'value_error.url.blocked',
    );
  };
}
