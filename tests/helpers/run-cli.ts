/**
 * A CLI command run in-process, as `npm run cli` runs it but without a process per case: the real
 * program (src/cli/program.ts) over in-memory streams, settings read from the given environment.
 * Starting `tsx src/cli.ts` cost about 5 s a case on two cores; a few tests still start the real
 * process to prove the entry point and its exit codes.
 */
import { PassThrough, Readable } from 'node:stream';
import { pino } from 'pino';
import { runCli } from '../../src/cli/program.ts';
import { loadSettings } from '../../src/config/settings.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * @example
 * const { code, stdout } = await cliInProcess(['parse-feed', file], { env: { CONFIG_DIR: dir } });
 */
export async function cliInProcess(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; now?: () => Date } = {},
): Promise<CliResult> {
  const stdout = collector();
  const stderr = collector();
  const io = {
    stdin: Readable.from(opts.input === undefined ? [] : [opts.input]),
    stdout: stdout.stream,
    stderr: stderr.stream,
    exitCode: 0,
  };
  const code = await runCli(['node', 'cli', ...args], {
    io,
    log: pino({ level: 'silent' }),
    loadSettings: () => loadSettings({ ...process.env, ...opts.env }),
    now: opts.now,
  });
  // Let the collectors take what was written last.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
