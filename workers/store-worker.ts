/** store queue: upsert the tagged article, then enqueue one alert job per (rule, channel) it fires. */
import { Worker } from 'bullmq';
import { articleJobId } from '../src/feeds/canonical-url.ts';
import { planAlerts, storeArticle } from '../src/pipeline/steps.ts';
import { QueueNames, StoreJobSchema } from '../src/queue/queues.ts';
import { runStep } from '../src/queue/run-step.ts';
import type { Runtime } from './runtime.ts';
import { isMain, runService } from './service.ts';

export function createStoreWorker(rt: Runtime): Worker {
  return new Worker(
    QueueNames.store,
    async (job) => {
      const article = StoreJobSchema.parse(job.data);
      const stored = await runStep(() => storeArticle(rt.ctx, article));
      const alerts = planAlerts(rt.ctx, article);
      const key = articleJobId(article.canonicalUrl);
      await rt.queues.alert.addBulk(
        alerts.map((a) => ({
          name: 'alert',
          data: a,
          // Wait a little before sending, so that syndicated copies arriving together are listed in
          // the story's one alert rather than missed by it.
          opts: {
            jobId: `${a.ruleId}-${a.channel}-${key}`,
            delay: rt.ctx.settings.ALERT_GATHER_SECONDS * 1000,
          },
        })),
      );
      return { articleId: stored.articleId, isNew: stored.isNew, alerts: alerts.length };
    },
    { connection: rt.connection, prefix: rt.prefix, concurrency: 4, maxStalledCount: 10 },
  );
}

if (isMain(import.meta.url)) await runService([createStoreWorker]);
