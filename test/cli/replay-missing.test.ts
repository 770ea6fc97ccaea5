import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { json, runCli, startTestServer, type TestServer } from './harness.js';

let hl: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  [hl, receiver] = await Promise.all([startTestServer(), startReceiver()]);
});
afterAll(async () => {
  await Promise.all([hl?.close(), receiver?.close()]);
});

const cli = (...args: string[]) => runCli(args, { env: hl.env });

describe('hookline replay-missing', () => {
  it('sends an endpoint what it never received since a time, following the task to its end', async () => {
    expect((await cli('app', 'create', '--name', 'Replay', '--uid', 'replay')).code).toBe(0);
    for (const id of ['ord_1', 'ord_2']) {
      expect(
        (await cli('msg', 'send', 'order.paid', '--app', 'replay', '--data', JSON.stringify({ id }))).code,
      ).toBe(0);
    }
    // The endpoint comes later: the two messages were never sent to it.
    const url = `${receiver.url}/late`;
    expect((await cli('endpoint', 'create', '--app', 'replay', '--uid', 'late', '--url', url)).code).toBe(0);

    const replayed = await cli('replay-missing', '--app', 'replay', '--endpoint', 'late', '--since', '1h');
    expect(replayed.code).toBe(0);
    // Not a terminal: plain lines, and the last one says how it ended.
    expect(replayed.stdout).not.toContain('\r');
    const lines = replayed.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^replayed 2 missing messages \(task qtask_\w+\)$/);
    const received = await receiver.waitFor(2);
    expect(received.map((r) => JSON.parse(r.body).id).sort()).toEqual(['ord_1', 'ord_2']);

    // Nothing is missing any more; --json prints the finished task.
    const again = await cli(
      'replay-missing',
      '--app',
      'replay',
      '--endpoint',
      'late',
      '--since',
      '1h',
      '--json',
    );
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({ status: 'finished', task: 'endpoint.replay', data: { replayed: 0 } });

    const bad = await cli('replay-missing', '--app', 'replay', '--endpoint', 'late', '--since', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --since/);
    const unknown = await cli('replay-missing', '--app', 'replay', '--endpoint', 'nope', '--since', '1h');
    expect(unknown.code).toBe(1);
  });
});
