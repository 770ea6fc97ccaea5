import { describe, expect, it } from 'vitest';
import { parseEvents, type StreamEvent } from './event-stream.js';

/** A body delivered in the given chunks, as a network might cut it. */
function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of parseEvents(stream)) out.push(e);
  return out;
}

describe('parseEvents', () => {
  it('reads events cut anywhere, skips comments, joins data lines, resets fields per event', async () => {
    const text =
      ': hookline stream\n\nevent: attempt\nid: atmpt_1\ndata: {"a":1}\n\r\n: keep-alive\n\ndata: x\ndata: y\n\n';
    const whole = await all(body(text));
    expect(whole).toEqual([
      { event: 'attempt', id: 'atmpt_1', data: '{"a":1}' },
      { event: 'message', id: null, data: 'x\ny' },
    ]);
    // One byte at a time gives the same events.
    expect(await all(body(...text.split('')))).toEqual(whole);
  });

  it('keeps a multi-byte character split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: é\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7));
        controller.close();
      },
    });
    expect(await all(stream)).toEqual([{ event: 'message', id: null, data: 'é' }]);
  });
});
