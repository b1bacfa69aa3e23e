/**
 * `redrive`, the reconciler's half on Redis: work the ledger says is unfinished is queued again only
 * when no job is working on it, in its own queue or further on.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.ts';
import { itemVersionKey, type HandOn } from '../../src/pipeline/flow.ts';
import { closeQueues, openQueues } from '../../src/queue/queues.ts';
import { createRedis } from '../../src/queue/redis-connection.ts';
import { redrive } from '../../src/queue/stage-worker.ts';

describe('redrive on Redis', () => {
  const connection = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `test-redrive-${randomUUID().slice(0, 8)}`;
  const queues = openQueues(connection, prefix);
  const settings = loadSettings({});

  const ref = {
    feedId: 'world-news',
    url: 'http://127.0.0.1:9/a/1',
    canonicalUrl: 'http://127.0.0.1:9/a/1',
    title: 'Witkoff to hold Miami talks',
    published: null,
    feedContent: '',
  };
  const key = itemVersionKey(ref);
  const item: HandOn = { stage: 'article', data: ref };

  /** Runs the next job of a queue by hand: a worker with no processor of its own takes and completes it. */
  async function completeNextJob(queue: 'article' | 'store'): Promise<void> {
    const worker = new Worker(queue, null, { connection, prefix });
    try {
      const job = await worker.getNextJob('test-token');
      await job?.moveToCompleted({ stage: queue }, 'test-token', false);
    } finally {
      await worker.close();
    }
  }

  beforeEach(async () => {
    for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
  });

  afterAll(async () => {
    for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
    await closeQueues(queues);
    connection.disconnect();
  });

  it('queues an item with no job at all', async () => {
    expect(await redrive(queues, settings, [item])).toHaveLength(1);
    expect(await queues.article.getJobState(key)).toBe('waiting');
  });

  it('leaves an item alone while its article job waits', async () => {
    await queues.article.add('article', ref, { jobId: key });
    expect(await redrive(queues, settings, [item])).toEqual([]);
    expect(await queues.article.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('leaves an item alone whose article job is done while its store job waits', async () => {
    await queues.article.add('article', ref, { jobId: key });
    await completeNextJob('article');
    expect(await queues.article.getJobState(key)).toBe('completed');
    // What the article job handed on, waiting behind a long store backlog.
    await queues.store.add('store', { ...ref }, { jobId: key });
    expect(await redrive(queues, settings, [item])).toEqual([]);
    expect(await queues.article.getJobState(key)).toBe('completed');

    // Once the store job has completed and the ledger still says pending (it stored the item for
    // another feed that brought the same URL), both kept jobs go, or the new store job would be dropped.
    await queues.store.remove(key);
    await queues.store.add('store', { ...ref }, { jobId: key });
    await completeNextJob('store');
    expect(await queues.store.getJobState(key)).toBe('completed');
    expect(await redrive(queues, settings, [item])).toHaveLength(1);
    expect(await queues.article.getJobState(key)).toBe('waiting');
    expect(await queues.store.getJobState(key)).toBe('unknown');
  });
});
