/**
 * `npm run chaos`: issue 11's fault trial. Each fault runs against a fresh Redis and PostgreSQL of its
 * own (spare ports), a local news web of 300 or 2,000 items and counting receivers, and ends with a
 * line: items stored once and missing, alerts missing and duplicated per channel, recovery time.
 *
 *   npm run chaos                          # every fault, the issue's durations (about an hour and a half)
 *   npm run chaos -- --scale 0.1           # outages a tenth as long
 *   npm run chaos -- --only "kill -9"      # the faults whose name contains the text
 *
 * Exits 1 when any fault lost an item or an alert, or duplicated one outside the stated window (a
 * process killed between the receiver's 200 and the commit of the delivery).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FAULTS } from './chaos/faults.ts';
import { runTrial, type TrialResult } from './chaos/trial.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    only: { type: 'string' },
    'log-dir': { type: 'string', default: path.resolve(import.meta.dirname, '../.chaos-logs') },
  },
});
const scale = Number(values.scale);
const logDir = values['log-dir'];
mkdirSync(logDir, { recursive: true });
const faults = FAULTS.filter((f) => !values.only || f.name.includes(values.only));

/** Faults that may duplicate: a process killed after the receiver's 200, before the commit. */
const windowFaults = (name: string) => name.startsWith('kill -9');

const results: TrialResult[] = [];
console.log(`chaos: ${faults.length} faults, durations × ${scale}; process logs in ${logDir}`);
for (const fault of faults) {
  const result = await runTrial(fault, { scale, logDir, recoveryTimeoutMs: 30 * 60_000 });
  results.push(result);
  const missing = Object.values(result.missingAlerts).reduce((a, b) => a + b, 0);
  const dup = result.duplicates;
  console.log(
    [
      `${result.fault}:`,
      `${result.storedOnce}/${result.items} items stored once (${result.missingItems} missing, ${result.extraCopies} extra);`,
      `${result.expectedAlerts} alerts × 3 channels, ${missing} missing;`,
      `duplicates slack ${dup.slack}, webhook ${dup.webhook}, email ${dup.email};`,
      `all done ${result.recoverySeconds.toFixed(0)} s after the fault; ${result.totalSeconds.toFixed(0)} s in all;`,
      `ledger left ${result.ledgerLeft.items} items, ${result.ledgerLeft.alerts} alerts`,
    ].join(' '),
  );
  for (const note of result.notes) console.log(`    ${note}`);
}

const failed = results.filter((r) => {
  const missing = r.missingItems + Object.values(r.missingAlerts).reduce((a, b) => a + b, 0);
  const dups = Object.values(r.duplicates).reduce((a, b) => a + b, 0);
  return missing > 0 || r.extraCopies > 0 || (dups > 0 && !windowFaults(r.fault));
});
const window = results.filter((r) => windowFaults(r.fault));
const windowDups = window.reduce((sum, r) => sum + Object.values(r.duplicates).reduce((a, b) => a + b, 0), 0);
console.log(
  `chaos: ${results.length - failed.length}/${results.length} faults ended with nothing lost and no duplicate outside the window; ` +
    `duplicates inside the window (kill -9 between a receiver's 200 and the commit): ${windowDups} over ${window.length} kills`,
);
process.exitCode = failed.length > 0 ? 1 : 0;
