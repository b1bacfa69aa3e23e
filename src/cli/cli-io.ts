/**
 * Where a CLI run reads and writes, and the exit code it ends with: the process's own streams for
 * `npm run cli`, in-memory streams when a test runs a command in-process (starting a process per case
 * cost the suite four minutes). Contracts print JSON lines on stdout; people read stderr.
 */
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../log.ts';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** What the run exits with: 0 unless a command set otherwise (a problem line sets 1). */
  exitCode: number;
}

/** What every command needs: its streams, the quiet logger, the settings and the clock. */
export interface CliDeps {
  io: CliIo;
  /** The CLI's logger, silent unless LOG_LEVEL says otherwise; handed to openContext. */
  log: Logger;
  /** Reads and validates the environment; the CLI passes `loadSettings`. */
  loadSettings: () => Settings;
  /** The clock for relative times and `--since` windows. @defaultValue () => new Date() */
  now?: () => Date;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, exitCode: 0 };
}

/** One line on stdout. */
export function say(io: CliIo, line: string): void {
  io.stdout.write(`${line}\n`);
}

/**
 * One line for people on stderr that does not fail the run: a contract command (DESIGN.md) that
 * answered every input, bad ones with an `error` field, still exits 0.
 */
export function note(io: CliIo, line: string): void {
  io.stderr.write(`${line}\n`);
}

/** One problem line on stderr; the run will exit 1 unless a command chose another code. */
export function problem(io: CliIo, line: string): void {
  io.stderr.write(`${line}\n`);
  if (io.exitCode === 0) io.exitCode = 1;
}
