/**
 * Feed rows: `config/feeds.yaml` owns what a feed is (url, title, interval, labels); this table adds
 * how it has been doing (validators for conditional GET, body hash, last fetch, failure streak and
 * score, next poll, last failure alert). The health arithmetic is `src/feeds/feed-health.ts`; this file
 * only stores its results.
 */
import type { FeedConfig } from '../model.ts';
import { PipelineError } from '../errors.ts';
import { toIso, type Db } from './db.ts';

export type FeedStatus = 'ok' | 'failing' | 'new';

/** One feed as stored, with ISO 8601 strings for instants. */
export interface FeedRecord {
  id: string;
  url: string;
  title: string | null;
  intervalMinutes: number;
  labels: string[];
  etag: string | null;
  lastModified: string | null;
  lastFetchedAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  status: FeedStatus;
  /** Graded failure score (feed-health.ts); 0 when healthy. */
  failureScore: number;
  /** When the feed is due again after a backoff; null = on its normal interval. */
  nextPollAt: string | null;
  /** HTTP status of the last answer (200, 304, 404, …); null after a network failure or never fetched. */
  lastStatus: number | null;
  /** Hash of the last parsed body, to skip the parse when a server changes its ETag but not the feed. */
  lastBodyHash: string | null;
  /** When the last sustained-failure alert was sent. */
  failureAlertedAt: string | null;
  /** When someone paused the feed (dashboard, `cli feeds pause`); null = polled. */
  pausedAt: string | null;
}

interface FeedRow {
  id: string;
  url: string;
  title: string | null;
  interval_minutes: number;
  labels: string[];
  etag: string | null;
  last_modified: string | null;
  last_fetched_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  consecutive_failures: number;
  status: FeedStatus;
  failure_score: number;
  next_poll_at: Date | null;
  last_status: number | null;
  last_body_hash: string | null;
  failure_alerted_at: Date | null;
  paused_at: Date | null;
}

/**
 * Writes every configured feed: config fields are overwritten, health columns kept. Feeds that left
 * the config stay (their articles reference them). When a feed's URL changes its ETag, Last-Modified
 * and body hash are dropped, since they were the old URL's.
 *
 * @example
 * await upsertFeeds(db, [{ id: 'bbc-world', url: 'https://feeds.bbci.co.uk/news/world/rss.xml', intervalMinutes: 15, labels: [] }]);
 */
export async function upsertFeeds(db: Db, feeds: readonly FeedConfig[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const feed of feeds) {
      await tx.query(
        `insert into feeds (id, url, title, interval_minutes, labels)
         values ($1, $2, $3, $4, $5::jsonb)
         on conflict (id) do update set
           url = excluded.url,
           title = excluded.title,
           interval_minutes = excluded.interval_minutes,
           labels = excluded.labels,
           etag = case when feeds.url = excluded.url then feeds.etag end,
           last_modified = case when feeds.url = excluded.url then feeds.last_modified end,
           last_body_hash = case when feeds.url = excluded.url then feeds.last_body_hash end`,
        [feed.id, feed.url, feed.title ?? null, feed.intervalMinutes, JSON.stringify(feed.labels)],
      );
    }
  });
}

/** What a successful fetch (200 or 304) leaves behind; the fields after `at` are optional. */
export interface FeedSuccess {
  etag: string | null;
  lastModified: string | null;
  at: string;
  /** HTTP status (200, 304); kept unchanged when not given. */
  status?: number;
  /** Hash of the body just parsed; kept unchanged when not given (a 304 has no body). */
  bodyHash?: string | null;
  /** Next poll from feed-health's `nextHealth`; not given = none pending (normal interval). */
  nextPollAt?: string | null;
  /**
   * Forget the validators and the body hash, so that the next poll downloads and reads the feed again
   * even if it has not changed: items past the per-poll cap are still to be followed.
   */
  forgetValidators?: boolean;
}

/**
 * Records a fetch that worked (200 or 304): stores the validators and body hash, resets the failure
 * streak and score, clears any backoff. A null validator keeps the previous one, since a 304 need not
 * repeat it.
 *
 * @example
 * await recordFeedSuccess(db, 'bbc-world', { etag: '"abc"', lastModified: null, at: new Date().toISOString() });
 */
export async function recordFeedSuccess(db: Db, feedId: string, result: FeedSuccess): Promise<FeedRecord> {
  const rows = await db.query<FeedRow>(
    `update feeds set
       etag = case when $8 then null else coalesce($2, etag) end,
       last_modified = case when $8 then null else coalesce($3, last_modified) end,
       last_fetched_at = $4,
       last_success_at = $4,
       last_error = null,
       consecutive_failures = 0,
       status = 'ok',
       failure_score = 0,
       next_poll_at = $5,
       last_status = coalesce($6, last_status),
       last_body_hash = case when $8 then null else coalesce($7, last_body_hash) end
     where id = $1
     returning *`,
    [
      feedId,
      result.etag,
      result.lastModified,
      result.at,
      result.nextPollAt ?? null,
      result.status ?? null,
      result.bodyHash ?? null,
      result.forgetValidators === true,
    ],
  );
  return oneFeed(rows, feedId);
}

/** What a failed fetch leaves behind; the fields after `at` are optional. */
export interface FeedFailure {
  error: string;
  at: string;
  /** HTTP status when the server answered; not given = none (network failure). */
  status?: number | null;
  /** The new failure score from feed-health's `nextHealth`; kept unchanged when not given. */
  score?: number;
  /** The backed-off next poll from `nextHealth`; kept unchanged when not given. */
  nextPollAt?: string | null;
}

/**
 * Records a failed fetch: one more consecutive failure, status 'failing', the error line, the HTTP
 * status, and the score and next poll the caller computed with `nextHealth`.
 *
 * @example
 * const { consecutiveFailures } = await recordFeedFailure(db, 'bbc-world', { error: 'http: 503', at });
 */
export async function recordFeedFailure(db: Db, feedId: string, failure: FeedFailure): Promise<FeedRecord> {
  const rows = await db.query<FeedRow>(
    `update feeds set
       last_fetched_at = $3,
       last_error = $2,
       consecutive_failures = consecutive_failures + 1,
       status = 'failing',
       last_status = $4,
       failure_score = coalesce($5, failure_score),
       next_poll_at = coalesce($6, next_poll_at)
     where id = $1
     returning *`,
    [
      feedId,
      failure.error,
      failure.at,
      failure.status ?? null,
      failure.score ?? null,
      failure.nextPollAt ?? null,
    ],
  );
  return oneFeed(rows, feedId);
}

/**
 * Records that a sustained-failure alert went out for this feed (see feed-health's
 * `needsFailureAlert`), so the next poll does not send another one.
 *
 * @example
 * if (needsFailureAlert(feed, feed.failureAlertedAt, now)) { await notify(feed); await markFailureAlerted(db, feed.id, now.toISOString()); }
 */
export async function markFailureAlerted(db: Db, feedId: string, at: string): Promise<FeedRecord> {
  const rows = await db.query<FeedRow>('update feeds set failure_alerted_at = $2 where id = $1 returning *', [
    feedId,
    at,
  ]);
  return oneFeed(rows, feedId);
}

/**
 * Pauses a feed (`at` = now) or resumes it (`at` = null); returns null for an unknown feed. Pausing a
 * paused feed keeps the first pause time. Resuming clears the backoff, so the feed is polled at its
 * next scheduled turn, as after a fresh start.
 *
 * @example
 * await setFeedPaused(db, 'bbc-world', new Date().toISOString()); // paused
 * await setFeedPaused(db, 'bbc-world', null); // polled again
 */
export async function setFeedPaused(db: Db, id: string, at: string | null): Promise<FeedRecord | null> {
  const rows = await db.query<FeedRow>(
    `update feeds set
       paused_at = case when $2::timestamptz is null then null else coalesce(paused_at, $2::timestamptz) end,
       next_poll_at = case when $2::timestamptz is null then null else next_poll_at end
     where id = $1 returning *`,
    [id, at],
  );
  return rows[0] ? toFeedRecord(rows[0]) : null;
}

/** The feed with this id, or null. */
export async function getFeed(db: Db, id: string): Promise<FeedRecord | null> {
  const rows = await db.query<FeedRow>('select * from feeds where id = $1', [id]);
  return rows[0] ? toFeedRecord(rows[0]) : null;
}

/** Every stored feed, by id. */
export async function listFeeds(db: Db): Promise<FeedRecord[]> {
  const rows = await db.query<FeedRow>('select * from feeds order by id');
  return rows.map(toFeedRecord);
}

function oneFeed(rows: FeedRow[], feedId: string): FeedRecord {
  if (!rows[0]) {
    throw new PipelineError({
      code: 'STORE_FAILED',
      stage: 'store',
      culprit: `feeds ${feedId}`,
      detail: 'no such feed (upsertFeeds runs at start: is it in feeds.yaml?)',
      permanent: true,
    });
  }
  return toFeedRecord(rows[0]);
}

function toFeedRecord(row: FeedRow): FeedRecord {
  return {
    id: row.id,
    url: row.url,
    title: row.title,
    intervalMinutes: row.interval_minutes,
    labels: row.labels,
    etag: row.etag,
    lastModified: row.last_modified,
    lastFetchedAt: toIso(row.last_fetched_at),
    lastSuccessAt: toIso(row.last_success_at),
    lastError: row.last_error,
    consecutiveFailures: row.consecutive_failures,
    status: row.status,
    failureScore: Number(row.failure_score),
    nextPollAt: toIso(row.next_poll_at),
    lastStatus: row.last_status,
    lastBodyHash: row.last_body_hash,
    failureAlertedAt: toIso(row.failure_alerted_at),
    pausedAt: toIso(row.paused_at),
  };
}
