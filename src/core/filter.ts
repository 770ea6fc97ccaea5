/** What routing looks at on an endpoint and on a message. */
export interface RoutingRules {
  filterTypes: readonly string[] | null;
  channels: readonly string[] | null;
  disabled: boolean;
}

export interface RoutedMessage {
  eventType: string;
  channels: readonly string[] | null;
}

/**
 * Svix routing: an endpoint without `filterTypes` takes every event type; one
 * without `channels` takes every message; one with channels takes only messages
 * that share at least one channel with it. Disabled endpoints take nothing.
 */
export function endpointAccepts(endpoint: RoutingRules, msg: RoutedMessage): boolean {
  if (endpoint.disabled) return false;
  if (
    endpoint.filterTypes &&
    endpoint.filterTypes.length > 0 &&
    !endpoint.filterTypes.includes(msg.eventType)
  ) {
    return false;
  }
  if (endpoint.channels && endpoint.channels.length > 0) {
    return (msg.channels ?? []).some((c) => endpoint.channels?.includes(c));
  }
  return true;
}
