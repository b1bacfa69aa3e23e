/**
 * Runs a pipeline step inside a BullMQ job: a permanent PipelineError (404, page too large, bad feed)
 * becomes an UnrecoverableError so BullMQ stops retrying it; anything else is retried with backoff.
 */
import { UnrecoverableError } from 'bullmq';
import { PipelineError } from '../errors.ts';

export async function runStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof PipelineError && error.permanent) {
      throw new UnrecoverableError(error.message);
    }
    throw error;
  }
}
