/**
 * Upserts one BullMQ job scheduler per feed (its own interval) and one for the daily digest (local
 * time and zone), and removes schedulers of feeds no longer configured. Idempotent: every process
 * may run it at start.
 */
import { createHash } from 'node:crypto';
import type { Runtime } from './runtime.ts';
import { describeError } from '../src/errors.ts';
import { flow } from '../src/pipeline/flow.ts';
import { stageJobOptions } from '../src/queue/stage-worker.ts';
import { openRuntime } from './runtime.ts';
import { isMain } from './is-main.ts';

const FEED_SCHEDULER_PREFIX = 'feed-';
export const DIGEST_SCHEDULER_ID = 'digest-daily';
export const WEEKLY_DIGEST_SCHEDULER_ID = 'digest-weekly';
/** Cron's day-of-week numbering: 0 is Sunday. */
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export const CONFIG_SYNC_SCHEDULER_ID = 'config-sync';
export const CONFIG_SYNC_JOB = 'sync-feeds';
export const HELD_ALERTS_SCHEDULER_ID = 'held-alerts';
/** How often held alerts are looked at: a quiet-hours summary arrives within 5 minutes of their end. */
const HELD_ALERTS_EVERY_MS = 5 * 60_000;
/** How soon a feed added to feeds.yaml gets its own scheduler: a minute is quick for a person. */
const CONFIG_SYNC_EVERY_MS = 60_000;

/**
 * Milliseconds after now of a feed's first poll: a point of its own, from its id, in the first
 * `spreadSeconds` (at most its interval). BullMQ keeps a scheduler's phase once it has run, so a
 * restart changes nothing.
 */
export function firstPollDelayMs(feedId: string, intervalMs: number, spreadSeconds: number): number {
  const window = Math.min(intervalMs, spreadSeconds * 1_000);
  if (window <= 0) return 0;
  return createHash('sha1').update(feedId).digest().readUInt32BE(0) % window;
}

export async function upsertSchedulers(rt: Runtime): Promise<{ feeds: number; digest: string }> {
  const { feeds, alerts } = rt.ctx;
  const poll = flow.feed;
  for (const feed of feeds.values()) {
    const data = poll.parse({ feedId: feed.id });
    const every = feed.intervalMinutes * 60_000;
    const delay = firstPollDelayMs(feed.id, every, rt.ctx.settings.FEED_POLL_SPREAD_SECONDS);
    await rt.queues.feedFetch.upsertJobScheduler(
      `${FEED_SCHEDULER_PREFIX}${feed.id}`,
      { every, ...(delay > 0 ? { startDate: Date.now() + delay } : {}) },
      {
        name: poll.jobName(data),
        data,
        opts: { ...stageJobOptions(poll, rt.ctx.settings), removeOnComplete: 100, removeOnFail: 500 },
      },
    );
  }
  for (const scheduler of await rt.queues.feedFetch.getJobSchedulers()) {
    const id = scheduler.key;
    if (id.startsWith(FEED_SCHEDULER_PREFIX) && !feeds.has(id.slice(FEED_SCHEDULER_PREFIX.length))) {
      await rt.queues.feedFetch.removeJobScheduler(id);
    }
  }
  await rt.queues.feedFetch.upsertJobScheduler(
    CONFIG_SYNC_SCHEDULER_ID,
    { every: CONFIG_SYNC_EVERY_MS },
    { name: CONFIG_SYNC_JOB, data: {}, opts: { attempts: 1, removeOnComplete: 10, removeOnFail: 50 } },
  );
  await rt.queues.alert.upsertJobScheduler(
    HELD_ALERTS_SCHEDULER_ID,
    { every: HELD_ALERTS_EVERY_MS },
    { name: 'flush-held', data: {}, opts: { attempts: 1, removeOnComplete: 10, removeOnFail: 50 } },
  );
  const [hour, minute] = alerts.digest.time.split(':').map(Number);
  const pattern = `${minute} ${hour} * * *`;
  await rt.queues.digest.upsertJobScheduler(
    DIGEST_SCHEDULER_ID,
    { pattern, tz: alerts.digest.timezone },
    { name: 'daily', data: {}, opts: { attempts: 3 } },
  );
  const weekday = alerts.digest.weeklyOn ? WEEKDAYS.indexOf(alerts.digest.weeklyOn) : -1;
  if (weekday >= 0) {
    await rt.queues.digest.upsertJobScheduler(
      WEEKLY_DIGEST_SCHEDULER_ID,
      { pattern: `${minute} ${hour} * * ${weekday}`, tz: alerts.digest.timezone },
      { name: 'weekly', data: { period: 'weekly' }, opts: { attempts: 3 } },
    );
  } else {
    await rt.queues.digest.removeJobScheduler(WEEKLY_DIGEST_SCHEDULER_ID);
  }
  return { feeds: feeds.size, digest: `${pattern} ${alerts.digest.timezone}` };
}

// Run alone, the scheduler upserts and exits: the schedulers live in Redis, not in this process.
if (isMain(import.meta.url)) {
  try {
    const rt = await openRuntime();
    const result = await upsertSchedulers(rt);
    process.stdout.write(`schedulers: ${result.feeds} feeds, digest at ${result.digest}\n`);
    await rt.close();
  } catch (error) {
    process.stderr.write(`ceasefire-watch: ${describeError(error)}\n`);
    process.exit(1);
  }
}
