/**
 * The `/readyz` check of the workers, on the real Redis: a worker that has stopped taking jobs while
 * Redis answers (bullmq#4585) makes the process not ready, and ready again once it takes jobs.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/queue/redis-connection.ts';
import { waitFor } from '../helpers/local-servers.ts';
import { trackWorker, workersCheck } from '../../workers/worker-liveness.ts';

describe('workersCheck on Redis', () => {
  const connection = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `test-liveness-${randomUUID().slice(0, 8)}`;
  const queue = new Queue('article', { connection, prefix });
  const done: string[] = [];
  const worker = trackWorker(
    new Worker('article', async (job) => void done.push(String(job.id)), { connection, prefix }),
  );
  const check = workersCheck(
    () => [worker],
    () => queue,
    { stuckAfterMs: 300 },
  );
  const problem = () =>
    check.check().then(
      () => null,
      (error: Error) => error.message,
    );

  afterAll(async () => {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  it('is ready while the worker takes jobs, idle or not', async () => {
    await queue.add('a', {}, { jobId: 'first' });
    await waitFor('first job done', () => (done.includes('first') ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Idle past the limit, but nothing waits: ready.
    expect(await problem()).toBeNull();
  });

  it('is not ready when jobs wait and the worker starts none, and ready again after', async () => {
    // A worker wedged on one job takes no other: from outside, the stuck worker of bullmq#4585.
    const store = new Queue('store', { connection, prefix });
    let release: () => void = () => undefined;
    const wedged = trackWorker(
      new Worker(
        'store',
        async (job) => {
          if (job.id === 'wedge') await new Promise<void>((resolve) => (release = resolve));
        },
        { connection, prefix, concurrency: 1 },
      ),
    );
    const wedgedCheck = workersCheck(
      () => [wedged],
      () => store,
      { stuckAfterMs: 300 },
    );
    try {
      await store.add('a', {}, { jobId: 'wedge' });
      await waitFor('wedge started', async () => ((await store.getActiveCount()) === 1 ? true : undefined));
      await store.add('a', {}, { jobId: 'waiting' });
      await new Promise((resolve) => setTimeout(resolve, 400));
      await expect(wedgedCheck.check()).rejects.toThrow(
        /^store worker started no job for \d+ s with 1 waiting$/,
      );
      release();
      await waitFor('the waiting job taken', async () =>
        (await store.getWaitingCount()) === 0 ? true : undefined,
      );
      await expect(wedgedCheck.check()).resolves.toBeUndefined();
    } finally {
      await wedged.close();
      await store.obliterate({ force: true });
      await store.close();
    }
  });

  it('is not ready when the worker loop has ended', async () => {
    const stopped = trackWorker(new Worker('article', null, { connection, prefix, autorun: false }));
    const stoppedCheck = workersCheck(
      () => [stopped],
      () => queue,
    );
    await expect(stoppedCheck.check()).rejects.toThrow('article worker stopped taking jobs');
    await stopped.close();
    // A worker that is closing is leaving on purpose.
    await expect(stoppedCheck.check()).resolves.toBeUndefined();
  });
});
