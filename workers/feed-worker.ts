/** feed-fetch queue: refresh one feed, enqueue its new items as article jobs keyed by canonical URL. */
import { Worker } from 'bullmq';
import { articleJobId } from '../src/feeds/canonical-url.ts';
import { refreshFeed, syncFeeds } from '../src/pipeline/steps.ts';
import { FeedFetchJobSchema, QueueNames } from '../src/queue/queues.ts';
import { runStep } from '../src/queue/run-step.ts';
import type { Runtime } from './runtime.ts';
import { CONFIG_SYNC_JOB, upsertSchedulers } from './scheduler.ts';
import { isMain, runService } from './service.ts';

export function createFeedWorker(rt: Runtime): Worker {
  return new Worker(
    QueueNames.feedFetch,
    async (job) => {
      if (job.name === CONFIG_SYNC_JOB) {
        const feeds = await syncFeeds(rt.ctx);
        await upsertSchedulers(rt);
        return { feeds };
      }
      const { feedId } = FeedFetchJobSchema.parse(job.data);
      const refresh = await runStep(() => refreshFeed(rt.ctx, feedId));
      await rt.queues.article.addBulk(
        refresh.newItems.map((ref) => ({
          name: ref.isUpdate ? 'article-update' : 'article',
          data: ref,
          // One job per canonical URL, so an item seen twice is processed once; an update is a new
          // version of the item and gets a job of its own.
          opts: {
            jobId: articleJobId(ref.isUpdate ? `${ref.canonicalUrl}\n${ref.contentHash}` : ref.canonicalUrl),
          },
        })),
      );
      return {
        status: refresh.status,
        itemsInFeed: refresh.itemsInFeed,
        newItems: refresh.newItems.length,
        repairs: refresh.repairs,
        nextPollAt: refresh.nextPollAt,
      };
    },
    { connection: rt.connection, prefix: rt.prefix, concurrency: 4, maxStalledCount: 10 },
  );
}

if (isMain(import.meta.url)) await runService([createFeedWorker]);
