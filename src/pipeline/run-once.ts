/**
 * `run --once`: one pass over every feed, in-process, without Redis: the flow of flow.ts run by the
 * in-process executor, so keys, delays, pace and retries are the service's. A failing feed or article
 * is recorded with its reason and the run goes on.
 */
import { describeError } from '../errors.ts';
import type { AlertJob, ArticleRef, TaggedArticle } from '../model.ts';
import { countByStage, dueHandOns, flow, type StageName } from './flow.ts';
import { runInProcess } from './run-in-process.ts';
import { flushHeldAlerts, type PipelineContext } from './steps.ts';

export interface RunFailure {
  stage: 'feed' | 'article' | 'store' | 'alert';
  culprit: string;
  reason: string;
}

export interface RunSummary {
  feeds: number;
  feedsOk: number;
  /** Feeds someone paused: not fetched, and neither ok nor failed. */
  feedsPaused: number;
  newItems: number;
  extracted: number;
  fromFeedContent: number;
  tagged: number;
  relevant: number;
  stored: number;
  alerted: number;
  failures: RunFailure[];
  /** Articles whose page was not used, with why: the feed's own text stood in. */
  fallbacks: { url: string; reason: string }[];
}

export type RunProgress =
  | { type: 'job-added'; stage: StageName }
  | { type: 'job-done'; stage: StageName }
  | { type: 'feed-failed' | 'article-failed' | 'store-failed' | 'alert-failed'; failure: RunFailure };

/**
 * How a run ends, for the exit code: every feed fetched and every item and alert handled ('ok'), some
 * feed, article or alert failed ('partial'), or no feed could be fetched at all ('nothing-fetched').
 */
export type RunVerdict = 'ok' | 'partial' | 'nothing-fetched';

export function runVerdict(summary: RunSummary): RunVerdict {
  if (summary.feeds > summary.feedsPaused && summary.feedsOk === 0) return 'nothing-fetched';
  return summary.failures.length > 0 ? 'partial' : 'ok';
}

/** Who to blame in a failure line: the feed's URL, the article's URL, the rule and story of an alert. */
function culpritOf(ctx: PipelineContext, stage: StageName, data: unknown): string {
  switch (stage) {
    case 'feed': {
      const { feedId } = data as { feedId: string };
      return ctx.feeds.get(feedId)?.url ?? feedId;
    }
    case 'article':
      return (data as ArticleRef).url;
    case 'store':
      return (data as TaggedArticle).url;
    case 'alert': {
      const alert = data as AlertJob;
      return `${alert.ruleId}/${alert.channel} story ${alert.storyId}`;
    }
  }
}

export async function runOnce(
  ctx: PipelineContext,
  onProgress: (event: RunProgress) => void = () => undefined,
): Promise<RunSummary> {
  const summary: RunSummary = {
    feeds: ctx.feeds.size,
    feedsOk: 0,
    feedsPaused: 0,
    newItems: 0,
    extracted: 0,
    fromFeedContent: 0,
    tagged: 0,
    relevant: 0,
    stored: 0,
    alerted: 0,
    failures: [],
    fallbacks: [],
  };
  const fail = (stage: RunFailure['stage'], culprit: string, error: unknown) => {
    const failure: RunFailure = { stage, culprit, reason: describeError(error) };
    summary.failures.push(failure);
    ctx.log.error({ stage, culprit, err: failure.reason }, `${stage} failed`);
    onProgress({ type: `${stage}-failed`, failure });
  };

  // An explicit run polls every feed, even one that is backing off; and it finishes what an earlier
  // run left pending (it was killed, or a page or an alert failed and its next try is due).
  const polls = [...ctx.feeds.values()].map((feed) => ({
    stage: 'feed' as const,
    data: { feedId: feed.id, ignoreBackoff: true },
  }));
  const leftover = await dueHandOns(ctx, 0);
  if (leftover.length > 0) ctx.log.info(countByStage(leftover), 'finishing work left pending');
  await runInProcess(ctx, flow, [...polls, ...leftover], {
    added(stage) {
      if (stage === 'article') summary.newItems++;
      onProgress({ type: 'job-added', stage });
    },
    done(stage, _data, result) {
      if (result.stage === 'feed') {
        if (result.status === 'paused') summary.feedsPaused++;
        else summary.feedsOk++;
      } else if (result.stage === 'article') {
        if (result.source === 'page') summary.extracted++;
        else {
          summary.fromFeedContent++;
          summary.fallbacks.push({ url: result.url, reason: result.sourceReason ?? 'unknown' });
        }
        summary.tagged++;
        if (result.relevant) summary.relevant++;
      } else if (result.stage === 'store') summary.stored++;
      else if (result.outcome === 'sent') summary.alerted++;
      onProgress({ type: 'job-done', stage });
    },
    failed(stage, data, error) {
      fail(stage, culpritOf(ctx, stage, data), error);
      onProgress({ type: 'job-done', stage });
    },
    retrying(stage, data, error, waitMs) {
      ctx.log.warn(
        { stage, culprit: culpritOf(ctx, stage, data), err: describeError(error), wait_ms: waitMs },
        `${stage} failed; trying again`,
      );
    },
  });
  try {
    // Alerts held by a rule's limit or quiet hours go out now as one summary, when allowed.
    summary.alerted += (await flushHeldAlerts(ctx)).summaries;
  } catch (error) {
    fail('alert', 'held alerts summary', error);
  }
  return summary;
}
