import { describe, expect, it } from 'vitest';
import { type ShutdownParts, shutDown } from './shutdown.js';

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Parts that log each step; attempts and the claim under way settle when the test says. */
function parts(over: Partial<ShutdownParts> = {}) {
  const log: string[] = [];
  const inFlight = new Map<string, Promise<void>>();
  const p: ShutdownParts = {
    requestTimeoutMs: 60_000,
    stopClaiming: () => {
      log.push('stop claiming');
      return null;
    },
    inFlight,
    recorder: {
      drain: async (deadline) => {
        log.push(`drain (in flight: ${inFlight.size}, deadline ahead: ${deadline > Date.now()})`);
        return true;
      },
    },
    leases: { stop: () => void log.push('leases') },
    unwatch: async () => void log.push('unwatch'),
    closeSender: async () => void log.push('close sender'),
    ...over,
  };
  return { log, inFlight, p };
}

describe('shutDown', () => {
  it('lets the claim under way start its deliveries, waits for every attempt, stores results, then lets go', async () => {
    const claim = deferred();
    const first = deferred();
    const second = deferred();
    const { log, inFlight, p } = parts();
    inFlight.set(
      'a',
      first.promise.then(() => void inFlight.delete('a')),
    );
    const claiming = claim.promise.then(() => {
      log.push('claim ended');
      inFlight.set(
        'b',
        second.promise.then(() => void inFlight.delete('b')),
      );
    });
    let done = false;
    const stopped = shutDown({
      ...p,
      stopClaiming: () => {
        log.push('stop claiming');
        return claiming;
      },
    }).then(() => (done = true));
    const turn = () => new Promise((r) => setImmediate(r));
    first.resolve();
    await turn();
    expect(log).toEqual(['stop claiming']); // nothing in flight, but the claim under way may start some
    claim.resolve();
    await turn();
    expect(done).toBe(false); // the claim's own delivery is in flight
    second.resolve();
    await stopped;
    expect(log).toEqual([
      'stop claiming',
      'claim ended',
      'drain (in flight: 0, deadline ahead: true)',
      'leases',
      'unwatch',
      'close sender',
    ]);
  });

  it('does not close a sender it was given (closeSender null)', async () => {
    const { log, p } = parts({ closeSender: null });
    await shutDown(p);
    expect(log).toEqual(['stop claiming', 'drain (in flight: 0, deadline ahead: true)', 'leases', 'unwatch']);
  });

  it('stops waiting for a hung attempt after the request timeout and a margin, and for a hung close', async () => {
    const { log, inFlight, p } = parts({
      requestTimeoutMs: 0,
      closeSender: () => new Promise(() => log.push('close sender')),
    });
    inFlight.set('hung', new Promise(() => {}));
    await shutDown(p);
    expect(log).toEqual([
      'stop claiming',
      'drain (in flight: 1, deadline ahead: true)',
      'leases',
      'unwatch',
      'close sender',
    ]);
  });
});
