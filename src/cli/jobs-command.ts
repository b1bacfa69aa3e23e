/**
 * `cli jobs`: the work the ledger still holds — items not yet stored and alerts not yet decided,
 * pending (with their tries and next try) or failed for good (with why) — and `cli jobs retry`, which
 * makes them due now. The service's reconciler queues due work within RECONCILE_EVERY_MS; `run --once`
 * takes it at its next run.
 */
import type { Command } from 'commander';
import { describeError } from '../errors.ts';
import { openContext } from '../pipeline/open-context.ts';
import { listLedgerItems, retryLedgerItems } from '../store/items.ts';
import { listLedgerAlerts, retryLedgerAlerts } from '../store/planned-alerts.ts';
import { problem, say, type CliDeps } from './cli-io.ts';

/** Rows listed per kind: past this, a count. The ledger of a healthy service holds a handful. */
const MAX_LISTED = 200;

function when(iso: string | null, now: Date): string {
  if (iso === null) return 'when the reconciler next looks';
  const ms = Date.parse(iso) - now.getTime();
  if (ms <= 0) return 'now';
  const minutes = Math.round(ms / 60_000);
  return minutes < 90 ? `in ${minutes} min` : `in ${Math.round(minutes / 60)} h`;
}

/**
 * Adds `jobs` and `jobs retry` to the program.
 *
 * @example
 * registerJobsCommand(program, { io: processIo(), log: cliLog, loadSettings });
 */
export function registerJobsCommand(program: Command, deps: CliDeps): Command {
  const now = deps.now ?? (() => new Date());
  const { io } = deps;
  const jobs = program
    .command('jobs')
    .description('work not finished: items not yet stored, alerts not yet sent; pending or failed, and why')
    .action(async () => {
      try {
        const ctx = await openContext({ settings: deps.loadSettings(), log: deps.log });
        try {
          const at = now();
          const items = await listLedgerItems(ctx.db, MAX_LISTED);
          const alerts = await listLedgerAlerts(ctx.db, MAX_LISTED);
          for (const item of items) {
            const next = item.state === 'failed' ? 'failed for good' : `next try ${when(item.nextTryAt, at)}`;
            say(
              io,
              `item   ${item.state.padEnd(7)}  ${item.feedId}  ${item.canonicalUrl}  tries ${item.tries}, ${next}` +
                (item.lastError ? `: ${item.lastError}` : ''),
            );
          }
          for (const alert of alerts) {
            const { ruleId, channel, storyId } = alert.job;
            const next =
              alert.state === 'failed' ? 'failed for good' : `next try ${when(alert.nextTryAt, at)}`;
            say(
              io,
              `alert  ${alert.state.padEnd(7)}  ${ruleId}/${channel}  story ${storyId}  tries ${alert.tries}, ${next}` +
                (alert.lastError ? `: ${alert.lastError}` : ''),
            );
          }
          const failed = [...items, ...alerts].filter((x) => x.state === 'failed').length;
          say(
            io,
            `${items.length} item(s) and ${alerts.length} alert(s) unfinished, ${failed} failed for good` +
              (items.length + alerts.length > 0 ? '; `jobs retry [--failed]` makes them due now' : ''),
          );
        } finally {
          await ctx.close();
        }
      } catch (error) {
        problem(io, `jobs: ${describeError(error)}`);
      }
    });

  jobs
    .command('retry')
    .description('make pending work due now; with --failed, also what failed for good')
    .option('--failed', 'also retry work that failed for good')
    .action(async (opts: { failed?: boolean }) => {
      try {
        const ctx = await openContext({ settings: deps.loadSettings(), log: deps.log });
        try {
          const at = now().toISOString();
          const items = await retryLedgerItems(ctx.db, { now: at, failed: opts.failed === true });
          const alerts = await retryLedgerAlerts(ctx.db, { now: at, failed: opts.failed === true });
          say(
            io,
            `${items} item(s) and ${alerts} alert(s) due now: the service queues them within a minute, ` +
              '`run --once` at its next run',
          );
        } finally {
          await ctx.close();
        }
      } catch (error) {
        problem(io, `jobs retry: ${describeError(error)}`);
      }
    });
  return jobs;
}
