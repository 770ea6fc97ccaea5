/**
 * How the demo's processes talk to the runner that started them: one JSON
 * object per stdout line. The runner narrates these events and waits on them.
 */
export interface ChildEvent {
  event: string;
  [key: string]: unknown;
}

export function report(event: ChildEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** A required environment variable, or exit with its name (the runner shows stderr). */
export function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`${name} is required\n`);
    process.exit(2);
  }
  return value;
}
