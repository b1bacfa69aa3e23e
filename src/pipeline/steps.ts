/**
 * One step per queue — refreshFeed, processArticle, storeArticle, planAlerts, deliverAlert,
 * buildDailyDigest — and the only place where pure stages meet I/O (HTTP, database, SMTP, Slack).
 * How the steps are chained (job keys, delays, pace, retries) is not here but in flow.ts, which both
 * the BullMQ workers and `run --once` execute.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import pRetry from 'p-retry';
import type { AlertsFile } from '../config/schemas.ts';
import type { Settings } from '../config/settings.ts';
import { PipelineError, describeError } from '../errors.ts';
import { decodePage } from '../extract/decode-page.ts';
import { chooseArticleText } from '../extract/choose-article-text.ts';
import { textFromHtml } from '../extract/extract-article.ts';
import { buildFeedFailureNotice } from '../alerts/feed-failure-notice.ts';
import { buildHeldSummary } from '../alerts/held-summary.ts';
import { isQuietTime } from '../alerts/quiet-hours.ts';
import { unwrapRedirect } from '../feeds/canonical-url.ts';
import { classifyFailure, failureFacts, needsFailureAlert, nextHealth } from '../feeds/feed-health.ts';
import { classifyItem, itemIdentity, type ItemIdentity } from '../feeds/item-identity.ts';
import { composeAlert, type AlertMessage } from '../alerts/compose-alert.ts';
import { parseFeed } from '../feeds/parse-feed.ts';
import { fetchUrl, type FetchOptions } from '../http/fetch-url.ts';
import type { HostGate } from '../http/host-gate.ts';
import { matchRules } from '../alerts/match-rules.ts';
import { buildSlackMessage, sendSlack } from '../alerts/channels/slack.ts';
import { buildWebhookPayload, sendWebhook } from '../alerts/channels/webhook.ts';
import { sendAlertEmail, sendDigestEmail, type Mailer } from '../alerts/channels/email.ts';
import { buildDigest, CHART_DAYS, type DigestArticle } from '../digest/build-digest.ts';
import { countStoriesByTag, mentionHistory } from '../digest/count-period.ts';
import { renderDigestJson } from '../digest/render-digest-json.ts';
import { digestSubject, renderDigestHtml, renderDigestMarkdown } from '../digest/render-digest.ts';
import type { Matcher } from '../tagging/compile-watchlist.ts';
import { tagArticle } from '../tagging/tag-article.ts';
import type { Db } from '../store/db.ts';
import {
  listArticlesBetween,
  listStoryArticles,
  upsertArticle,
  type StoredArticle,
} from '../store/articles.ts';
import {
  claimDelivery,
  countMessagesSince,
  listHeldAlerts,
  markDeliveryFailed,
  markDeliveryHeld,
  markDeliverySent,
} from '../store/deliveries.ts';
import { recordDigest } from '../store/digests.ts';
import { saveRawPage } from '../store/pages.ts';
import {
  getFeed,
  markFailureAlerted,
  upsertFeeds,
  recordFeedFailure,
  recordFeedSuccess,
  type FeedRecord,
} from '../store/feeds.ts';
import {
  findKnownItems,
  listDueItems,
  markItemStored,
  recordItemFailure,
  recordItemSeen,
} from '../store/items.ts';
import {
  listDuePlannedAlerts,
  markPlannedAlertDone,
  recordPlannedAlertFailure,
  recordPlannedAlerts,
} from '../store/planned-alerts.ts';
import { assignStory, loadStoryTagsKey } from '../store/stories.ts';
import { storyTagsKey } from '../stories/story-tags-key.ts';
import { textSignature } from '../stories/text-signature.ts';
import type {
  AlertJob,
  AlertRule,
  ArticleRef,
  Channel,
  ExtractedArticle,
  FeedConfig,
  FeedItem,
  TaggedArticle,
} from '../model.ts';
import type { Logger } from '../log.ts';

/** Everything a step may touch, passed in; nothing is looked up from globals. */
export interface PipelineContext {
  db: Db;
  settings: Settings;
  feeds: ReadonlyMap<string, FeedConfig>;
  /** alerts.yaml: re-read when it changes, so a rule added while the service runs applies. */
  alerts: AlertsFile;
  /** Display names of taxonomy ids, for digests. */
  names: Readonly<Record<string, string>>;
  matcher: () => Matcher;
  mailer: Mailer | null;
  /** Per-host politeness: in memory for `run --once`, in Redis (shared) for the workers. */
  hostGate: HostGate;
  /** Re-reads feeds.yaml and the watchlist now if they changed (they are also re-read lazily). */
  reloadConfig(): void;
  /** Article extraction: a worker-thread pool in the services, in-process where one page is enough. */
  extract(html: string, url: string): Promise<ExtractedArticle>;
  log: Logger;
  now: () => Date;
}

/** Brings the feeds table in line with feeds.yaml after it changed (`cli feeds add`, an edit). */
export async function syncFeeds(ctx: PipelineContext): Promise<number> {
  ctx.reloadConfig();
  const feeds = [...ctx.feeds.values()];
  await upsertFeeds(ctx.db, feeds);
  return feeds.length;
}

export type FeedRefreshStatus = 'ok' | 'not-modified' | 'unchanged' | 'backing-off' | 'paused';

export interface FeedRefresh {
  feedId: string;
  /**
   * ok: parsed; not-modified: a 304; unchanged: same body as last time (servers lie about ETags),
   * not parsed; backing-off: the feed is failing and its next poll is not due, so nothing was fetched;
   * paused: someone paused the feed, nothing was fetched.
   */
  status: FeedRefreshStatus;
  itemsInFeed: number;
  /** New items, and items seen before whose content changed (`isUpdate`), in feed order. */
  newItems: ArticleRef[];
  /** What the lenient parser had to repair to read the feed. */
  repairs: string[];
  /** When a failing feed is polled next (null: its normal interval). */
  nextPollAt: string | null;
  /** New items past the per-poll cap, left for the next change of the feed. */
  overCap?: number;
}

export interface RefreshOptions {
  /** Poll even when the feed is backing off (an explicit `run --once`). @defaultValue false */
  ignoreBackoff?: boolean;
}

const USER_AGENT = 'ceasefire-watch/0.1 (news monitor; feed reader)';

/** The settings every feed and page fetch shares; only the size cap differs. */
function fetchOptions(ctx: PipelineContext, maxBytes: number): FetchOptions {
  return {
    maxBytes,
    timeoutMs: ctx.settings.FETCH_TIMEOUT_MS,
    allowPrivateNetworks: ctx.settings.ALLOW_PRIVATE_NETWORKS,
    userAgent: USER_AGENT,
    gate: ctx.hostGate,
  };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function refreshFeed(
  ctx: PipelineContext,
  feedId: string,
  opts: RefreshOptions = {},
): Promise<FeedRefresh> {
  const feed = ctx.feeds.get(feedId);
  if (!feed) {
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'feeds',
      culprit: feedId,
      detail: 'feed is not in feeds.yaml (removed since the job was scheduled?)',
      permanent: true,
    });
  }
  const known = await getFeed(ctx.db, feedId);
  const now = ctx.now();
  const result = (status: FeedRefreshStatus, extra: Partial<FeedRefresh> = {}): FeedRefresh => ({
    feedId,
    status,
    itemsInFeed: 0,
    newItems: [],
    repairs: [],
    nextPollAt: null,
    ...extra,
  });
  // Paused holds on every path, an explicit `run --once` included: the operator asked for silence.
  if (known?.pausedAt) return result('paused');
  if (!opts.ignoreBackoff && known?.nextPollAt && Date.parse(known.nextPollAt) > now.getTime()) {
    return result('backing-off', { nextPollAt: known.nextPollAt });
  }
  const conditional: Record<string, string> = {};
  if (known?.etag) conditional['if-none-match'] = known.etag;
  if (known?.lastModified) conditional['if-modified-since'] = known.lastModified;
  try {
    const response = await fetchUrl(feed.url, {
      ...fetchOptions(ctx, ctx.settings.FEED_MAX_BYTES),
      headers: conditional,
    });
    const success = {
      etag: response.headers['etag'] ?? null,
      lastModified: response.headers['last-modified'] ?? null,
      at: now.toISOString(),
      status: response.status,
      nextPollAt: null,
    };
    if (response.notModified) {
      await recordFeedSuccess(ctx.db, feedId, success);
      return result('not-modified');
    }
    const bodyHash = sha256(response.body);
    if (known?.lastBodyHash === bodyHash) {
      await recordFeedSuccess(ctx.db, feedId, { ...success, bodyHash });
      return result('unchanged');
    }
    const parsed = await parseFeed(response.body, response.url, {
      contentType: response.headers['content-type'],
    });
    if (parsed.repairs.length > 0) {
      ctx.log.warn(
        { feed_id: feedId, feed_url: feed.url, repairs: parsed.repairs },
        'feed parsed with repairs',
      );
    }
    const found = await newOrUpdatedItems(ctx, feedId, parsed.items);
    // The rest at the next polls (FEED_MAX_NEW_ITEMS): once these are known, the next poll takes the next.
    const newItems = found.refs.slice(0, ctx.settings.FEED_MAX_NEW_ITEMS);
    const over = found.refs.length - newItems.length;
    if (over > 0) {
      ctx.log.warn(
        { feed_id: feedId, feed_url: feed.url, new_items: found.refs.length, taken: newItems.length },
        `feed lists ${found.refs.length} new items: the first ${newItems.length} are followed now, the other ${over} at the next polls`,
      );
    }
    // One transaction: the items become pending (with the job that processes each) together with the
    // validators that stop them being listed again. Whatever becomes of the queue, the ledger has them.
    await ctx.db.transaction(async (tx) => {
      const at = now.toISOString();
      for (const identity of found.elsewhere) {
        await recordItemSeen(tx, { feedId, identity, at, outcome: 'elsewhere' });
      }
      for (const ref of newItems) {
        await recordItemSeen(tx, {
          feedId,
          identity: { canonicalUrl: ref.canonicalUrl, guid: ref.guid, contentHash: ref.contentHash },
          at,
          outcome: !ref.isUpdate ? 'new' : ref.previousCanonicalUrl ? 'moved' : 'updated',
          pending: ref,
        });
      }
      // Past the cap, the next poll must read the feed again (no 304, no "unchanged") to take the next
      // items: those followed now are known by then.
      await recordFeedSuccess(tx, feedId, { ...success, bodyHash, forgetValidators: over > 0 });
    });
    return result('ok', {
      itemsInFeed: parsed.items.length,
      newItems,
      repairs: parsed.repairs,
      overCap: over,
    });
  } catch (error) {
    const facts = failureFacts(error);
    const health = nextHealth(
      { score: known?.failureScore ?? 0, consecutiveFailures: known?.consecutiveFailures ?? 0 },
      classifyFailure(facts),
      now,
      feed.intervalMinutes,
      facts.retryAfterMs,
    );
    const failing = await recordFeedFailure(ctx.db, feedId, {
      error: describeError(error),
      at: now.toISOString(),
      status: facts.status ?? null,
      score: health.score,
      nextPollAt: health.nextPollAt,
    });
    if (needsFailureAlert(failing, failing.failureAlertedAt, now)) await notifyFeedFailing(ctx, failing);
    throw error;
  }
}

/**
 * The items to process: each is known by its canonical URL or guid in this feed, or by its canonical
 * URL in another feed, and its content hash says whether a known one changed. Neither a date
 * watermark (feeds back-date and re-date items) nor the guid alone (reused, or regenerated on every
 * build) is enough. An item another feed brought first is recorded as seen here and not processed:
 * it is the same page.
 */
async function newOrUpdatedItems(
  ctx: PipelineContext,
  feedId: string,
  items: FeedItem[],
): Promise<{ refs: ArticleRef[]; elsewhere: ItemIdentity[] }> {
  const refs: ArticleRef[] = [];
  const elsewhere: ItemIdentity[] = [];
  // The first occurrence of a canonical URL in the feed speaks for it; later repeats (other tracking
  // parameters, a second category) are the same item.
  const seen = new Set<string>();
  const followed: { item: FeedItem; identity: ItemIdentity; link: string }[] = [];
  for (const item of items) {
    const identity = itemIdentity(item);
    const link = item.link ?? identity.canonicalUrl;
    if (!identity.canonicalUrl || !/^https?:/i.test(link) || seen.has(identity.canonicalUrl)) continue;
    seen.add(identity.canonicalUrl);
    followed.push({ item, identity, link });
  }
  const knownItems = await findKnownItems(
    ctx.db,
    feedId,
    followed.map(({ identity }) => identity),
  );
  for (const { item, identity, link } of followed) {
    const known = knownItems.get(identity.canonicalUrl) ?? null;
    const outcome = classifyItem(identity, known);
    if (outcome === 'unchanged') continue;
    if (outcome === 'elsewhere') {
      elsewhere.push(identity);
      continue;
    }
    refs.push({
      feedId,
      url: unwrapRedirect(link),
      canonicalUrl: identity.canonicalUrl,
      title: item.title,
      published: item.published ?? item.updated ?? null,
      feedContent: item.content || item.summary,
      guid: identity.guid,
      contentHash: identity.contentHash,
      isUpdate: outcome !== 'new',
      previousCanonicalUrl: outcome === 'moved' ? (known?.canonicalUrl ?? null) : null,
      version: outcome === 'new' ? 0 : (known?.updatedCount ?? 0) + 1,
    });
  }
  return { refs, elsewhere };
}

/** Tells every configured channel that a feed keeps failing; a failed notice never hides the feed error. */
async function notifyFeedFailing(ctx: PipelineContext, feed: FeedRecord): Promise<void> {
  const notice = buildFeedFailureNotice(feed);
  const recipients = ctx.settings.ALERT_EMAIL_TO;
  try {
    if (ctx.settings.SLACK_WEBHOOK_URL) {
      await sendSlack(ctx.settings.SLACK_WEBHOOK_URL, notice.slack, {
        timeoutMs: ctx.settings.FETCH_TIMEOUT_MS,
      });
    }
    if (ctx.mailer && recipients.length > 0) await sendDigestEmail(ctx.mailer, notice.email, recipients);
    await markFailureAlerted(ctx.db, feed.id, ctx.now().toISOString());
    ctx.log.warn(
      { feed_id: feed.id, feed_url: feed.url, score: feed.failureScore },
      'feed failing: people notified',
    );
  } catch (error) {
    ctx.log.error({ feed_id: feed.id, err: describeError(error) }, 'feed failing: notice not delivered');
  }
}

export interface ProcessOptions {
  /**
   * Rethrow a transient page failure (timeout, 5xx, 429 with Retry-After) so that the job is retried
   * later, instead of settling for the feed's shorter text. Workers set it while attempts remain;
   * a single pass (`run --once`) takes what it can get now. @defaultValue false
   */
  retryTransient?: boolean;
}

/** Fetches and extracts the page (falling back to the feed's own content), then tags it. */
export async function processArticle(
  ctx: PipelineContext,
  ref: ArticleRef,
  opts: ProcessOptions = {},
): Promise<TaggedArticle> {
  let extracted: ExtractedArticle | null = null;
  let pageProblem: unknown = null;
  const pageFailed = (error: unknown) => {
    if (opts.retryTransient && error instanceof PipelineError && !error.permanent) throw error;
    pageProblem = error;
  };
  const response = await fetchUrl(ref.url, fetchOptions(ctx, ctx.settings.PAGE_MAX_BYTES)).catch(pageFailed);
  if (response) {
    // Outside the page's failures: a database that cannot keep the page is not a reason to settle for
    // the feed's text (a PostgreSQL outage once stored 219 summaries); the step fails and is retried.
    if (ctx.settings.RETAIN_RAW_HTML) {
      await saveRawPage(ctx.db, {
        canonicalUrl: ref.canonicalUrl,
        url: response.url,
        contentType: response.headers['content-type'] ?? null,
        fetchedAt: ctx.now().toISOString(),
        body: response.body,
      });
    }
    try {
      extracted = await ctx.extract(
        decodePage(response.body, response.headers['content-type']),
        response.url,
      );
    } catch (error) {
      pageFailed(error);
    }
  }
  const feedText = textFromHtml(ref.feedContent);
  const chosen = chooseArticleText(extracted, feedText);
  if (chosen.text.trim().length === 0) {
    throw new PipelineError({
      code: 'EXTRACT_FAILED',
      stage: 'extract',
      culprit: ref.url,
      detail: `no article text: ${pageProblem ? describeError(pageProblem) : 'page has no readable body'} and the feed carries no content`,
      permanent: pageProblem instanceof PipelineError ? pageProblem.permanent : true,
      cause: pageProblem,
    });
  }
  const sourceReason =
    chosen.source === 'page'
      ? null
      : pageProblem
        ? describeError(pageProblem)
        : extracted
          ? 'the page holds less text than the feed (a teaser or a paywall)'
          : 'the page has no readable body';
  if (sourceReason !== null) {
    ctx.log.warn(
      { article_url: ref.url, feed_id: ref.feedId, reason: sourceReason },
      "the feed's text stands in for the page",
    );
  }
  const { source, text } = chosen;
  const title = (source === 'page' && extracted?.title) || ref.title;
  const published = ref.published ?? extracted?.published ?? null;
  return {
    feedId: ref.feedId,
    url: ref.url,
    canonicalUrl: ref.canonicalUrl,
    title,
    byline: extracted?.byline ?? null,
    lang: extracted?.lang ?? null,
    text,
    published,
    fetchedAt: ctx.now().toISOString(),
    source,
    sourceReason,
    tags: tagArticle({ title, text, published }, ctx.matcher()),
    guid: ref.guid,
    contentHash: ref.contentHash,
    isUpdate: ref.isUpdate,
    previousCanonicalUrl: ref.previousCanonicalUrl,
    version: ref.version,
  };
}

export interface StoredOutcome {
  articleId: number;
  isNew: boolean;
  storyId: number;
  /** Articles in the story, this one included (syndicated copies from several feeds). */
  storySources: number;
  /** What the story carries now (see src/stories/story-tags-key.ts). */
  tagsKey: string;
}

/**
 * Upserts the article (moving it when its URL changed under the same guid) and files it under its
 * story cluster. The item stays pending in the ledger until `commitStored`.
 */
export async function storeArticle(ctx: PipelineContext, article: TaggedArticle): Promise<StoredOutcome> {
  const at = ctx.now().toISOString();
  const { articleId, isNew } = await upsertArticle(ctx.db, article);
  const signature = textSignature(`${article.title}\n${article.text}`);
  const story = await assignStory(ctx.db, { articleId, title: article.title, signature, at });
  const tagsKey = await loadStoryTagsKey(ctx.db, story.storyId);
  ctx.log.info(
    {
      article_url: article.url,
      feed_id: article.feedId,
      article_id: articleId,
      story_id: story.storyId,
      is_new: isNew,
      version: article.version ?? 0,
      source: article.source,
      relevant: article.tags.relevant,
    },
    isNew ? 'article stored' : 'article updated',
  );
  return { articleId, isNew, storyId: story.storyId, storySources: story.sources, tagsKey };
}

/**
 * The stored version and the alerts it planned enter the ledger together: the item is done and its
 * alerts pending, in one transaction. A crash before it leaves the item pending, and the reconciler
 * processes it again (every step is idempotent); after it, the alerts are never lost.
 */
export async function commitStored(
  ctx: PipelineContext,
  article: TaggedArticle,
  planned: readonly { key: string; job: AlertJob }[],
): Promise<{ seenToStoredMs: number | null }> {
  const at = ctx.now().toISOString();
  const seen = await ctx.db.transaction(async (tx) => {
    await recordPlannedAlerts(tx, planned, at);
    return markItemStored(tx, {
      feedId: article.feedId,
      canonicalUrl: article.canonicalUrl,
      contentHash: article.contentHash ?? '',
      at,
    });
  });
  return { seenToStoredMs: seen ? Date.parse(at) - Date.parse(seen.seenAt) : null };
}

/** The delivery of a planned alert was decided (sent, already sent, held, no longer firing). */
export async function recordAlertDecided(ctx: PipelineContext, key: string): Promise<void> {
  await markPlannedAlertDone(ctx.db, key);
}

/**
 * Work on an item failed for good in the queue: the ledger keeps it pending (tried again in hours) or,
 * when the failure is permanent, failed with its reason. Never throws: the queue's own failure record
 * stands when the database is the thing that is down, and the item is still pending.
 */
export async function recordItemWorkFailed(
  ctx: PipelineContext,
  item: { feedId: string; canonicalUrl: string; contentHash?: string },
  error: unknown,
  permanent: boolean,
): Promise<void> {
  await recordItemFailure(ctx.db, {
    feedId: item.feedId,
    canonicalUrl: item.canonicalUrl,
    contentHash: item.contentHash ?? '',
    error: describeError(error),
    permanent,
    at: ctx.now().toISOString(),
    redriveBaseMs: ctx.settings.REDRIVE_BACKOFF_MS,
  }).catch((e: unknown) =>
    ctx.log.error({ article_url: item.canonicalUrl, err: describeError(e) }, 'ledger: failure not recorded'),
  );
}

/** As recordItemWorkFailed, for a planned alert. */
export async function recordAlertWorkFailed(
  ctx: PipelineContext,
  key: string,
  error: unknown,
  permanent: boolean,
): Promise<void> {
  await recordPlannedAlertFailure(ctx.db, {
    key,
    error: describeError(error),
    permanent,
    at: ctx.now().toISOString(),
    redriveBaseMs: ctx.settings.REDRIVE_BACKOFF_MS,
  }).catch((e: unknown) =>
    ctx.log.error({ job_id: key, err: describeError(e) }, 'ledger: failure not recorded'),
  );
}

/** Items and alerts a reconciler pass queues again, at most this many of each. */
export const RECONCILE_BATCH = 500;

/**
 * What the ledger holds that no job may be working on: items and alerts pending for longer than
 * `afterMs` without a next try set, and those whose next try is due.
 */
export async function dueWork(
  ctx: PipelineContext,
  afterMs: number,
): Promise<{ items: ArticleRef[]; alerts: AlertJob[] }> {
  const now = ctx.now();
  const due = {
    now: now.toISOString(),
    staleBefore: new Date(now.getTime() - afterMs).toISOString(),
    limit: RECONCILE_BATCH,
  };
  return { items: await listDueItems(ctx.db, due), alerts: await listDuePlannedAlerts(ctx.db, due) };
}

/** The channels that are configured; a rule naming an unconfigured channel is skipped for it. */
export function configuredChannels(ctx: PipelineContext): Set<Channel> {
  const channels = new Set<Channel>();
  if (ctx.settings.SLACK_WEBHOOK_URL) channels.add('slack');
  if (ctx.mailer && ctx.settings.ALERT_EMAIL_TO.length > 0) channels.add('email');
  if (ctx.settings.WEBHOOK_URL && ctx.settings.WEBHOOK_SECRET) channels.add('webhook');
  return channels;
}

/**
 * The alerts a stored copy plans: one per (rule it fires, configured channel), naming its story and
 * what the story carries now. The message itself is composed when it is sent (deliverAlert).
 */
export function planAlerts(ctx: PipelineContext, article: TaggedArticle, stored: StoredOutcome): AlertJob[] {
  const channels = configuredChannels(ctx);
  const rules = ctx.alerts.rules;
  const jobs: AlertJob[] = [];
  for (const match of matchRules(article, [...rules])) {
    const rule = rules.find((r) => r.id === match.ruleId);
    for (const channel of rule?.channels ?? []) {
      if (!channels.has(channel)) continue;
      jobs.push({
        ruleId: match.ruleId,
        channel,
        storyId: stored.storyId,
        tagsKey: stored.tagsKey,
        articleId: stored.articleId,
      });
    }
  }
  return jobs;
}

/**
 * 'not-firing': no copy of the story fires the rule any more (an edit took out what made it fire),
 * or the rule was removed; 'already-sent': this story with what it carries now was sent (or held).
 */
export type DeliveryOutcome = 'sent' | 'already-sent' | 'held' | 'not-firing';

/**
 * How long a claim to send stays with the worker that made it: a send takes at most the fetch timeout
 * (Slack, webhook) or the SMTP socket timeout (30 s); twice the longer one, so a live sender is never
 * overtaken, and a dead one frees the delivery within minutes.
 */
function deliveryLeaseMs(ctx: PipelineContext): number {
  return 2 * Math.max(ctx.settings.FETCH_TIMEOUT_MS, 30_000);
}

function feedTitles(ctx: PipelineContext): Record<string, string> {
  const titles: Record<string, string> = {};
  for (const feed of ctx.feeds.values()) titles[feed.id] = feed.title ?? feed.id;
  return titles;
}

/**
 * Delivers one alert at most once per (rule, channel, story, what the story carries), however often
 * the job runs and however many copies of the story arrive: the message is composed now from every
 * copy stored by then (the earliest published copy that fires the rule is featured, the others are
 * listed), so which copy's job runs first makes no difference; the story alerts again only when the
 * actors or phases it carries change.
 */
export async function deliverAlert(ctx: PipelineContext, job: AlertJob): Promise<DeliveryOutcome> {
  const rule: AlertRule | undefined = ctx.alerts.rules.find((r) => r.id === job.ruleId);
  if (!rule) return 'not-firing';
  const copies = await listStoryArticles(ctx.db, job.storyId);
  const message = composeAlert({
    rule,
    channel: job.channel,
    copies,
    names: ctx.names,
    feedTitles: feedTitles(ctx),
  });
  if (!message) return 'not-firing';
  const tagsKey = storyTagsKey(
    copies.flatMap((c) => [
      ...c.actors.map((t) => ({ kind: 'actor' as const, id: t.id })),
      ...c.phases.map((t) => ({ kind: 'phase' as const, id: t.id })),
    ]),
  );
  const now = ctx.now().toISOString();
  const claim = await claimDelivery(
    ctx.db,
    {
      ruleId: job.ruleId,
      articleId: message.article.articleId,
      channel: job.channel,
      deliveryKey: `story:${job.storyId}|${tagsKey}`,
      storyId: job.storyId,
    },
    { at: now, leaseMs: deliveryLeaseMs(ctx) },
  );
  if (claim.state === 'sent' || claim.state === 'held') return 'already-sent';
  if (claim.state === 'in-flight') {
    // Another worker is sending this very delivery; come back when its claim ends, without spending
    // an attempt, and find it sent (or take it over if that worker died).
    throw new PipelineError({
      code: 'ALERT_FAILED',
      stage: 'alerts',
      culprit: `rule ${job.ruleId}/${job.channel} story ${job.storyId}`,
      detail: 'being sent by another worker',
      retryAfterMs: claim.retryAfterMs,
    });
  }
  if (await mustHold(ctx, job.ruleId, job.channel)) {
    await markDeliveryHeld(ctx.db, claim.deliveryId, now);
    return 'held';
  }
  try {
    await sendMessage(ctx, job.channel, message);
  } catch (error) {
    await markDeliveryFailed(ctx.db, claim.deliveryId, describeError(error));
    throw error;
  }
  // The message is out: from here a lost write means a second message once the lease ends (the one
  // duplicate window). The database being down for minutes must not open it, so the write is tried
  // until it lands, for as long as an outage of the store is worth waiting out.
  const sentAt = ctx.now().toISOString();
  const evidence = message.evidence.join(' … ') || null;
  await pRetry(() => markDeliverySent(ctx.db, claim.deliveryId, sentAt, evidence), {
    retries: MARK_SENT_RETRIES,
    minTimeout: 500,
    maxTimeout: 15_000,
    onFailedAttempt: (failure) =>
      ctx.log.warn(
        { rule_id: job.ruleId, channel: job.channel, story_id: job.storyId, err: failure.message },
        'alert sent but not yet recorded: trying again',
      ),
  });
  ctx.log.info(
    {
      rule_id: job.ruleId,
      channel: job.channel,
      story_id: job.storyId,
      article_url: message.article.url,
      other_sources: message.otherSources.length,
    },
    'alert sent',
  );
  return 'sent';
}

async function sendMessage(ctx: PipelineContext, channel: Channel, message: AlertMessage): Promise<void> {
  if (channel === 'slack') {
    const webhook = ctx.settings.SLACK_WEBHOOK_URL;
    if (!webhook) throw missingChannel(message.ruleId, 'SLACK_WEBHOOK_URL is not set');
    await sendSlack(webhook, buildSlackMessage(message), { timeoutMs: ctx.settings.FETCH_TIMEOUT_MS });
  } else if (channel === 'webhook') {
    const { WEBHOOK_URL: url, WEBHOOK_SECRET: secret } = ctx.settings;
    if (!url || !secret)
      throw missingChannel(message.ruleId, 'WEBHOOK_URL and WEBHOOK_SECRET must both be set');
    const payload = buildWebhookPayload(message, ctx.now().toISOString());
    await sendWebhook(url, payload, { secret, timeoutMs: ctx.settings.FETCH_TIMEOUT_MS });
  } else {
    if (!ctx.mailer) throw missingChannel(message.ruleId, 'SMTP_URL is not set');
    await sendAlertEmail(ctx.mailer, message);
  }
}

const HOUR_MS = 3_600_000;
/**
 * Tries of recording a sent alert: with waits growing from 0.5 s to 15 s, 40 tries span about ten
 * minutes, past a PostgreSQL restart or a five-minute outage.
 */
const MARK_SENT_RETRIES = 40;

/** A rule in its quiet hours, or at its hourly limit on this channel, holds its alerts for a summary. */
async function mustHold(ctx: PipelineContext, ruleId: string, channel: Channel): Promise<boolean> {
  const rule = ctx.alerts.rules.find((r) => r.id === ruleId);
  if (!rule) return false;
  const now = ctx.now();
  if (isQuietTime(rule.quietHours, now, ctx.alerts.digest.timezone)) return true;
  if (rule.maxPerHour === undefined) return false;
  const sent = await countMessagesSince(
    ctx.db,
    ruleId,
    channel,
    new Date(now.getTime() - HOUR_MS).toISOString(),
  );
  return sent >= rule.maxPerHour;
}

/**
 * Sends the held alerts of each rule and channel as one summary message, once the rule is out of its
 * quiet hours and under its hourly limit. Run every few minutes (a job scheduler) and after `run --once`.
 */
export async function flushHeldAlerts(ctx: PipelineContext): Promise<{ summaries: number; alerts: number }> {
  const held = await listHeldAlerts(ctx.db);
  const groups = new Map<string, typeof held>();
  for (const alert of held) {
    const key = `${alert.ruleId}\n${alert.channel}`;
    groups.set(key, [...(groups.get(key) ?? []), alert]);
  }
  let summaries = 0;
  let alerts = 0;
  for (const items of groups.values()) {
    const first = items[0];
    if (!first) continue;
    const channel = first.channel as Channel;
    if (await mustHold(ctx, first.ruleId, channel)) continue;
    const summary = buildHeldSummary(first.ruleId, items);
    if (channel === 'slack' && ctx.settings.SLACK_WEBHOOK_URL) {
      await sendSlack(ctx.settings.SLACK_WEBHOOK_URL, summary.slack, {
        timeoutMs: ctx.settings.FETCH_TIMEOUT_MS,
      });
    } else if (channel === 'email' && ctx.mailer && ctx.settings.ALERT_EMAIL_TO.length > 0) {
      await sendDigestEmail(ctx.mailer, summary.email, ctx.settings.ALERT_EMAIL_TO);
    } else if (channel === 'webhook' && ctx.settings.WEBHOOK_URL && ctx.settings.WEBHOOK_SECRET) {
      await sendWebhook(ctx.settings.WEBHOOK_URL, summary.webhook, {
        secret: ctx.settings.WEBHOOK_SECRET,
        timeoutMs: ctx.settings.FETCH_TIMEOUT_MS,
      });
    } else {
      continue;
    }
    // One sent_at for the whole summary: it counts as one message against the hourly limit.
    const at = ctx.now().toISOString();
    for (const item of items) await markDeliverySent(ctx.db, item.deliveryId, at);
    summaries++;
    alerts += items.length;
  }
  return { summaries, alerts };
}

function missingChannel(ruleId: string, detail: string): PipelineError {
  return new PipelineError({
    code: 'ALERT_FAILED',
    stage: 'alerts',
    culprit: `rule ${ruleId}`,
    detail,
    permanent: true,
  });
}

export interface DigestOutcome {
  day: string;
  articles: number;
  markdownPath: string;
  htmlPath: string;
  emailed: boolean;
}

/** The local day before `now` in the digest's time zone: what the 07:00 run reports on. */
export function previousLocalDay(now: Date, timezone: string): string {
  return DateTime.fromJSDate(now, { zone: timezone }).minus({ days: 1 }).toISODate() ?? '';
}

/**
 * Builds, writes (Markdown, HTML, JSON) and emails the digest of one local day, or of the week ending
 * with that day: counts against the period before, and a chart of the last 7 days.
 */
export async function buildDailyDigest(
  ctx: PipelineContext,
  day: string,
  period: 'daily' | 'weekly' = 'daily',
): Promise<DigestOutcome> {
  const { timezone } = ctx.alerts.digest;
  const end = DateTime.fromISO(day, { zone: timezone }).startOf('day').plus({ days: 1 });
  if (!end.isValid) {
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'digest',
      culprit: day,
      detail: 'not a date (YYYY-MM-DD)',
      permanent: true,
    });
  }
  const days = period === 'weekly' ? 7 : 1;
  const start = end.minus({ days });
  const previousStart = start.minus({ days });
  const chartStart = end.minus({ days: CHART_DAYS });
  // One query covers the period, the period before (deltas) and the chart's days.
  const from = previousStart < chartStart ? previousStart : chartStart;
  const stored = await listArticlesBetween(ctx.db, from.toUTC().toISO() ?? '', end.toUTC().toISO() ?? '');
  const toDigestArticle = (a: StoredArticle): DigestArticle & { fetchedAt: string } => ({
    title: a.title,
    url: a.url,
    feedId: a.feedId,
    published: a.published,
    fetchedAt: a.fetchedAt,
    relevant: a.relevant,
    actors: a.actors,
    phases: a.phases,
    storyId: a.storyId === null ? null : String(a.storyId),
  });
  const all = stored.map(toDigestArticle);
  const at = (a: { published: string | null; fetchedAt: string }) =>
    DateTime.fromISO(a.published ?? a.fetchedAt, { zone: timezone });
  const articles = all.filter((a) => at(a) >= start && at(a) < end);
  const previous = countStoriesByTag(all.filter((a) => at(a) >= previousStart && at(a) < start));
  const history = mentionHistory(all, chartStart.toISODate() ?? day, day, timezone);
  const digest = buildDigest({ day, timezone, period, articles, names: ctx.names, previous, history });
  const markdown = renderDigestMarkdown(digest);
  const html = renderDigestHtml(digest);
  await mkdir(ctx.settings.DIGEST_DIR, { recursive: true });
  const base = path.join(
    ctx.settings.DIGEST_DIR,
    period === 'weekly' ? `digest-week-${day}` : `digest-${day}`,
  );
  const markdownPath = `${base}.md`;
  const htmlPath = `${base}.html`;
  await writeFile(markdownPath, markdown);
  await writeFile(htmlPath, html);
  await writeFile(`${base}.json`, renderDigestJson(digest));
  // One email per recipient group that wants this period (or to the default recipients).
  const { groups } = ctx.alerts.digest;
  const fallback = ctx.settings.DIGEST_EMAIL_TO ?? ctx.settings.ALERT_EMAIL_TO;
  const mailings =
    groups.length > 0 ? groups.filter((g) => g.periods.includes(period)).map((g) => g.to) : [fallback];
  let emailed = false;
  for (const to of mailings) {
    if (!ctx.mailer || to.length === 0) continue;
    await sendDigestEmail(ctx.mailer, { subject: digestSubject(digest), text: markdown, html }, to);
    emailed = true;
  }
  await recordDigest(ctx.db, { day, timezone, markdownPath, htmlPath, emailed, period });
  return { day, articles: articles.length, markdownPath, htmlPath, emailed };
}
