/**
 * The service when Redis loses its data: on a Redis of the test's own (no AOF), the queued work of a
 * poll is wiped by a restart or a FLUSHALL after the poll was recorded. The reconciler (at start and
 * every RECONCILE_EVERY_MS) re-creates the job schedulers and queues again what the ledger holds
 * pending: every item is stored and every alert sent, once.
 */
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertWorker } from '../../workers/alert-worker.ts';
import { createArticleWorker } from '../../workers/article-worker.ts';
import { createFeedWorker } from '../../workers/feed-worker.ts';
import { startWorkers } from '../../workers/service.ts';
import { createStoreWorker } from '../../workers/store-worker.ts';
import { waitFor } from '../helpers/local-servers.ts';
import { startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-services.ts';

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe.each([
  {
    fault: 'a restart without AOF',
    wipe: async (redis: PrivateRedis) => (await redis.stop(), redis.start()),
  },
  {
    fault: 'FLUSHALL',
    wipe: async (redis: PrivateRedis) => {
      const client = new Redis(redis.url);
      await client.flushall();
      client.disconnect();
    },
  },
])('the service after $fault', ({ wipe }) => {
  let world: PipelineWorld;
  let redis: PrivateRedis;
  let service: Awaited<ReturnType<typeof startWorkers>> | undefined;

  afterEach(async () => {
    if (service) {
      await Promise.all(service.workers.map((w) => w.close()));
      await service.rt.ctx.db.exec(`drop schema if exists ${world.namespace} cascade`);
      await service.rt.close();
    }
    await redis?.close();
    await world?.close();
  });

  it('stores every polled item and sends every alert, once', async () => {
    world = await startPipelineWorld({ databaseUrl: DATABASE_URL });
    redis = await startPrivateRedis({ aof: false });
    const settings = {
      ...world.settings,
      REDIS_URL: redis.url,
      RECONCILE_EVERY_MS: 1_000,
      RECONCILE_AFTER_MS: 500,
    };
    service = await startWorkers(
      [createFeedWorker, createArticleWorker, createStoreWorker, createAlertWorker],
      {
        settings,
        schema: world.namespace,
        reconcile: true,
        // The pages wait: the poll's jobs are queued, not yet worked, when Redis loses them.
        beforeStart: async (rt) => {
          await rt.queues.article.pause();
          return undefined;
        },
      },
    );
    const { db } = service.rt.ctx;
    const count = async (sql: string) => Number((await db.query<{ n: number }>(sql))[0]?.n ?? -1);
    await waitFor('the poll recorded', async () =>
      (await count("select count(*) as n from feed_items where state = 'pending'")) === 4 ? true : undefined,
    );
    expect(await service.rt.queues.article.count()).toBe(4);

    await wipe(redis);

    await waitFor(
      'every item stored',
      async () => ((await count('select count(*) as n from articles')) === 4 ? true : undefined),
      60_000,
    );
    const queues = Object.values(service.rt.queues) as Queue[];
    // Idle: nothing waiting or running, and nothing delayed but the schedulers' next runs.
    const idle = async (queue: Queue) =>
      (await queue.getJobCounts('waiting', 'active')).waiting === 0 &&
      (await queue.getActiveCount()) === 0 &&
      (await queue.getDelayed()).every((job) => job.id?.startsWith('repeat:'));
    await waitFor(
      'queues idle',
      async () => ((await Promise.all(queues.map(idle))).every(Boolean) ? true : undefined),
      60_000,
    );
    await waitFor('alerts sent', () => (world.slack.received.length >= 3 ? true : undefined), 30_000);
    // The seed: phase-two and witkoff on Slack; the Rafah item: phase-two. Each once.
    expect(world.slack.received).toHaveLength(3);
    expect(await count("select count(*) as n from feed_items where state <> 'done'")).toBe(0);
    expect(await count("select count(*) as n from planned_alerts where state <> 'done'")).toBe(0);
    // The schedulers Redis lost are back.
    const schedulers = (await service.rt.queues.feedFetch.getJobSchedulers()).map((s) => s.key).sort();
    expect(schedulers).toEqual(['config-sync', 'feed-broken-feed', 'feed-world-news']);
  }, 120_000);
});

describe('the service after a database write error outlasting every try', () => {
  let world: PipelineWorld;
  let service: Awaited<ReturnType<typeof startWorkers>> | undefined;

  afterEach(async () => {
    if (service) {
      await Promise.all(service.workers.map((w) => w.close()));
      await service.rt.ctx.db.exec(`drop schema if exists ${world.namespace} cascade`);
      await service.rt.close();
    }
    await world?.close();
  });

  it('re-drives the items, and their store jobs are not dropped for the failed ones kept', async () => {
    world = await startPipelineWorld({ databaseUrl: DATABASE_URL });
    const settings = {
      ...world.settings,
      RETRY_BACKOFF_MS: 20,
      REDRIVE_BACKOFF_MS: 300,
      RECONCILE_EVERY_MS: 1_000,
      RECONCILE_AFTER_MS: 60_000,
    };
    service = await startWorkers(
      [createFeedWorker, createArticleWorker, createStoreWorker, createAlertWorker],
      {
        settings,
        schema: world.namespace,
        reconcile: true,
        beforeStart: async (rt) => {
          await rt.ctx.db.exec(`create function refuse_writes() returns trigger language plpgsql as $$
            begin raise exception 'disk full (test)'; end $$;
            create trigger refuse_writes before insert on articles for each row execute function refuse_writes()`);
          return undefined;
        },
      },
    );
    const { db } = service.rt.ctx;
    const count = async (sql: string) => Number((await db.query<{ n: number }>(sql))[0]?.n ?? -1);
    // Every try of every store job spent: BullMQ keeps the failed jobs under the items' keys.
    await waitFor(
      'store jobs failed for good',
      async () => ((await service?.rt.queues.store.getFailedCount()) === 4 ? true : undefined),
      30_000,
    );
    expect(await count('select count(*) as n from feed_items where tries > 0')).toBe(4);
    await db.exec('drop trigger refuse_writes on articles');
    await waitFor(
      'every item stored',
      async () => ((await count('select count(*) as n from articles')) === 4 ? true : undefined),
      30_000,
    );
    await waitFor('alerts sent', () => (world.slack.received.length >= 3 ? true : undefined), 30_000);
    expect(world.slack.received).toHaveLength(3);
    // The ledger is told in the store's last transaction, just after the article's own.
    await waitFor('the ledger done', async () =>
      (await count("select count(*) as n from feed_items where state <> 'done'")) === 0 ? true : undefined,
    );
  }, 90_000);
});
