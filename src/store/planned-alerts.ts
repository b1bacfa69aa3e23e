/**
 * The ledger of alerts: every alert a stored article planned, by its job key, from the moment it is
 * planned until its delivery is decided (sent, already sent, held, no longer firing). A lost queue,
 * a killed worker or spent retries leave it pending, and the reconciler queues it again.
 */
import { AlertJobSchema, type AlertJob } from '../model.ts';
import { toIso, type Db } from './db.ts';
import { redriveDelayMs } from './items.ts';

/**
 * Records planned alerts as pending; one planned again (a retried store) keeps its state, so a
 * decided alert is not re-opened.
 *
 * @example
 * await recordPlannedAlerts(db, [{ key: flow.alert.key(job), job }], at);
 */
export async function recordPlannedAlerts(
  db: Db,
  planned: readonly { key: string; job: AlertJob }[],
  at: string,
): Promise<void> {
  if (planned.length === 0) return;
  await db.query(
    `insert into planned_alerts (job_key, job, planned_at)
     select p.key, p.job, $2::timestamptz from jsonb_to_recordset($1::jsonb) as p(key text, job jsonb)
     on conflict (job_key) do nothing`,
    [JSON.stringify(planned), at],
  );
}

/** The alert's delivery was decided: it leaves the pending list. */
export async function markPlannedAlertDone(db: Db, key: string): Promise<void> {
  await db.query(
    `update planned_alerts set state = 'done', next_try_at = null, last_error = null where job_key = $1`,
    [key],
  );
}

/** Delivery failed for good in the queue: 'failed' when permanent, else tried again after a delay. */
export async function recordPlannedAlertFailure(
  db: Db,
  failure: { key: string; error: string; permanent: boolean; at: string; redriveBaseMs: number },
): Promise<void> {
  const rows = await db.query<{ tries: number }>(
    `update planned_alerts set
       state = case when $3 then 'failed' else state end,
       tries = tries + 1,
       last_error = $2
     where job_key = $1 and state = 'pending'
     returning tries`,
    [failure.key, failure.error, failure.permanent],
  );
  const tries = rows[0]?.tries;
  if (tries === undefined || failure.permanent) return;
  const next = new Date(Date.parse(failure.at) + redriveDelayMs(tries, failure.redriveBaseMs)).toISOString();
  await db.query('update planned_alerts set next_try_at = $2 where job_key = $1', [failure.key, next]);
}

/** Pending alerts the reconciler should queue again (see listDueItems for the rule). */
export async function listDuePlannedAlerts(
  db: Db,
  due: { now: string; staleBefore: string; limit: number },
): Promise<AlertJob[]> {
  const rows = await db.query<{ job: unknown }>(
    `select job from planned_alerts
     where state = 'pending'
       and ((next_try_at is null and planned_at <= $2) or next_try_at <= $1)
     order by planned_at
     limit $3`,
    [due.now, due.staleBefore, due.limit],
  );
  return rows.map((r) => AlertJobSchema.parse(r.job));
}

export interface LedgerAlert {
  key: string;
  job: AlertJob;
  state: 'pending' | 'failed';
  plannedAt: string;
  tries: number;
  nextTryAt: string | null;
  lastError: string | null;
}

/** Alerts pending or failed, oldest first: what `cli jobs` lists. */
export async function listLedgerAlerts(db: Db, limit = 200): Promise<LedgerAlert[]> {
  const rows = await db.query<{
    job_key: string;
    job: unknown;
    state: 'pending' | 'failed';
    planned_at: Date;
    tries: number;
    next_try_at: Date | null;
    last_error: string | null;
  }>(
    `select job_key, job, state, planned_at, tries, next_try_at, last_error
     from planned_alerts where state <> 'done' order by planned_at limit $1`,
    [limit],
  );
  return rows.map((r) => ({
    key: r.job_key,
    job: AlertJobSchema.parse(r.job),
    state: r.state,
    plannedAt: r.planned_at.toISOString(),
    tries: r.tries,
    nextTryAt: toIso(r.next_try_at),
    lastError: r.last_error,
  }));
}

/** Makes waiting (and, with `failed`, failed) alerts due now. Returns how many. */
export async function retryLedgerAlerts(db: Db, opts: { now: string; failed: boolean }): Promise<number> {
  const rows = await db.query(
    `update planned_alerts set state = 'pending', next_try_at = $1
     where state = 'pending' or ($2 and state = 'failed')
     returning 1`,
    [opts.now, opts.failed],
  );
  return rows.length;
}
