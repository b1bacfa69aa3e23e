/**
 * The feed schedulers: each feed's first poll at a point of its own within FEED_POLL_SPREAD_SECONDS,
 * so feeds of one interval are not polled (and their articles processed and alerted) in one burst.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.ts';
import type { FeedConfig } from '../../src/model.ts';
import { closeQueues, openQueues } from '../../src/queue/queues.ts';
import { createRedis } from '../../src/queue/redis-connection.ts';
import type { Runtime } from '../../workers/runtime.ts';
import { firstPollDelayMs, upsertSchedulers } from '../../workers/scheduler.ts';

const HOUR = 3_600_000;

describe('firstPollDelayMs', () => {
  it('is the same for the same feed id, and within the spread', () => {
    expect(firstPollDelayMs('bbc-world', HOUR, 60)).toBe(firstPollDelayMs('bbc-world', HOUR, 60));
    for (let k = 0; k < 500; k++) {
      const delay = firstPollDelayMs(`feed-${k}`, HOUR, 60);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(60_000);
    }
  });

  it('spreads two hundred feeds over the window', () => {
    const seconds = new Set(
      Array.from({ length: 200 }, (_, k) => Math.floor(firstPollDelayMs(`feed-${k}`, HOUR, 60) / 1000)),
    );
    // 200 draws over 60 one-second slots leave next to none empty.
    expect(seconds.size).toBeGreaterThan(50);
  });

  it('never waits longer than the interval, and not at all when the spread is 0', () => {
    for (let k = 0; k < 100; k++) expect(firstPollDelayMs(`feed-${k}`, 60_000, 3_600)).toBeLessThan(60_000);
    expect(firstPollDelayMs('bbc-world', HOUR, 0)).toBe(0);
  });
});

describe('upsertSchedulers on Redis', () => {
  const connection = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `test-scheduler-${randomUUID().slice(0, 8)}`;
  const queues = openQueues(connection, prefix);
  const feeds = new Map<string, FeedConfig>(
    Array.from({ length: 40 }, (_, k) => [
      `feed-${k}`,
      { id: `feed-${k}`, url: `http://127.0.0.1:9/${k}.xml`, intervalMinutes: 60, labels: [] },
    ]),
  );
  const runtime = (spread: string) =>
    ({
      ctx: {
        feeds,
        alerts: { rules: [], digest: { time: '07:00', timezone: 'UTC' } },
        settings: loadSettings({ FEED_POLL_SPREAD_SECONDS: spread }),
      },
      queues,
    }) as unknown as Runtime;

  afterAll(async () => {
    for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
    await closeQueues(queues);
    connection.disconnect();
  });

  const firstPolls = async () =>
    new Map(
      (await queues.feedFetch.getDelayed())
        .filter((job) => job.name !== 'sync-feeds')
        .map((job) => [(job.data as { feedId: string }).feedId, job.timestamp + job.delay]),
    );

  it('delays each first poll by its own share of the minute, and keeps it across a restart', async () => {
    const before = Date.now();
    await upsertSchedulers(runtime('60'));
    const polls = await firstPolls();
    expect(polls.size).toBe(40);
    for (const [feedId, at] of polls) {
      const expected = before + firstPollDelayMs(feedId, HOUR, 60);
      expect(at).toBeGreaterThanOrEqual(expected - 50);
      expect(at).toBeLessThan(expected + 5_000);
    }
    expect(new Set([...polls.values()].map((at) => Math.floor(at / 1000))).size).toBeGreaterThan(20);

    // A second process starting (or this one restarting) upserts again: nothing moves.
    await upsertSchedulers(runtime('60'));
    expect(await firstPolls()).toEqual(polls);
  });
});
