/**
 * The quick faults of `npm run chaos` (bench/chaos.ts), in `npm test`: the service as real processes
 * on a Redis and a PostgreSQL of the test's own, a batch of 100 items, outages scaled down. Each must
 * end with every item stored once and every matching story alerted once on Slack, webhook and email.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { killAndRestart, stopPostgres } from '../../bench/chaos/faults.ts';
import { runTrial, type Fault } from '../../bench/chaos/trial.ts';

const logDir = mkdtempSync(path.join(os.tmpdir(), 'cw-chaos-test-'));

/**
 * Three faults in one trial, to keep `npm test` quick: PostgreSQL stopped for 3 s mid-batch, then
 * SIGTERM while jobs are active, beside a poison feed (an entity bomb, a page nested 5,000 deep, an
 * endless page, NUL and control characters).
 */
const combined: Fault = {
  name: 'PostgreSQL stopped, then SIGTERM, beside a poison feed',
  topology: 'service',
  items: 100,
  poison: true,
  async inject(world) {
    await stopPostgres(world, 3_000);
    await killAndRestart(world, 'all', 'SIGTERM');
  },
};

describe('quick faults of the chaos trial', () => {
  // A failed trial keeps its process logs (and says where): a flaky fault is found from them.
  let failed = false;
  afterAll(() => {
    if (failed) process.stderr.write(`quick faults: process logs kept in ${logDir}\n`);
    else rmSync(logDir, { recursive: true, force: true });
  });

  it('nothing lost, nothing twice', async () => {
    onTestFailed(() => {
      failed = true;
    });
    const result = await runTrial(combined, {
      scale: 1,
      logDir,
      recoveryTimeoutMs: 90_000,
      reconcile: { afterMs: 3_000, everyMs: 1_000 },
    });
    expect(
      {
        missingItems: result.missingItems,
        extraCopies: result.extraCopies,
        missingAlerts: result.missingAlerts,
        duplicates: result.duplicates,
        ledgerLeft: result.ledgerLeft,
      },
      `trial notes: ${result.notes.join('; ')}`,
    ).toEqual({
      missingItems: 0,
      extraCopies: 0,
      missingAlerts: { slack: 0, webhook: 0, email: 0 },
      duplicates: { slack: 0, webhook: 0, email: 0 },
      ledgerLeft: { items: 0, alerts: 0 },
    });
    expect(result.storedOnce).toBe(result.items);
    expect(result.expectedAlerts).toBe(5);
    // The poison feed's bad items are refused for good, each with its reason; the NUL page is stored.
    expect(result.notes.filter((n) => n.includes(': failed ('))).toHaveLength(2);
  }, 180_000);
});
