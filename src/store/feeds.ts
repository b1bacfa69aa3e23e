/**
 * Feed rows: `config/feeds.yaml` owns what a feed is (url, title, interval, labels); this table adds
 * how it has been doing (validators for conditional GET, last fetch, failure streak).
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
}

/**
 * Writes every configured feed: config fields are overwritten, health columns kept. Feeds that left
 * the config stay (their articles reference them). When a feed's URL changes its ETag and
 * Last-Modified are dropped, since they were the old URL's.
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
           last_modified = case when feeds.url = excluded.url then feeds.last_modified end`,
        [feed.id, feed.url, feed.title ?? null, feed.intervalMinutes, JSON.stringify(feed.labels)],
      );
    }
  });
}

/**
 * Records a fetch that worked (200 or 304): stores the validators, resets the failure streak. A null
 * validator keeps the previous one, since a 304 need not repeat it.
 *
 * @example
 * await recordFeedSuccess(db, 'bbc-world', { etag: '"abc"', lastModified: null, at: new Date().toISOString() });
 */
export async function recordFeedSuccess(
  db: Db,
  feedId: string,
  result: { etag: string | null; lastModified: string | null; at: string },
): Promise<FeedRecord> {
  const rows = await db.query<FeedRow>(
    `update feeds set
       etag = coalesce($2, etag),
       last_modified = coalesce($3, last_modified),
       last_fetched_at = $4,
       last_success_at = $4,
       last_error = null,
       consecutive_failures = 0,
       status = 'ok'
     where id = $1
     returning *`,
    [feedId, result.etag, result.lastModified, result.at],
  );
  return oneFeed(rows, feedId);
}

/**
 * Records a failed fetch: one more consecutive failure, status 'failing', the error line kept.
 *
 * @example
 * const { consecutiveFailures } = await recordFeedFailure(db, 'bbc-world', { error: 'http: 503', at });
 */
export async function recordFeedFailure(
  db: Db,
  feedId: string,
  failure: { error: string; at: string },
): Promise<FeedRecord> {
  const rows = await db.query<FeedRow>(
    `update feeds set
       last_fetched_at = $3,
       last_error = $2,
       consecutive_failures = consecutive_failures + 1,
       status = 'failing'
     where id = $1
     returning *`,
    [feedId, failure.error, failure.at],
  );
  return oneFeed(rows, feedId);
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
  };
}
