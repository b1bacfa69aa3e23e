/** article queue: fetch, extract and tag one article, then hand it to the store queue. */
import { Worker } from 'bullmq';
import { articleJobId } from '../src/feeds/canonical-url.ts';
import { processArticle } from '../src/pipeline/steps.ts';
import { ArticleJobSchema, QueueNames } from '../src/queue/queues.ts';
import { runStep } from '../src/queue/run-step.ts';
import type { Runtime } from './runtime.ts';
import { isMain, runService } from './service.ts';

/** Retry-After delays per article job: a day of hourly "come back later" answers is plenty. */
const MAX_RETRY_AFTER_DELAYS = 24;

export function createArticleWorker(rt: Runtime): Worker {
  return new Worker(
    QueueNames.article,
    async (job, token) => {
      const ref = ArticleJobSchema.parse(job.data);
      // While attempts remain, a page that failed for a passing reason is retried rather than
      // replaced by the feed's shorter text.
      const retryTransient = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      // A host that keeps answering "come back later" gets a bounded number of delays, then the
      // normal retries and, at last, the feed-text fallback.
      const handle = job.attemptsStarted <= MAX_RETRY_AFTER_DELAYS ? { job, token } : undefined;
      const tagged = await runStep(() => processArticle(rt.ctx, ref, { retryTransient }), handle);
      await rt.queues.store.add('store', tagged, {
        jobId: `${articleJobId(ref.canonicalUrl)}-${job.attemptsStarted}`,
      });
      return { source: tagged.source, relevant: tagged.tags.relevant, actors: tagged.tags.actors.length };
    },
    {
      connection: rt.connection,
      prefix: rt.prefix,
      concurrency: rt.ctx.settings.ARTICLE_CONCURRENCY,
      // Killed workers re-run stalled jobs instead of failing them (FACTS.md); every effect is idempotent.
      maxStalledCount: 10,
    },
  );
}

if (isMain(import.meta.url)) await runService([createArticleWorker]);
