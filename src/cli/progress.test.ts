import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

function stream(isTTY: boolean) {
  let text = '';
  const write = (s: string) => {
    text += s;
    return true;
  };
  const out = { isTTY, write } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

describe('recover progress', () => {
  it('on a terminal: one line redrawn in place, a moving bar, then the final line', () => {
    let t = 0;
    const s = stream(true);
    const p = createProgress('recovering', s.out, { now: () => t });
    p.update('running');
    t = 1500;
    p.update('running');
    p.end('recovered 3 failed deliveries');
    expect(s.text()).toBe(
      '\r\x1b[2Krecovering [====                    ] running 0s' +
        '\r\x1b[2Krecovering [ ====                   ] running 1.5s' +
        '\r\x1b[2Krecovered 3 failed deliveries\n',
    );
  });

  it('elsewhere: a plain line per change of status, and one per interval while it lasts', () => {
    let t = 0;
    const s = stream(false);
    const p = createProgress('recovering', s.out, { now: () => t, plainEveryMs: 5000 });
    p.update('running');
    t = 1000;
    p.update('running');
    t = 6000;
    p.update('running');
    p.end('recovered 0 failed deliveries');
    expect(s.text()).toBe(
      'recovering: running (0s)\nrecovering: running (6s)\nrecovered 0 failed deliveries\n',
    );
  });
});
