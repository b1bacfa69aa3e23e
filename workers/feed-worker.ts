/** feed-fetch queue: refresh one feed, enqueue its new items as article jobs keyed by canonical URL. */
import { Worker } from 'bullmq';
import { articleJobId } from '../src/feeds/canonical-url.ts';
import { refreshFeed } from '../src/pipeline/steps.ts';
import { FeedFetchJobSchema, QueueNames } from '../src/queue/queues.ts';
import { runStep } from '../src/queue/run-step.ts';
import type { Runtime } from './runtime.ts';
import { isMain, runService } from './service.ts';

export function createFeedWorker(rt: Runtime): Worker {
  return new Worker(
    QueueNames.feedFetch,
    async (job) => {
      const { feedId } = FeedFetchJobSchema.parse(job.data);
      const refresh = await runStep(() => refreshFeed(rt.ctx, feedId));
      await rt.queues.article.addBulk(
        refresh.newItems.map((ref) => ({
          name: 'article',
          data: ref,
          opts: { jobId: articleJobId(ref.canonicalUrl) },
        })),
      );
      return { status: refresh.status, itemsInFeed: refresh.itemsInFeed, newItems: refresh.newItems.length };
    },
    { connection: rt.connection, prefix: rt.prefix, concurrency: 4, maxStalledCount: 10 },
  );
}

if (isMain(import.meta.url)) await runService([createFeedWorker]);
