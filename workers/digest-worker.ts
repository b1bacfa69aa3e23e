/** digest queue: build, write and email one day's digest (the previous local day by default). */
import { Worker } from 'bullmq';
import { buildDailyDigest, previousLocalDay } from '../src/pipeline/steps.ts';
import { DigestJobSchema, QueueNames } from '../src/queue/queues.ts';
import { runStep } from '../src/queue/run-step.ts';
import type { Runtime } from './runtime.ts';
import { isMain, runService } from './service.ts';

export function createDigestWorker(rt: Runtime): Worker {
  return new Worker(
    QueueNames.digest,
    async (job) => {
      const { day, period } = DigestJobSchema.parse(job.data);
      // Run at the configured time, a digest reports on the local day (or week) that just ended.
      const target = day ?? previousLocalDay(rt.ctx.now(), rt.ctx.alerts.digest.timezone);
      return runStep(() => buildDailyDigest(rt.ctx, target, period));
    },
    { connection: rt.connection, prefix: rt.prefix, concurrency: 1 },
  );
}

if (isMain(import.meta.url)) await runService([createDigestWorker]);
