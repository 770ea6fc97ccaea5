import type { Command } from 'commander';
import { integer, keyValue, list } from './flags.js';

export interface EndpointOut {
  id: string;
  uid: string | null;
  url: string;
  description: string;
  version: number;
  rateLimit: number | null;
  disabled: boolean;
  disabledReason?: string;
  filterTypes: string[] | null;
  channels: string[] | null;
  metadata: Record<string, string>;
  maxInFlight: number | null;
  ordered: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface EndpointFlags {
  url?: string;
  description?: string;
  uid?: string;
  version?: number;
  filterTypes?: string[];
  allTypes?: boolean;
  channels?: string[];
  allChannels?: boolean;
  /** false: --no-rate-limit. */
  rateLimit?: number | false;
  header?: Record<string, string>;
  metadata?: Record<string, string>;
  disabled?: boolean;
  maxInFlight?: number;
  ordered?: boolean;
  secret?: string;
  secretKind?: string;
}

/** The EndpointIn fields as flags, shared by create and update. */
export function endpointFieldOptions(cmd: Command, mode: 'create' | 'update'): Command {
  cmd
    .option('--description <text>', 'what this endpoint is for')
    .option('--uid <uid>', 'your own unique id for the endpoint')
    .option('--version <n>', 'endpoint version', integer('--version'))
    .option('--filter-types <a,b>', 'only these event types (repeatable; default: all)', list)
    .option('--channels <a,b>', 'only messages on these channels (repeatable; default: all)', list)
    .option('--rate-limit <n>', 'at most this many messages per second', integer('--rate-limit'))
    .option('--metadata <key=value>', 'metadata entry (repeatable)', keyValue('--metadata'))
    .option(
      '--header <key=value>',
      'custom header sent with each delivery (repeatable)',
      keyValue('--header'),
    )
    .option('--disabled', 'disabled: deliveries wait until it is enabled')
    .option(
      '--max-in-flight <n>',
      'at most this many deliveries in flight at once',
      integer('--max-in-flight'),
    )
    .option('--ordered', 'deliver one at a time, in accept order');
  if (mode === 'create') {
    cmd
      .option('--secret <whsec_...>', 'signing secret (default: generated)')
      .option('--secret-kind <kind>', 'hmac (whsec_, default) or ed25519 (whsk_)');
  } else {
    cmd
      .option('--url <url>', 'where deliveries are POSTed')
      .option('--enabled', 'enable it again (deliveries that waited are sent)')
      .option('--all-types', 'clear --filter-types: receive every event type')
      .option('--all-channels', 'clear --channels: receive every channel')
      .option('--no-rate-limit', 'remove the rate limit')
      .option('--unordered', 'stop ordered delivery');
  }
  return cmd;
}

/** EndpointIn (create) or EndpointPatch (update) with only the fields given. */
export function endpointBody(
  o: EndpointFlags & { enabled?: boolean; unordered?: boolean },
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) body[key] = value;
  };
  set('url', o.url);
  set('description', o.description);
  set('uid', o.uid);
  set('version', o.version);
  set('filterTypes', o.allTypes ? null : o.filterTypes);
  set('channels', o.allChannels ? null : o.channels);
  // commander turns --no-rate-limit into rateLimit: false.
  set('rateLimit', o.rateLimit === false ? null : o.rateLimit);
  set('metadata', o.metadata);
  set('disabled', o.enabled ? false : o.disabled);
  set('maxInFlight', o.maxInFlight);
  set('ordered', o.unordered ? false : o.ordered);
  set('secret', o.secret);
  set('secretKind', o.secretKind);
  return body;
}
