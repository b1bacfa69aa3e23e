/**
 * Runs a pipeline step inside a BullMQ job:
 * - a permanent PipelineError (404, page too large, bad feed) becomes an UnrecoverableError, so BullMQ
 *   stops retrying it;
 * - a server that said when to come back (429/503 Retry-After, a 403 burst) delays the job until then
 *   without spending one of its attempts — the BullMQ pattern of moveToDelayed + DelayedError;
 * - anything else is rethrown and retried with backoff.
 */
import { DelayedError, RateLimitError, UnrecoverableError, type Job } from 'bullmq';
import { PipelineError } from '../errors.ts';

export interface JobHandle {
  job: Pick<Job, 'moveToDelayed'>;
  token: string | undefined;
  now?: () => number;
  /**
   * Pauses the whole queue for `ms` (BullMQ's `queue.rateLimit`): given when a Retry-After is about
   * the destination, not the job (Slack's 429), so every job of the queue waits, not only this one.
   */
  pauseQueue?: (ms: number) => Promise<void>;
}

export async function runStep<T>(step: () => Promise<T>, handle?: JobHandle): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (handle && error instanceof PipelineError && error.retryAfterMs !== null && !error.permanent) {
      if (handle.pauseQueue) {
        await handle.pauseQueue(error.retryAfterMs);
        // Back to waiting without spending an attempt; the worker takes nothing until the pause ends.
        throw new RateLimitError();
      }
      await handle.job.moveToDelayed((handle.now ?? Date.now)() + error.retryAfterMs, handle.token);
      throw new DelayedError(`${error.message} (retrying in ${Math.ceil(error.retryAfterMs / 1000)} s)`);
    }
    if (error instanceof PipelineError && error.permanent) {
      // The cause kept: the service's metrics count failures by its code.
      throw Object.assign(new UnrecoverableError(error.message), { cause: error });
    }
    throw error;
  }
}
