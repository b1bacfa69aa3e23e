/**
 * Every feed item ever seen, per feed (`feed_items`), so that a poll can tell new items from known
 * ones, known ones from edited ones, and items another feed already brought; see
 * src/feeds/item-identity.ts for why it takes URL, guid and hash.
 */
import type { ItemIdentity, ItemOutcome, KnownItem } from '../feeds/item-identity.ts';
import { PipelineError } from '../errors.ts';
import { ArticleRefSchema, type ArticleRef } from '../model.ts';
import { toIso, type Db } from './db.ts';

interface KnownRow {
  canonical_url: string;
  guid: string | null;
  content_hash: string;
  updated_count: number;
}

const COLUMNS = 'canonical_url, guid, content_hash, updated_count';

/**
 * What was stored about an item, in this order:
 * 1. this feed's row for the canonical URL;
 * 2. this feed's row for the guid under another URL (the site rewrote the slug: the item moved);
 *    when several rows share the guid, the most recently seen one answers;
 * 3. another feed's row for the canonical URL (`elsewhere`: the same page syndicated into another
 *    feed, or linked by an aggregator).
 * Null when none matches.
 *
 * @example
 * const known = await findKnownItem(db, { feedId: 'bbc-world', canonicalUrl: identity.canonicalUrl, guid: identity.guid });
 * const outcome = classifyItem(identity, known);
 */
export async function findKnownItem(
  db: Db,
  item: { feedId: string; canonicalUrl: string; guid: string | null },
): Promise<KnownItem | null> {
  return (await findKnownItems(db, item.feedId, [item])).get(item.canonicalUrl) ?? null;
}

/** Items looked up per query by findKnownItems: one poll of a huge feed is a few queries, not 300,000. */
const LOOKUP_CHUNK = 1_000;

/**
 * {@link findKnownItem} for every item of one poll, in a few queries per thousand items: the same
 * answers, keyed by canonical URL. A feed of 100,000 items took 50 s to read one item at a time.
 *
 * @example
 * const known = await findKnownItems(db, 'bbc-world', identities);
 * classifyItem(identity, known.get(identity.canonicalUrl) ?? null);
 */
export async function findKnownItems(
  db: Db,
  feedId: string,
  items: readonly { canonicalUrl: string; guid: string | null }[],
): Promise<Map<string, KnownItem | null>> {
  const known = new Map<string, KnownItem | null>();
  for (let start = 0; start < items.length; start += LOOKUP_CHUNK) {
    const chunk = items.slice(start, start + LOOKUP_CHUNK);
    const own = await db.query<KnownRow>(
      `select ${COLUMNS} from feed_items where feed_id = $1 and canonical_url = any($2::text[])`,
      [feedId, chunk.map((i) => i.canonicalUrl)],
    );
    const ownByUrl = new Map(own.map((row) => [row.canonical_url, row]));
    const guids = chunk
      .filter((i) => !ownByUrl.has(i.canonicalUrl) && i.guid !== null)
      .map((i) => i.guid as string);
    const byGuid = new Map<string, KnownRow>();
    if (guids.length > 0) {
      const rows = await db.query<KnownRow>(
        `select distinct on (guid) ${COLUMNS} from feed_items
         where feed_id = $1 and guid = any($2::text[])
         order by guid, last_seen_at desc, canonical_url`,
        [feedId, guids],
      );
      for (const row of rows) if (row.guid !== null) byGuid.set(row.guid, row);
    }
    const rest = chunk.filter(
      (i) => !ownByUrl.has(i.canonicalUrl) && (i.guid === null || !byGuid.has(i.guid)),
    );
    const elsewhere = new Map<string, KnownRow>();
    if (rest.length > 0) {
      const rows = await db.query<KnownRow>(
        `select distinct on (canonical_url) ${COLUMNS} from feed_items
         where canonical_url = any($1::text[])
         order by canonical_url, first_seen_at, feed_id`,
        [rest.map((i) => i.canonicalUrl)],
      );
      for (const row of rows) elsewhere.set(row.canonical_url, row);
    }
    for (const item of chunk) {
      const mine =
        ownByUrl.get(item.canonicalUrl) ?? (item.guid !== null ? byGuid.get(item.guid) : undefined);
      const other = elsewhere.get(item.canonicalUrl);
      known.set(
        item.canonicalUrl,
        mine ? toKnownItem(mine, 'feed') : other ? toKnownItem(other, 'elsewhere') : null,
      );
    }
  }
  return known;
}

/**
 * Records that a feed carried an item at `at` with `outcome` (from `classifyItem`): inserts the
 * feed's row for the canonical URL or moves its `last_seen_at` forward, stores the current content
 * hash, and counts an 'updated' or 'moved' outcome in `updated_count`.
 *
 * A moved item (found by guid under another canonical URL) gets a row of its own under the new URL,
 * carrying the old row's `first_seen_at` and `updated_count`; the old row stays, so that another
 * feed or an aggregator still linking the old URL does not bring the article back as new. A guid is
 * only filled in, never replaced.
 *
 * @example
 * await recordItemSeen(db, { feedId: 'bbc-world', identity, at: '2025-10-12T09:00:00.000Z', outcome: 'new' });
 *
 * @throws PipelineError (permanent) when the identity has no canonical URL (an item without a link
 * cannot be fetched, so it is not tracked) or `feedId` is not a stored feed (SQLSTATE 23503).
 */
export async function recordItemSeen(
  db: Db,
  seen: {
    feedId: string;
    identity: ItemIdentity;
    at: string;
    outcome: ItemOutcome;
    /** The job that processes it: the item is recorded pending until `markItemStored`. */
    pending?: ArticleRef;
  },
): Promise<void> {
  const { feedId, identity, at, outcome } = seen;
  const pending = seen.pending ? JSON.stringify(seen.pending) : null;
  if (identity.canonicalUrl === '') {
    throw new PipelineError({
      code: 'STORE_FAILED',
      stage: 'store',
      culprit: feedId,
      detail: `feed item ${identity.guid ?? '(no guid)'} has no URL to record`,
      permanent: true,
    });
  }
  const increment = outcome === 'updated' || outcome === 'moved' ? 1 : 0;
  await db.query(
    `with previous as (
       select min(first_seen_at) as first_seen_at, max(updated_count) as updated_count
       from feed_items where feed_id = $2 and guid = $3::text
     )
     -- least() skips nulls: the guid's earliest sighting when there is one, else this one.
     insert into feed_items
       (canonical_url, feed_id, guid, content_hash, first_seen_at, last_seen_at, updated_count,
        state, ref, pending_since)
     select $1, $2, $3::text, $4, least(p.first_seen_at, $5::timestamptz), $5::timestamptz,
            coalesce(p.updated_count, 0) + $6::int,
            case when $7::jsonb is null then 'done' else 'pending' end, $7::jsonb,
            case when $7::jsonb is null then null else $5::timestamptz end
     from previous p
     on conflict (feed_id, canonical_url) do update set
       guid = coalesce(feed_items.guid, excluded.guid),
       content_hash = excluded.content_hash,
       first_seen_at = least(feed_items.first_seen_at, excluded.first_seen_at),
       last_seen_at = greatest(feed_items.last_seen_at, excluded.last_seen_at),
       updated_count = feed_items.updated_count + $6::int,
       -- A new version to process is pending again; a sighting without one leaves the state alone.
       state = case when $7::jsonb is null then feed_items.state else 'pending' end,
       ref = coalesce($7::jsonb, feed_items.ref),
       pending_since = case when $7::jsonb is null then feed_items.pending_since else $5::timestamptz end,
       tries = case when $7::jsonb is null then feed_items.tries else 0 end,
       next_try_at = case when $7::jsonb is null then feed_items.next_try_at else null end,
       last_error = case when $7::jsonb is null then feed_items.last_error else null end`,
    [identity.canonicalUrl, feedId, identity.guid, identity.contentHash, at, increment, pending],
  );
}

/**
 * The item's version was stored: it leaves the ledger's pending list. A newer version recorded
 * meanwhile (another content hash) stays pending.
 *
 * @example
 * await markItemStored(db, { feedId: 'bbc-world', canonicalUrl, contentHash, at: now });
 */
export async function markItemStored(
  db: Db,
  item: { feedId: string; canonicalUrl: string; contentHash: string; at: string },
): Promise<{ seenAt: string } | null> {
  // When this version was seen (the poll that made it pending; its first sighting when it never was),
  // for the service's seen-to-stored latency; null when it was done already and nothing was stored.
  const rows = await db.query<{ seen_at: Date }>(
    `update feed_items set state = 'done', ref = null, tries = 0, next_try_at = null, last_error = null,
       stored_at = $4
     where feed_id = $1 and canonical_url = $2 and content_hash = $3 and state <> 'done'
     returning coalesce(pending_since, first_seen_at) as seen_at`,
    [item.feedId, item.canonicalUrl, item.contentHash, item.at],
  );
  const seenAt = toIso(rows[0]?.seen_at ?? null);
  return seenAt ? { seenAt } : null;
}

/**
 * How long a passing failure waits before the reconciler tries an item again: an hour, doubling with
 * each failed re-drive, at most a day. Hours, not seconds: the queue's own retries (about 75 s) are
 * spent by then, so the cause is an outage, and an outage is measured in hours.
 */
export function redriveDelayMs(tries: number, baseMs: number): number {
  const DAY_MS = 86_400_000;
  return Math.min(DAY_MS, baseMs * 2 ** Math.max(0, tries - 1));
}

/**
 * Work on an item failed for good in the queue. A permanent failure (a page gone, a feed item with no
 * text anywhere) leaves the ledger as 'failed' with its reason; a passing one stays pending and is
 * tried again after `redriveDelayMs`.
 */
export async function recordItemFailure(
  db: Db,
  failure: {
    feedId: string;
    canonicalUrl: string;
    contentHash: string;
    error: string;
    permanent: boolean;
    at: string;
    redriveBaseMs: number;
  },
): Promise<void> {
  const rows = await db.query<{ tries: number }>(
    `update feed_items set
       state = case when $5 then 'failed' else state end,
       tries = tries + 1,
       last_error = $4
     where feed_id = $1 and canonical_url = $2 and content_hash = $3 and state = 'pending'
     returning tries`,
    [failure.feedId, failure.canonicalUrl, failure.contentHash, failure.error, failure.permanent],
  );
  const tries = rows[0]?.tries;
  if (tries === undefined || failure.permanent) return;
  const next = new Date(Date.parse(failure.at) + redriveDelayMs(tries, failure.redriveBaseMs)).toISOString();
  await db.query(
    `update feed_items set next_try_at = $4 where feed_id = $1 and canonical_url = $2 and content_hash = $3`,
    [failure.feedId, failure.canonicalUrl, failure.contentHash, next],
  );
}

/**
 * Pending items the reconciler should queue again: those pending since before `staleBefore` whose
 * next try is not set (their job may be lost), and those whose next try is due. Oldest first.
 */
export async function listDueItems(
  db: Db,
  due: { now: string; staleBefore: string; limit: number },
): Promise<ArticleRef[]> {
  const rows = await db.query<{ ref: unknown }>(
    `select ref from feed_items
     where state = 'pending' and ref is not null
       and ((next_try_at is null and pending_since <= $2) or next_try_at <= $1)
     order by pending_since
     limit $3`,
    [due.now, due.staleBefore, due.limit],
  );
  return rows.map((r) => ArticleRefSchema.parse(r.ref));
}

/** An item the ledger still holds: pending (with its tries) or failed for good. */
export interface LedgerItem {
  feedId: string;
  canonicalUrl: string;
  state: 'pending' | 'failed';
  pendingSince: string | null;
  tries: number;
  nextTryAt: string | null;
  lastError: string | null;
}

/** Items pending or failed, oldest first: what `cli jobs` lists. */
export async function listLedgerItems(db: Db, limit = 200): Promise<LedgerItem[]> {
  const rows = await db.query<{
    feed_id: string;
    canonical_url: string;
    state: 'pending' | 'failed';
    pending_since: Date | null;
    tries: number;
    next_try_at: Date | null;
    last_error: string | null;
  }>(
    `select feed_id, canonical_url, state, pending_since, tries, next_try_at, last_error
     from feed_items where state <> 'done' order by pending_since nulls last, canonical_url limit $1`,
    [limit],
  );
  return rows.map((r) => ({
    feedId: r.feed_id,
    canonicalUrl: r.canonical_url,
    state: r.state,
    pendingSince: toIso(r.pending_since),
    tries: r.tries,
    nextTryAt: toIso(r.next_try_at),
    lastError: r.last_error,
  }));
}

/**
 * Makes waiting and failed items due now (`cli jobs retry`); failed ones only with `failed`. Returns
 * how many.
 */
export async function retryLedgerItems(db: Db, opts: { now: string; failed: boolean }): Promise<number> {
  const rows = await db.query(
    `update feed_items set state = 'pending', next_try_at = $1
     where ref is not null and (state = 'pending' or ($2 and state = 'failed'))
     returning 1`,
    [opts.now, opts.failed],
  );
  return rows.length;
}

function toKnownItem(row: KnownRow, scope: KnownItem['scope']): KnownItem {
  return {
    canonicalUrl: row.canonical_url,
    guid: row.guid,
    contentHash: row.content_hash,
    updatedCount: row.updated_count,
    scope,
  };
}

/**
 * When the item behind a stored article was seen (the poll that made this version pending, else its
 * first sighting); null when the
 * article or its item is gone. Read for the service's seen-to-alert latency.
 */
export async function findArticleSeenAt(db: Db, articleId: number): Promise<string | null> {
  const rows = await db.query<{ seen_at: Date }>(
    `select coalesce(i.pending_since, i.first_seen_at) as seen_at
     from articles a join feed_items i on i.feed_id = a.feed_id and i.canonical_url = a.canonical_url
     where a.id = $1`,
    [articleId],
  );
  return toIso(rows[0]?.seen_at ?? null);
}
