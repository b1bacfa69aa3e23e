/**
 * What makes a feed item "the same item" across polls and feeds, and whether it changed.
 *
 * An item is known by three facts together, because each alone fails on the real web:
 *
 * - A date watermark ("process items newer than the last poll") skips items that arrive late
 *   (embargoes, CDN caches serving an old copy, feeds sorted by something other than date,
 *   backdated or undated items, clocks in the wrong zone), and never sees an item that was edited,
 *   because an edit rarely moves its publication date.
 * - The guid alone is per feed: one story in two feeds has two guids and would be processed twice;
 *   some feeds mint fresh guids on every build (every item looks new every poll), others have none
 *   or reuse one (`<guid>1</guid>`) for different items; and an edited item keeps its guid, so
 *   "guid seen" ignores the edit.
 * - The canonical URL alone misses an item whose URL changed (slug rewritten with the headline).
 *
 * So the store looks an item up by (feed, canonical URL), then by (feed, guid), then by canonical URL
 * in any feed; and the content hash, compared with what this feed carried before, says whether a
 * known item changed.
 */
import type { FeedItem } from '../model.ts';
import { createHash } from 'node:crypto';
import { foldText } from '../tagging/fold-text.ts';
import { canonicalUrl } from './canonical-url.ts';
import { decodeEntities } from './decode-entities.ts';

export interface ItemIdentity {
  /** The canonical URL of the item's link (or of its guid when that is the only URL); '' when neither is a URL. */
  canonicalUrl: string;
  /** The guid / Atom id, trimmed; null when the feed gives none. */
  guid: string | null;
  /** `CONTENT_HASH_VERSION:` + 32 hex digits of sha256 over the normalised title, summary and content. */
  contentHash: string;
}

/** What the store found for an item (see findKnownItem in src/store/items.ts). */
export interface KnownItem {
  canonicalUrl: string;
  guid: string | null;
  contentHash: string;
  /** Updates of the item processed so far. */
  updatedCount: number;
  /** 'feed': this feed's own record; 'elsewhere': another feed carried the same URL first. */
  scope: 'feed' | 'elsewhere';
}

/**
 * - new: never seen; process it.
 * - unchanged: this feed carried it before with the same content; skip it.
 * - updated: this feed carried it before with other content; process it again.
 * - moved: this feed carried its guid under another URL; process it again, and move the article.
 * - elsewhere: another feed brought the same page; record the sighting, process nothing.
 */
export type ItemOutcome = 'new' | 'unchanged' | 'updated' | 'moved' | 'elsewhere';

/**
 * Bumped whenever the normalisation below changes. A stored hash of another version cannot be
 * compared, and `classifyItem` then calls the item unchanged rather than reprocessing (and perhaps
 * re-alerting on) every item of every feed after a deploy; the store takes the new hash on that poll.
 */
export const CONTENT_HASH_VERSION = 'c1';

/** Hex characters of the sha256 kept: 128 bits, as for job ids. */
const CONTENT_HASH_HEX_CHARS = 32;

/**
 * The identity of a feed item. The content hash ignores what a feed changes without the story
 * changing: whitespace, markup, character references, curly vs straight quotes and dashes, letter
 * case, and tracking parameters on URLs written out in the text (links inside tags go with the tags).
 *
 * @example
 * itemIdentity({ title: 'Truce holds', link: 'https://example.com/a?utm_source=rss', id: 'urn:1',
 *   published: null, summary: '<p>Aid  enters.</p>', content: '' });
 * // { canonicalUrl: 'https://example.com/a', guid: 'urn:1', contentHash: 'c1:…' }
 */
export function itemIdentity(item: FeedItem): ItemIdentity {
  const guid = item.id?.trim() || null;
  const link = item.link?.trim() || (guid && /^https?:\/\//i.test(guid) ? guid : '');
  const normalised = [item.title, item.summary, item.content].map(normaliseForHash).join('\n');
  const digest = createHash('sha256').update(normalised).digest('hex').slice(0, CONTENT_HASH_HEX_CHARS);
  return {
    canonicalUrl: link ? canonicalUrl(link) : '',
    guid,
    contentHash: `${CONTENT_HASH_VERSION}:${digest}`,
  };
}

/**
 * What to do with an item, from its identity and what the store knew (null: nothing). The item's own
 * feed decides whether it changed: another feed's summary of the same page differs without the page
 * changing, so an item first brought by another feed is only recorded (`elsewhere`). A URL change
 * under the same guid is a move whatever the content, so that the stored article follows the URL.
 *
 * @example
 * classifyItem(identity, null); // 'new'
 * classifyItem(identity, { ...known, scope: 'feed' }); // 'unchanged' (same hash)
 * classifyItem(identity, { ...known, scope: 'feed', contentHash: 'c1:00ff…' }); // 'updated'
 */
export function classifyItem(identity: ItemIdentity, known: KnownItem | null): ItemOutcome {
  if (!known) return 'new';
  if (known.scope === 'elsewhere') return 'elsewhere';
  if (known.canonicalUrl !== identity.canonicalUrl) return 'moved';
  if (known.contentHash === identity.contentHash) return 'unchanged';
  if (hashVersion(known.contentHash) !== hashVersion(identity.contentHash)) return 'unchanged';
  return 'updated';
}

function hashVersion(hash: string): string {
  const colon = hash.indexOf(':');
  return colon < 0 ? '' : hash.slice(0, colon);
}

function normaliseForHash(html: string): string {
  const text = decodeEntities(
    html
      .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<[^>]*>/g, ' '),
  );
  return foldText(text)
    .text.replace(/https?:\/\/[^\s<>"']+/gi, (url) => canonicalUrl(url))
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}
