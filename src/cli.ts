/**
 * `npm run cli -- <command>`: the program of src/cli/program.ts on this process's streams and
 * environment. People read problem lines, not JSON logs: the CLI's logger is quiet unless LOG_LEVEL
 * says otherwise.
 */
import { pino } from 'pino';
import { processIo } from './cli/cli-io.ts';
import { runCli } from './cli/program.ts';
import { loadSettings } from './config/settings.ts';

const cliLog = pino({ level: process.env.LOG_LEVEL ?? 'silent', base: undefined }, pino.destination(2));

process.exitCode = await runCli(process.argv, {
  io: processIo(),
  log: cliLog,
  loadSettings: () => loadSettings(),
});
