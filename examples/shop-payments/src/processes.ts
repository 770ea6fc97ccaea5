import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ChildEvent } from './child.js';

const repoRoot = new URL('../../..', import.meta.url).pathname;

/**
 * One process of the demo (Hookline, the payment service, the shop, the mail
 * sink), run with node --import tsx. Its stdout lines are JSON events (text
 * lines, such as Hookline's banner, arrive as {event: 'line', text}); stderr is
 * kept to explain a failure.
 */
export class Service {
  private child: ChildProcess | undefined;
  private stderr = '';
  exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    private readonly onEvent: (service: Service, event: ChildEvent) => void,
  ) {}

  /** Starts the process and resolves with its first event that `isReady` accepts. */
  start(isReady: (event: ChildEvent) => boolean = (e) => e.event === 'ready'): Promise<ChildEvent> {
    this.stderr = '';
    const child = spawn(process.execPath, ['--import', 'tsx', ...this.args], {
      cwd: repoRoot,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    return new Promise((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const event = parseLine(line);
        if (isReady(event)) resolve(event);
        this.onEvent(this, event);
      });
      void this.exited.then((code) =>
        reject(new Error(`${this.name} exited with ${code} before it was ready:\n${this.stderr}`)),
      );
    });
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get lastStderr(): string {
    return this.stderr;
  }

  /** SIGTERM, then SIGKILL if it has not exited after 5 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

function parseLine(line: string): ChildEvent {
  if (line.startsWith('{')) {
    try {
      return JSON.parse(line) as ChildEvent;
    } catch {
      // not JSON after all: a text line
    }
  }
  return { event: 'line', text: line };
}
