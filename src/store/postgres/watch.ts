import pg from 'pg';
import { DUE_CHANNEL } from './notify.js';

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

export interface DueWatcher {
  subscribe(listener: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * One dedicated LISTEN connection per store (pooled connections cannot hold a
 * LISTEN: they are handed to other queries). When it drops (server restart,
 * network) it reconnects with backoff by itself and then wakes every listener
 * once, since notifications sent while it was away are lost; the workers'
 * polling covers the gap either way.
 */
export function createDueWatcher(config: pg.ClientConfig): DueWatcher {
  const listeners = new Set<() => void>();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let backoff = MIN_BACKOFF_MS;
  let closed = false;

  const wakeAll = () => {
    for (const l of listeners) l();
  };

  function scheduleReconnect(): void {
    if (closed || listeners.size === 0 || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect(true);
    }, backoff);
    retryTimer.unref();
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }

  async function open(reconnected: boolean): Promise<void> {
    const c = new pg.Client(config);
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (client === c) client = null;
      c.end().catch(() => {});
      scheduleReconnect();
    };
    c.on('error', onLost);
    c.on('end', onLost);
    try {
      await c.connect();
      const schema = (await c.query<{ s: string | null }>('SELECT current_schema() AS s')).rows[0]?.s ?? '';
      c.on('notification', (n) => {
        if (n.channel === DUE_CHANNEL && n.payload === schema) wakeAll();
      });
      await c.query(`LISTEN ${DUE_CHANNEL}`);
    } catch {
      onLost();
      return;
    }
    if (closed || lost) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    backoff = MIN_BACKOFF_MS;
    if (reconnected) wakeAll();
  }

  function connect(reconnected: boolean): Promise<void> {
    connecting ??= open(reconnected).finally(() => {
      connecting = null;
    });
    return connecting;
  }

  async function disconnect(): Promise<void> {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    await connecting;
    const c = client;
    client = null;
    await c?.end().catch(() => {});
  }

  return {
    async subscribe(listener) {
      listeners.add(listener);
      // A first connection that fails is retried in the background: a worker
      // started while PostgreSQL is down still gets its wake-ups later.
      if (!client) await connect(false);
      return async () => {
        listeners.delete(listener);
        if (listeners.size === 0) await disconnect();
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      await disconnect();
    },
  };
}
