/**
 * Runs a pipeline step inside a BullMQ job:
 * - a permanent PipelineError (404, page too large, bad feed) becomes an UnrecoverableError, so BullMQ
 *   stops retrying it;
 * - a server that said when to come back (429/503 Retry-After, a 403 burst) delays the job until then
 *   without spending one of its attempts — the BullMQ pattern of moveToDelayed + DelayedError;
 * - anything else is rethrown and retried with backoff.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { PipelineError } from '../errors.ts';

export interface JobHandle {
  job: Pick<Job, 'moveToDelayed'>;
  token: string | undefined;
  now?: () => number;
}

export async function runStep<T>(step: () => Promise<T>, handle?: JobHandle): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (handle && error instanceof PipelineError && error.retryAfterMs !== null && !error.permanent) {
      await handle.job.moveToDelayed((handle.now ?? Date.now)() + error.retryAfterMs, handle.token);
      throw new DelayedError(`${error.message} (retrying in ${Math.ceil(error.retryAfterMs / 1000)} s)`);
    }
    if (error instanceof PipelineError && error.permanent) {
      throw new UnrecoverableError(error.message);
    }
    throw error;
  }
}
