/**
 * alert queue: deliver one story's alert to one channel, at most once per (rule, channel, story and
 * what it carries), at the pace flow.ts sets; also sends held alerts as summaries when scheduled.
 */
import type { Worker } from 'bullmq';
import { flushHeldAlerts } from '../src/pipeline/steps.ts';
import { createStageWorker } from '../src/queue/stage-worker.ts';
import { runStep } from '../src/queue/run-step.ts';
import type { Runtime } from './runtime.ts';
import { isMain, runService } from './service.ts';

/** The scheduled job that sends held alerts as summaries (see workers/scheduler.ts). */
export const FLUSH_HELD_JOB = 'flush-held';

export function createAlertWorker(rt: Runtime): Worker {
  return createStageWorker(rt, 'alert', {
    [FLUSH_HELD_JOB]: () => runStep(() => flushHeldAlerts(rt.ctx)),
  });
}

if (isMain(import.meta.url)) await runService([createAlertWorker]);
