/**
 * A CLI entry with only `alerts`, and a clock fixed at the test's NOW, so that `--since 2d` windows
 * over stored 2025 articles are the same on every run. The command itself is the real one.
 */
import { Command } from 'commander';
import { pino } from 'pino';
import { registerAlertsCommand } from '../../src/cli/alerts-command.ts';
import { loadSettings } from '../../src/config/settings.ts';

const program = new Command('ceasefire-watch');
registerAlertsCommand(program, {
  log: pino({ level: 'silent' }),
  loadSettings,
  now: () => new Date('2025-12-20T12:00:00.000Z'),
});
await program.parseAsync(process.argv);
