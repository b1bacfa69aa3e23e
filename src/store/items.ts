/**
 * Every feed item ever seen, per feed (`feed_items`), so that a poll can tell new items from known
 * ones, known ones from edited ones, and items another feed already brought; see
 * src/feeds/item-identity.ts for why it takes URL, guid and hash.
 */
import type { ItemIdentity, ItemOutcome, KnownItem } from '../feeds/item-identity.ts';
import { PipelineError } from '../errors.ts';
import type { Db } from './db.ts';

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
  const [own] = await db.query<KnownRow>(
    `select ${COLUMNS} from feed_items where feed_id = $1 and canonical_url = $2`,
    [item.feedId, item.canonicalUrl],
  );
  if (own) return toKnownItem(own, 'feed');
  if (item.guid !== null) {
    const [byGuid] = await db.query<KnownRow>(
      `select ${COLUMNS} from feed_items
       where feed_id = $1 and guid = $2
       order by last_seen_at desc, canonical_url
       limit 1`,
      [item.feedId, item.guid],
    );
    if (byGuid) return toKnownItem(byGuid, 'feed');
  }
  const [elsewhere] = await db.query<KnownRow>(
    `select ${COLUMNS} from feed_items where canonical_url = $1 order by first_seen_at, feed_id limit 1`,
    [item.canonicalUrl],
  );
  return elsewhere ? toKnownItem(elsewhere, 'elsewhere') : null;
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
  const increment = outcome === 'updated' || outcome === 'moved' ? 1 : 0;
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
     on conflict (feed_id, canonical_url) do update set
       guid = coalesce(feed_items.guid, excluded.guid),
       content_hash = excluded.content_hash,
       first_seen_at = least(feed_items.first_seen_at, excluded.first_seen_at),
       last_seen_at = greatest(feed_items.last_seen_at, excluded.last_seen_at),
       updated_count = feed_items.updated_count + $6::int`,
    [identity.canonicalUrl, feedId, identity.guid, identity.contentHash, at, increment],
  );
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
