import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, startTestServer, type TestServer } from './harness.js';

let hl: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'hookline-batch-'));
beforeAll(async () => {
  hl = await startTestServer();
});
afterAll(() => hl?.close());

const cli = (...args: string[]) => runCli(args, { env: hl.env });
const file = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};

describe('hookline msg send --batch', () => {
  it('sends every line of an NDJSON file, 1,000 per call, payloads as written', async () => {
    expect((await cli('app', 'create', '--name', 'Batch', '--uid', 'batch')).code).toBe(0);
    const lines = Array.from(
      { length: 1203 },
      (_, i) => `{"eventType":"order.created","payload":{"n":${i},"f":1.50}}`,
    );
    const sent = await cli('msg', 'send', '--app', 'batch', '--batch', file('orders.ndjson', lines));
    expect(sent).toMatchObject({ code: 0, stdout: 'sent 1203 of 1203 messages\n' });
    const [newest] = json(await cli('msg', 'list', '--app', 'batch', '--limit', '1', '--json')).data;
    const got = json(await cli('msg', 'get', newest.id, '--app', 'batch', '--json'));
    expect(got.payload).toEqual({ n: 1202, f: 1.5 });
  });

  it('names each refused line and exits 1; --json gives every answer', async () => {
    const path = file('mixed.ndjson', [
      '{"eventType":"a.b","payload":{},"eventId":"once"}',
      '',
      '{"eventType":"bad type","payload":{}}',
      '{"eventType":"a.b","payload":{},"eventId":"once"}',
    ]);
    const res = await cli('msg', 'send', '--app', 'batch', '--batch', path);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/line 3: invalid request \(422\): messages\.1\.eventType: /);
    expect(res.stderr).toMatch(/line 4: a message with eventId once already exists \(409 conflict\)/);
    expect(res.stderr).toMatch(/sent 1 of 3 messages; 2 refused/);

    const again = await cli('msg', 'send', '--app', 'batch', '--batch', path, '--json');
    expect(again.code).toBe(1);
    expect(json(again).map((r: { line: number; status: number }) => [r.line, r.status])).toEqual([
      [1, 409],
      [3, 422],
      [4, 409],
    ]);
  });

  it('refuses a line that is not a JSON object before sending anything (exit 2)', async () => {
    const res = await cli(
      'msg',
      'send',
      '--app',
      'batch',
      '--batch',
      file('broken.ndjson', ['{"eventType":"a.b","payload":{}}', 'nope']),
    );
    expect(res).toMatchObject({ code: 2 });
    expect(res.stderr).toMatch(/--batch line 2: not JSON/);
  });
});
