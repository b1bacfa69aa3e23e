/**
 * The pipeline's flow, defined once as data: for each stage, its queue, payload schema, job key,
 * delay, pace, retry policy, the step it runs and what it hands on to the next stage. Two executors
 * run this one definition: BullMQ workers in the service (src/queue/stage-worker.ts) and a small
 * in-process executor for `run --once` (run-in-process.ts). Neither chooses a key, a delay, a pace or
 * a retry of its own, so the two paths cannot drift apart.
 *
 * ```
 * feed ──(new items, updates)──► article ──(tagged)──► store ──(one per rule × channel)──► alert
 * key: none (scheduled)           key: item version       key: item version    key: rule, channel, story, its tags
 *                                                                               delay: gather window; pace: 1/s
 * ```
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Settings } from '../config/settings.ts';
import { AlertJobSchema, ArticleRefSchema, TaggedArticleSchema, type AlertJob } from '../model.ts';
import {
  commitStored,
  dueWork,
  deliverAlert,
  planAlerts,
  processArticle,
  recordAlertDecided,
  recordAlertWorkFailed,
  recordItemWorkFailed,
  refreshFeed,
  storeArticle,
  type DeliveryOutcome,
  type FeedRefreshStatus,
  type PipelineContext,
} from './steps.ts';

export type StageName = 'feed' | 'article' | 'store' | 'alert';

/** A feed poll: scheduled per feed in the service, one per feed in `run --once`. */
export const FeedPollSchema = z.object({
  feedId: z.string(),
  /** Poll even when the feed is backing off: an explicit poll (`run --once`, a manual one). */
  ignoreBackoff: z.boolean().default(false),
});
export type FeedPoll = z.infer<typeof FeedPollSchema>;

export interface Attempt {
  /** Attempts made before this one: 0 on the first. */
  made: number;
  /** Attempts the stage allows in all. */
  max: number;
}

/** A job a stage hands on: the next stage and its payload. */
export interface HandOn {
  stage: StageName;
  data: unknown;
}

/** How many of these hand-ons are items (article stage) and how many alerts: what a log line says. */
export function countByStage(handOns: readonly HandOn[]): { items: number; alerts: number } {
  return {
    items: handOns.filter((h) => h.stage === 'article').length,
    alerts: handOns.filter((h) => h.stage === 'alert').length,
  };
}

/**
 * The work the ledger holds unfinished, as hand-ons: items pending for over `afterMs` (or whose
 * re-drive is due) to the article stage, planned alerts to the alert stage. The service's reconciler
 * and `run --once` both start from it.
 */
export async function dueHandOns(ctx: PipelineContext, afterMs: number): Promise<HandOn[]> {
  const due = await dueWork(ctx, afterMs);
  return [
    ...due.items.map((ref): HandOn => ({ stage: 'article', data: ref })),
    ...due.alerts.map((job): HandOn => ({ stage: 'alert', data: job })),
  ];
}

/** What a step returned, in short: the job's return value in BullMQ, the run's counts in `run --once`. */
export type StageResult =
  | { stage: 'feed'; feedId: string; status: FeedRefreshStatus; itemsInFeed: number; newItems: number }
  | {
      stage: 'article';
      url: string;
      source: 'page' | 'feed';
      /** Why the feed's text stood in for the page; null when the page was used. */
      sourceReason: string | null;
      relevant: boolean;
      actors: number;
    }
  | {
      stage: 'store';
      articleId: number;
      isNew: boolean;
      storyId: number;
      alerts: number;
      /** From the poll that saw this version to its storing; null when a re-run found it stored. */
      seenToStoredMs: number | null;
    }
  | { stage: 'alert'; outcome: DeliveryOutcome };

export interface StageOutcome {
  result: StageResult;
  next: HandOn[];
}

/** At most `max` job starts in any `durationMs` (BullMQ's limiter; the in-process executor's pace). */
export interface Pace {
  max: number;
  durationMs: number;
}

/** One stage, with its payload type erased: what the executors see. */
export interface Stage {
  name: StageName;
  /** The BullMQ queue (see src/queue/queues.ts). */
  queue: 'feed-fetch' | 'article' | 'store' | 'alert';
  /** Validates a payload crossing a queue and fills its defaults; throws on a malformed one. */
  parse(data: unknown): unknown;
  /** The job's name, shown in logs and queue tools. */
  jobName(data: unknown): string;
  /**
   * The job id: a job whose key is already known (waiting, running, or kept after it ran) is dropped,
   * so the same work is never done twice; null: every job is new.
   */
  key(data: unknown): string | null;
  /**
   * How long a new job waits before it may start, so that work in flight can join it (the alert
   * gather window). The service waits that long on the clock; `run --once`, which knows when the
   * round's work is done, starts it once nothing else is in flight.
   */
  delayMs(settings: Settings): number;
  /** Jobs of this stage running at once, per process. */
  concurrency(settings: Settings): number;
  /** Job starts allowed per period across every process, or null for no limit. */
  pace(settings: Settings): Pace | null;
  /** Tries in all before a job fails for good; a permanent error fails it at once. */
  attempts: number;
  /** First wait before a retry; each further retry waits twice as long. */
  backoffMs(settings: Settings): number;
  /** Times a server's "come back later" (Retry-After) delays a job without spending an attempt. */
  maxRetryAfterDelays: number;
  /**
   * A server's Retry-After pauses the whole stage, not only the job that got it: Slack's 429 is about
   * the webhook, and every other message would get one too.
   */
  pausesOnRetryAfter: boolean;
  /** Runs the step on a parsed payload and says what to hand on. */
  run(ctx: PipelineContext, data: unknown, attempt: Attempt): Promise<StageOutcome>;
  /**
   * The job failed for good (a permanent error, or its attempts spent): tells the ledger, which keeps
   * the work pending for a later re-drive or marks it failed. Never throws.
   */
  failed(ctx: PipelineContext, data: unknown, error: unknown, permanent: boolean): Promise<void>;
}

interface StageSpec<T> extends Omit<Stage, 'parse' | 'jobName' | 'key' | 'run' | 'failed'> {
  payload: { parse(data: unknown): T };
  jobName(data: T): string;
  key(data: T): string | null;
  run(ctx: PipelineContext, data: T, attempt: Attempt): Promise<StageOutcome>;
  failed?(ctx: PipelineContext, data: T, error: unknown, permanent: boolean): Promise<void>;
}

/** Erases the payload type behind a parse, so each stage is checked once and the executors stay generic. */
function defineStage<T>(spec: StageSpec<T>): Stage {
  const parse = (data: unknown) => spec.payload.parse(data);
  return {
    ...spec,
    parse,
    jobName: (data) => spec.jobName(parse(data)),
    key: (data) => spec.key(parse(data)),
    run: (ctx, data, attempt) => spec.run(ctx, parse(data), attempt),
    failed: async (ctx, data, error, permanent) => {
      await spec.failed?.(ctx, parse(data), error, permanent);
    },
  };
}

/** Hex characters of a key: 128 bits of sha256. BullMQ job ids must not contain ':'. */
const KEY_HEX_CHARS = 32;

/**
 * A job key from its parts. One part gives the hash of that string alone, which is the key every
 * new item's article job has had since the first release (`articleJobId`).
 *
 * @example
 * jobKey('https://example.com/a'); // 32 hex characters
 */
export function jobKey(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, KEY_HEX_CHARS);
}

/**
 * One key per version of an item: a new item by its canonical URL alone (so the same item from two
 * feeds in one round is one job); an update by URL, content and how many updates came before, so an
 * edit, and an edit reverted later, are each processed once.
 */
export function itemVersionKey(item: {
  canonicalUrl: string;
  isUpdate?: boolean;
  contentHash?: string;
  version?: number;
}): string {
  return item.isUpdate
    ? jobKey(item.canonicalUrl, item.contentHash ?? '', item.version ?? 0)
    : jobKey(item.canonicalUrl);
}

/** One alert job per story and what it carries, per rule and channel. */
function alertKey(alert: AlertJob): string {
  return jobKey('alert', alert.ruleId, alert.channel, alert.storyId, alert.tagsKey);
}

/** Feeds polled at once per process: polls wait on the network, and 4 keep a small machine busy. */
const FEED_CONCURRENCY = 4;
/** Stores at once per process: a few small transactions each; PostgreSQL takes 4 without contention. */
const STORE_CONCURRENCY = 4;
/** Tries of a feed poll: the next scheduled poll is the real retry; a second try covers a blip. */
const FEED_ATTEMPTS = 2;
/** Tries of the other stages: with the default backoff, 75 s of waiting in all, past a short outage. */
const STEP_ATTEMPTS = 5;
/** A day of hourly "come back later" answers is plenty for one page or one alert. */
const MAX_RETRY_AFTER_DELAYS = 24;

const backoff = (settings: Settings) => settings.RETRY_BACKOFF_MS;

export const flow: Readonly<Record<StageName, Stage>> = {
  feed: defineStage({
    name: 'feed',
    queue: 'feed-fetch',
    payload: FeedPollSchema,
    jobName: () => 'refresh',
    key: () => null,
    delayMs: () => 0,
    concurrency: () => FEED_CONCURRENCY,
    pace: () => null,
    attempts: FEED_ATTEMPTS,
    backoffMs: backoff,
    maxRetryAfterDelays: 0,
    pausesOnRetryAfter: false,
    async run(ctx, poll) {
      const refresh = await refreshFeed(ctx, poll.feedId, { ignoreBackoff: poll.ignoreBackoff });
      return {
        result: {
          stage: 'feed',
          feedId: poll.feedId,
          status: refresh.status,
          itemsInFeed: refresh.itemsInFeed,
          newItems: refresh.newItems.length,
        },
        next: refresh.newItems.map((ref) => ({ stage: 'article', data: ref })),
      };
    },
  }),
  article: defineStage({
    name: 'article',
    queue: 'article',
    payload: ArticleRefSchema,
    jobName: (ref) => (ref.isUpdate ? 'article-update' : 'article'),
    key: (item) => itemVersionKey(item),
    delayMs: () => 0,
    concurrency: (settings) => settings.ARTICLE_CONCURRENCY,
    pace: () => null,
    attempts: STEP_ATTEMPTS,
    backoffMs: backoff,
    maxRetryAfterDelays: MAX_RETRY_AFTER_DELAYS,
    pausesOnRetryAfter: false,
    async run(ctx, ref, attempt) {
      // While attempts remain, a page that failed for a passing reason is retried rather than
      // replaced by the feed's shorter text.
      const tagged = await processArticle(ctx, ref, { retryTransient: attempt.made + 1 < attempt.max });
      return {
        result: {
          stage: 'article',
          url: ref.url,
          source: tagged.source,
          sourceReason: tagged.sourceReason ?? null,
          relevant: tagged.tags.relevant,
          actors: tagged.tags.actors.length,
        },
        next: [{ stage: 'store', data: tagged }],
      };
    },
    failed: (ctx, ref, error, permanent) => recordItemWorkFailed(ctx, ref, error, permanent),
  }),
  store: defineStage({
    name: 'store',
    queue: 'store',
    payload: TaggedArticleSchema,
    jobName: () => 'store',
    key: (item) => itemVersionKey(item),
    delayMs: () => 0,
    concurrency: () => STORE_CONCURRENCY,
    pace: () => null,
    attempts: STEP_ATTEMPTS,
    backoffMs: backoff,
    maxRetryAfterDelays: 0,
    pausesOnRetryAfter: false,
    async run(ctx, article) {
      const stored = await storeArticle(ctx, article);
      const alerts = planAlerts(ctx, article, stored);
      const { seenToStoredMs } = await commitStored(
        ctx,
        article,
        alerts.map((job) => ({ key: alertKey(job), job })),
      );
      return {
        result: {
          stage: 'store',
          articleId: stored.articleId,
          isNew: stored.isNew,
          storyId: stored.storyId,
          alerts: alerts.length,
          seenToStoredMs,
        },
        next: alerts.map((alert) => ({ stage: 'alert', data: alert })),
      };
    },
    failed: (ctx, article, error, permanent) => recordItemWorkFailed(ctx, article, error, permanent),
  }),
  alert: defineStage({
    name: 'alert',
    queue: 'alert',
    payload: AlertJobSchema,
    jobName: () => 'alert',
    // One job per story and what it carries: copies of a story that carry the same make one job;
    // a copy that adds an actor or a phase plans a new one.
    key: alertKey,
    // The gather window: copies of the story polled in the same round are stored meanwhile, and the
    // one message lists them.
    delayMs: (settings) => Math.round(settings.ALERT_GATHER_SECONDS * 1000),
    // One message at a time, at Slack's pace, across every alert worker (BullMQ's limiter is in Redis).
    concurrency: () => 1,
    pace: (settings) =>
      settings.ALERT_MIN_SPACING_MS > 0 ? { max: 1, durationMs: settings.ALERT_MIN_SPACING_MS } : null,
    attempts: STEP_ATTEMPTS,
    backoffMs: backoff,
    maxRetryAfterDelays: MAX_RETRY_AFTER_DELAYS,
    pausesOnRetryAfter: true,
    async run(ctx, alert) {
      const outcome = await deliverAlert(ctx, alert);
      await recordAlertDecided(ctx, alertKey(alert));
      return { result: { stage: 'alert', outcome }, next: [] };
    },
    failed: (ctx, alert, error, permanent) => recordAlertWorkFailed(ctx, alertKey(alert), error, permanent),
  }),
};

/** The stages in flow order. */
export const stageNames: readonly StageName[] = ['feed', 'article', 'store', 'alert'];
