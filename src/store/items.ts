/**
 * Every feed item ever seen (`feed_items`), so that a poll can tell new items from known ones and
 * known ones from edited ones; see src/feeds/item-identity.ts for why it takes URL, guid and hash.
 */
import type { ItemIdentity, ItemOutcome, KnownItem } from '../feeds/item-identity.ts';
import { PipelineError } from '../errors.ts';
import type { Db } from './db.ts';

interface KnownRow {
  canonical_url: string;
  guid: string | null;
  content_hash: string;
}

/**
 * What was stored about an item: first by canonical URL, in any feed (the same article syndicated
 * into another feed, or linked by an aggregator, is known); else by the feed's own guid (the article
 * moved to a new URL). When several rows share the guid, the most recently seen one answers. Null
 * when neither matches.
 *
 * @example
 * const known = await findKnownItem(db, { feedId: 'bbc-world', canonicalUrl: identity.canonicalUrl, guid: identity.guid });
 * const outcome = classifyItem(identity, known);
 */
export async function findKnownItem(
  db: Db,
  item: { feedId: string; canonicalUrl: string; guid: string | null },
): Promise<KnownItem | null> {
  const [byUrl] = await db.query<KnownRow>(
    'select canonical_url, guid, content_hash from feed_items where canonical_url = $1',
    [item.canonicalUrl],
  );
  if (byUrl) return toKnownItem(byUrl);
  if (item.guid === null) return null;
  const [byGuid] = await db.query<KnownRow>(
    `select canonical_url, guid, content_hash from feed_items
     where feed_id = $1 and guid = $2
     order by last_seen_at desc, canonical_url
     limit 1`,
    [item.feedId, item.guid],
  );
  return byGuid ? toKnownItem(byGuid) : null;
}

/**
 * Records that an item was seen at `at` with `outcome` (from `classifyItem`): inserts its row or
 * moves `last_seen_at` forward, stores the current content hash, and counts an 'updated' outcome in
 * `updated_count`.
 *
 * An item found by guid under another canonical URL (the site changed the URL) gets a row of its own
 * under the new URL, carrying the old row's `first_seen_at` and `updated_count`; the old row stays.
 * Rewriting the old row's key instead would make the old URL unknown, and another feed or an
 * aggregator still linking it would bring the article back as new (it comes back as an update when
 * the content changed since that URL was last seen). The row keeps the feed that first
 * saw it; a guid is only filled in, never replaced, since guids are the first feed's.
 *
 * @example
 * await recordItemSeen(db, { feedId: 'bbc-world', identity, at: '2025-10-12T09:00:00.000Z', outcome: 'new' });
 *
 * @throws PipelineError (permanent) when the identity has no canonical URL (an item without a link
 * cannot be fetched, so it is not tracked) or `feedId` is not a stored feed (SQLSTATE 23503).
 */
export async function recordItemSeen(
  db: Db,
  seen: { feedId: string; identity: ItemIdentity; at: string; outcome: ItemOutcome },
): Promise<void> {
  const { feedId, identity, at, outcome } = seen;
  if (identity.canonicalUrl === '') {
    throw new PipelineError({
      code: 'STORE_FAILED',
      stage: 'store',
      culprit: feedId,
      detail: `feed item ${identity.guid ?? '(no guid)'} has no URL to record`,
      permanent: true,
    });
  }
  const increment = outcome === 'updated' ? 1 : 0;
  await db.query(
    `with previous as (
       select min(first_seen_at) as first_seen_at, max(updated_count) as updated_count
       from feed_items where feed_id = $2 and guid = $3::text
     )
     -- least() skips nulls: the guid's earliest sighting when there is one, else this one.
     insert into feed_items
       (canonical_url, feed_id, guid, content_hash, first_seen_at, last_seen_at, updated_count)
     select $1, $2, $3::text, $4, least(p.first_seen_at, $5::timestamptz), $5::timestamptz,
            coalesce(p.updated_count, 0) + $6::int
     from previous p
     on conflict (canonical_url) do update set
       guid = coalesce(feed_items.guid, excluded.guid),
       content_hash = excluded.content_hash,
       first_seen_at = least(feed_items.first_seen_at, excluded.first_seen_at),
       last_seen_at = greatest(feed_items.last_seen_at, excluded.last_seen_at),
       updated_count = feed_items.updated_count + $6::int`,
    [identity.canonicalUrl, feedId, identity.guid, identity.contentHash, at, increment],
  );
}

function toKnownItem(row: KnownRow): KnownItem {
  return { canonicalUrl: row.canonical_url, guid: row.guid, contentHash: row.content_hash };
}
