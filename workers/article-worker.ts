/** article queue: fetch, extract and tag one article, then hand it to the store queue. */
import { Worker } from 'bullmq';
import { articleJobId } from '../src/feeds/canonical-url.ts';
import { processArticle } from '../src/pipeline/steps.ts';
import { ArticleJobSchema, QueueNames } from '../src/queue/queues.ts';
import { runStep } from '../src/queue/run-step.ts';
import type { Runtime } from './runtime.ts';
import { isMain, runService } from './service.ts';

export function createArticleWorker(rt: Runtime): Worker {
  return new Worker(
    QueueNames.article,
    async (job) => {
      const ref = ArticleJobSchema.parse(job.data);
      const tagged = await runStep(() => processArticle(rt.ctx, ref));
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
