import { describe, expect, it } from 'vitest';
import { until } from '../../../test/helpers/until.js';
import { type GroupWriteOptions, groupWrite } from './group-write.js';

/** A recording writer: batches it was given, writes one at a time, and a gate to hold writes open. */
function harness(overrides: Partial<GroupWriteOptions<string, string>> = {}) {
  const batches: string[][] = [];
  const singles: string[] = [];
  let open = 0;
  let maxOpen = 0;
  const hold = async () => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    await new Promise((r) => setImmediate(r));
    open--;
  };
  const write = groupWrite<string, string>({
    async writeMany(items) {
      batches.push(items);
      await hold();
      if (items.includes('bad')) throw new Error('refused');
      return items.map((i) => `ok:${i}`);
    },
    async writeOne(item) {
      singles.push(item);
      await hold();
      if (item === 'bad') throw new Error(`refused ${item}`);
      return `one:${item}`;
    },
    parallel: 2,
    maxItems: 10,
    maxSize: 1000,
    sizeOf: (i) => i.length,
    refused: (e) => (e as Error).message.startsWith('refused'),
    ...overrides,
  });
  return { write, batches, singles, maxOpen: () => maxOpen };
}

describe('groupWrite', () => {
  it('writes a lone call by itself, and calls of one turn together in input order', async () => {
    const h = harness();
    expect(await h.write('a')).toBe('one:a');
    const items = ['b', 'c', 'd'];
    expect(await Promise.all(items.map(h.write))).toEqual(['ok:b', 'ok:c', 'ok:d']);
    expect(h.singles).toEqual(['a']);
    expect(h.batches).toEqual([['b', 'c', 'd']]);
  });

  it('keeps at most `parallel` writes open and bounds each batch by items and bytes', async () => {
    const h = harness({ maxItems: 4, maxSize: 6, sizeOf: (i) => (i.startsWith('big') ? 5 : 1) });
    const items = ['a', 'b', 'c', 'd', 'e', 'big1', 'f', 'g', 'big2', 'h'];
    const out = await Promise.all(items.map(h.write));
    expect(out.every((o, i) => o.endsWith(`:${items[i]}`))).toBe(true);
    expect(h.maxOpen()).toBeLessThanOrEqual(2);
    const written = [...h.batches, ...h.singles.map((s) => [s])];
    expect(written.flat().sort()).toEqual([...items].sort());
    for (const b of h.batches) {
      expect(b.length).toBeLessThanOrEqual(4);
      const bytes = b.reduce((n, i) => n + (i.startsWith('big') ? 5 : 1), 0);
      expect(bytes <= 6 || b.length === 1).toBe(true);
    }
  });

  it("takes queued calls in turn across keys, so one key's backlog does not go ahead of another's call", async () => {
    const h = harness({ maxItems: 3, parallel: 1, keyOf: (i) => i.split(':')[0]! });
    const flood = Array.from({ length: 7 }, (_, i) => `flood:${i}`);
    const out = await Promise.all([...flood, 'quiet:0', 'quiet:1'].map(h.write));
    expect(out).toHaveLength(9);
    // The quiet key's calls came last, yet go in the first batches; each key keeps its own order.
    expect(h.batches).toEqual([
      ['flood:0', 'quiet:0', 'flood:1'],
      ['flood:2', 'quiet:1', 'flood:3'],
      ['flood:4', 'flood:5', 'flood:6'],
    ]);
  });

  it('while every write is busy, a key with none in flight goes out in one more write, not after them', async () => {
    const order: string[] = [];
    const gates: (() => void)[] = [];
    const write = groupWrite<string, string>({
      writeMany: async (items) => {
        order.push(`start ${items.join(',')}`);
        await new Promise<void>((r) => gates.push(r));
        return items;
      },
      writeOne: async (item) => {
        order.push(`start ${item}`);
        await new Promise<void>((r) => gates.push(r));
        return item;
      },
      parallel: 1,
      maxItems: 10,
      maxSize: 1000,
      sizeOf: () => 1,
      refused: () => false,
      keyOf: (i) => i.split(':')[0]!,
    });
    const flood = ['flood:0', 'flood:1'].map(write);
    await until(() => order.length === 1);
    const moreFlood = write('flood:2'); // waits: its key is in flight and the one write is busy
    const quiet = write('quiet:0'); // goes at once, in the express write
    await until(() => order.length === 2);
    expect(order).toEqual(['start flood:0,flood:1', 'start quiet:0']);
    const quietToo = write('quiet:1'); // the express write is busy now: it waits with the rest
    await new Promise((r) => setImmediate(r));
    expect(order).toHaveLength(2);
    while (order.length < 4 || gates.length > 0) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all([...flood, moreFlood, quiet, quietToo])).toEqual([
      'flood:0',
      'flood:1',
      'flood:2',
      'quiet:0',
      'quiet:1',
    ]);
    // Each key's next call went out once its own write was done.
    expect(order.slice(2).sort()).toEqual(['start flood:2', 'start quiet:1']);
  });

  it('retries a refused batch one call at a time, so only the bad call fails', async () => {
    const h = harness();
    const settled = await Promise.allSettled(['a', 'bad', 'c'].map(h.write));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 'one:a' },
      { status: 'rejected', reason: new Error('refused bad') },
      { status: 'fulfilled', value: 'one:c' },
    ]);
    // Redone in sequence, not all at once: a refused batch of 200 must not flood the pool.
    expect(h.maxOpen()).toBe(1);
  });

  it('does not retry a batch whose fate is unknown: every call gets the error', async () => {
    const lost = new Error('connection terminated');
    const h = harness({
      writeMany: async () => {
        throw lost;
      },
    });
    const settled = await Promise.allSettled(['a', 'b'].map(h.write));
    expect(settled).toEqual([
      { status: 'rejected', reason: lost },
      { status: 'rejected', reason: lost },
    ]);
    expect(h.singles).toEqual([]);
  });
});
