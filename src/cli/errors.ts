/**
 * How the CLI ends. Exit codes are part of its interface for scripts:
 * 0 ok, 1 the API (or the check a command runs) said no, 2 the command line was wrong.
 */
export type ExitCode = 1 | 2;

/** An error shown as one `hookline: ...` line, ending the process with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A mistake on the command line (a bad flag value, a missing argument): exit 2. */
export const usage = (message: string): CliError => new CliError(message, 2);

/** The server refused, failed or could not be reached: exit 1. */
export const failure = (message: string): CliError => new CliError(message, 1);
