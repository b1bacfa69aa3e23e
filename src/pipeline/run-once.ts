/**
 * `run --once`: every stage in-process, in order, without Redis — the same steps the workers call.
 * A failing feed or article is recorded with its reason and the run goes on.
 */
import pLimit from 'p-limit';
import { describeError } from '../errors.ts';
import type { ArticleRef } from '../model.ts';
import {
  deliverAlert,
  flushHeldAlerts,
  planAlerts,
  processArticle,
  refreshFeed,
  storeArticle,
  type PipelineContext,
} from './steps.ts';

export interface RunFailure {
  stage: 'feed' | 'article' | 'alert';
  culprit: string;
  reason: string;
}

export interface RunSummary {
  feeds: number;
  feedsOk: number;
  newItems: number;
  extracted: number;
  fromFeedContent: number;
  tagged: number;
  relevant: number;
  stored: number;
  alerted: number;
  failures: RunFailure[];
}

export type RunProgress =
  | { type: 'feeds-done'; newItems: number }
  | { type: 'article-done' }
  | { type: 'feed-failed' | 'article-failed' | 'alert-failed'; failure: RunFailure };

/**
 * Article concurrency: extraction is CPU-bound on jsdom (two cores), but page fetches wait on the
 * network, so a few in flight keep both busy.
 */
const ARTICLE_CONCURRENCY = 4;
const FEED_CONCURRENCY = 4;

export async function runOnce(
  ctx: PipelineContext,
  onProgress: (event: RunProgress) => void = () => undefined,
): Promise<RunSummary> {
  const summary: RunSummary = {
    feeds: ctx.feeds.size,
    feedsOk: 0,
    newItems: 0,
    extracted: 0,
    fromFeedContent: 0,
    tagged: 0,
    relevant: 0,
    stored: 0,
    alerted: 0,
    failures: [],
  };
  const fail = (type: 'feed' | 'article' | 'alert', culprit: string, error: unknown) => {
    const failure: RunFailure = { stage: type, culprit, reason: describeError(error) };
    summary.failures.push(failure);
    ctx.log.error({ stage: type, culprit, err: failure.reason }, `${type} failed`);
    onProgress({ type: `${type}-failed`, failure });
  };

  const feedLimit = pLimit(FEED_CONCURRENCY);
  const refs: ArticleRef[] = [];
  const seen = new Set<string>();
  await Promise.all(
    [...ctx.feeds.values()].map((feed) =>
      feedLimit(async () => {
        try {
          // An explicit run polls every feed, even one that is backing off.
          const refresh = await refreshFeed(ctx, feed.id, { ignoreBackoff: true });
          summary.feedsOk++;
          for (const ref of refresh.newItems) {
            // The same story in two feeds is one article (the queue path dedupes by job id).
            if (seen.has(ref.canonicalUrl)) continue;
            seen.add(ref.canonicalUrl);
            refs.push(ref);
          }
        } catch (error) {
          fail('feed', feed.url, error);
        }
      }),
    ),
  );
  summary.newItems = refs.length;
  onProgress({ type: 'feeds-done', newItems: refs.length });

  const articleLimit = pLimit(ARTICLE_CONCURRENCY);
  await Promise.all(
    refs.map((ref) =>
      articleLimit(async () => {
        try {
          const tagged = await processArticle(ctx, ref);
          if (tagged.source === 'page') summary.extracted++;
          else summary.fromFeedContent++;
          summary.tagged++;
          if (tagged.tags.relevant) summary.relevant++;
          await storeArticle(ctx, tagged);
          summary.stored++;
          for (const job of planAlerts(ctx, tagged)) {
            try {
              if ((await deliverAlert(ctx, job)) === 'sent') summary.alerted++;
            } catch (error) {
              fail('alert', `${job.ruleId}/${job.channel} ${ref.url}`, error);
            }
          }
        } catch (error) {
          fail('article', ref.url, error);
        } finally {
          onProgress({ type: 'article-done' });
        }
      }),
    ),
  );
  try {
    // Alerts held by a rule's limit or quiet hours go out now as one summary, when allowed.
    summary.alerted += (await flushHeldAlerts(ctx)).summaries;
  } catch (error) {
    fail('alert', 'held alerts summary', error);
  }
  return summary;
}
