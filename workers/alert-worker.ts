/** alert queue: deliver one alert to one channel, at most once per (rule, article, channel). */
import { Worker } from 'bullmq';
import { deliverAlert, flushHeldAlerts } from '../src/pipeline/steps.ts';
import { AlertJobSchema, QueueNames } from '../src/queue/queues.ts';
import { runStep } from '../src/queue/run-step.ts';
import type { Runtime } from './runtime.ts';
import { isMain, runService } from './service.ts';

/** Slack's documented rate for incoming webhooks: about one message per second. */
const SLACK_MIN_SPACING_MS = 1_000;

/** The scheduled job that sends held alerts as summaries (see workers/scheduler.ts). */
export const FLUSH_HELD_JOB = 'flush-held';

export function createAlertWorker(rt: Runtime): Worker {
  return new Worker(
    QueueNames.alert,
    async (job, token) => {
      if (job.name === FLUSH_HELD_JOB) return runStep(() => flushHeldAlerts(rt.ctx));
      const alert = AlertJobSchema.parse(job.data);
      // A 429 from Slack delays the job until its Retry-After, without spending an attempt.
      return { outcome: await runStep(() => deliverAlert(rt.ctx, alert), { job, token }) };
    },
    // Slack allows about one message per second per webhook: one job at a time, at most one a second,
    // across every alert-worker process (BullMQ's limiter lives in Redis).
    {
      connection: rt.connection,
      prefix: rt.prefix,
      concurrency: 1,
      maxStalledCount: 10,
      limiter: { max: 1, duration: SLACK_MIN_SPACING_MS },
    },
  );
}

if (isMain(import.meta.url)) await runService([createAlertWorker]);
