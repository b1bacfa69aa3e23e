import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { HttpStatusError } from '../../src/http/http-status-error.ts';
import { createRedis } from '../../src/queue/redis-connection.ts';
import { runStep } from '../../src/queue/run-step.ts';
import { waitFor } from '../helpers/local-servers.ts';

const pipelineError = (permanent: boolean) =>
  new PipelineError({
    code: 'HTTP_STATUS',
    stage: 'http',
    culprit: 'https://example.org/a',
    detail: 'HTTP 410',
    permanent,
  });

describe('runStep', () => {
  it('returns the step result', async () => {
    await expect(runStep(async () => 42)).resolves.toBe(42);
  });

  it('turns a permanent pipeline error into an UnrecoverableError with the same message', async () => {
    const error = await runStep(() => Promise.reject(pipelineError(true))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toBe('http: https://example.org/a: HTTP 410');
  });

  it.each([
    { name: 'transient-pipeline-error', error: pipelineError(false) },
    { name: 'plain-error', error: new Error('socket hang up') },
  ])('$name is rethrown as is, for BullMQ to retry', async ({ error }) => {
    await expect(runStep(() => Promise.reject(error))).rejects.toBe(error);
  });
});

describe('runStep in a real BullMQ worker', () => {
  const connection = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `cw_test_${randomUUID().slice(0, 8)}`;
  const queue = new Queue('run-step', { connection, prefix });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  it('delays a job until Retry-After without spending an attempt', async () => {
    const started = Date.now();
    const worker = new Worker(
      'run-step',
      async (job, token) =>
        runStep(
          () =>
            Promise.reject(
              new HttpStatusError({
                status: 429,
                culprit: 'https://example.org/a',
                detail: 'HTTP 429',
                permanent: false,
                retryAfterMs: 3_600_000,
              }),
            ),
          { job, token },
        ),
      { connection, prefix },
    );
    try {
      const job = await queue.add('fetch', {}, { attempts: 3 });
      const state = await waitFor('job delayed', async () => {
        const s = await job.getState();
        return s === 'delayed' ? s : undefined;
      });
      expect(state).toBe('delayed');
      const delayed = await queue.getJob(job.id ?? '');
      expect(delayed?.attemptsMade).toBe(0);
      // Due about an hour from now: the server's word, not the exponential backoff's 5 s.
      expect((delayed?.timestamp ?? 0) + (delayed?.delay ?? 0)).toBeGreaterThan(started + 3_000_000);
    } finally {
      await worker.close();
    }
  });
});
