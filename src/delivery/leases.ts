export interface LeaseKeeperOptions {
  /** store.queue.renewLeases: returns ids whose lease was lost. */
  renew: (claims: { deliveryId: string; leaseToken: string }[], leaseMs: number) => Promise<string[]>;
  leaseMs: number;
  onLost: (deliveryIds: string[]) => void;
  onError: (error: unknown, retryInMs: number) => void;
}

export interface LeaseKeeper {
  /** Starts tracking a claim (from claim until its result is stored). */
  hold(deliveryId: string, leaseToken: string): void;
  /** Stops tracking, unless the delivery was claimed again since (another token). */
  release(deliveryId: string, leaseToken: string): void;
  start(): void;
  stop(): void;
  /** Renews now whatever is due (exposed for tests). */
  tick(): Promise<void>;
}

/**
 * Keeps leases of long attempts alive. Every leaseMs/3 it renews, in one
 * call, the leases held for at least leaseMs/3, so a lease is renewed at
 * least once before it could expire while short attempts (the common case)
 * never cost a renewal.
 */
export function createLeaseKeeper(opts: LeaseKeeperOptions): LeaseKeeper {
  const period = Math.max(1, Math.floor(opts.leaseMs / 3));
  const held = new Map<string, { leaseToken: string; renewedAt: number }>();
  let interval: NodeJS.Timeout | null = null;
  let renewing = false;

  async function tick(): Promise<void> {
    if (renewing) return;
    const cutoff = Date.now() - period;
    const due: { deliveryId: string; leaseToken: string }[] = [];
    for (const [deliveryId, lease] of held) {
      if (lease.renewedAt <= cutoff) due.push({ deliveryId, leaseToken: lease.leaseToken });
    }
    if (due.length === 0) return;
    renewing = true;
    const startedAt = Date.now();
    try {
      const lost = await opts.renew(due, opts.leaseMs);
      for (const d of due) {
        const lease = held.get(d.deliveryId);
        if (lease && lease.leaseToken === d.leaseToken) lease.renewedAt = startedAt;
      }
      // The attempt goes on and is still recorded; the store leaves the delivery to its new owner.
      for (const id of lost) held.delete(id);
      if (lost.length > 0) opts.onLost(lost);
    } catch (err) {
      opts.onError(err, period);
    } finally {
      renewing = false;
    }
  }

  return {
    hold(deliveryId, leaseToken) {
      held.set(deliveryId, { leaseToken, renewedAt: Date.now() });
    },
    release(deliveryId, leaseToken) {
      if (held.get(deliveryId)?.leaseToken === leaseToken) held.delete(deliveryId);
    },
    start() {
      interval ??= setInterval(() => void tick(), period);
    },
    stop() {
      if (interval) clearInterval(interval);
      interval = null;
    },
    tick,
  };
}
