/**
 * Progress of a background task that reports only running/finished (Svix's
 * BackgroundTaskOut has no fraction done): on a terminal a line redrawn in
 * place with a moving bar and the time elapsed; elsewhere (a pipe, a CI log) a
 * plain line per change of status and one every `plainEveryMs` while running.
 */
export interface Progress {
  update(status: string): void;
  end(line: string): void;
}

const WIDTH = 24;

function bar(tick: number): string {
  // A block sweeping back and forth: the task's size is unknown, so nothing pretends to a percentage.
  const span = WIDTH - 4;
  const pos = tick % (2 * span) < span ? tick % (2 * span) : 2 * span - (tick % (2 * span));
  return `[${' '.repeat(pos)}====${' '.repeat(WIDTH - 4 - pos)}]`;
}

export function createProgress(
  label: string,
  out: NodeJS.WriteStream = process.stdout,
  { plainEveryMs = 5000, now = Date.now } = {},
): Progress {
  const started = now();
  const tty = out.isTTY === true;
  let last = '';
  let lastPlain = 0;
  let tick = 0;
  const elapsed = () => `${Math.round((now() - started) / 100) / 10}s`;
  return {
    update(status) {
      if (tty) {
        out.write(`\r\x1b[2K${label} ${bar(tick++)} ${status} ${elapsed()}`);
        return;
      }
      if (status !== last || now() - lastPlain >= plainEveryMs) {
        out.write(`${label}: ${status} (${elapsed()})\n`);
        lastPlain = now();
      }
      last = status;
    },
    end(line) {
      out.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}
