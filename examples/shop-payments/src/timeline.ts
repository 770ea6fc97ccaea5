/** The narration: one line per thing that happened, with the time since the demo began. */
export class Timeline {
  readonly lines: string[] = [];
  private start = Date.now();

  constructor(private readonly echo: boolean) {}

  log(actor: string, text: string): void {
    const seconds = ((Date.now() - this.start) / 1000).toFixed(1).padStart(5);
    this.write(`${seconds}s  ${actor.padEnd(9)} ${text}`);
  }

  /** Times count from now on (after the start-up, which takes a while on a busy machine). */
  resetClock(): void {
    this.start = Date.now();
  }

  section(title: string): void {
    this.write('');
    this.write(`── ${title}`);
  }

  write(line: string): void {
    this.lines.push(line);
    if (this.echo) process.stdout.write(`${line}\n`);
  }
}
