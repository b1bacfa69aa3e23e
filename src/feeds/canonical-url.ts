/**
 * One article, one key: the same story reached through two feeds, with campaign tags or a fragment,
 * must land on the same canonical URL and therefore the same queue job id.
 */
import { createHash } from 'node:crypto';

/**
 * Query parameters that only track the click, never select content. Exact names plus the `utm_`
 * prefix; kept short on purpose, since dropping a parameter that does select content (`id`, `p`) would
 * merge different articles.
 */
const TRACKING_PARAMS = new Set(['fbclid', 'gclid', 'mc_cid', 'mc_eid']);
const TRACKING_PREFIX = 'utm_';

/** Hex characters of the sha256 kept for a job id: 128 bits, collision-free at any feed volume. */
const JOB_ID_HEX_CHARS = 32;

/**
 * The canonical form of an article URL: lower-case scheme and host (the URL parser does this), no
 * fragment, no default port, no tracking parameters, remaining parameters sorted by name (stable for
 * equal names). A string that is not an absolute URL is returned trimmed, unchanged.
 *
 * @example
 * canonicalUrl('HTTPS://Www.BBC.co.uk:443/news/world?utm_source=rss&b=2&a=1#top');
 * // 'https://www.bbc.co.uk/news/world?a=1&b=2'
 */
export function canonicalUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return url.trim();
  }
  parsed.hash = '';
  const kept = [...parsed.searchParams].filter(
    ([name]) => !TRACKING_PARAMS.has(name.toLowerCase()) && !name.toLowerCase().startsWith(TRACKING_PREFIX),
  );
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  parsed.search = new URLSearchParams(kept).toString();
  return parsed.href;
}

/**
 * A BullMQ job id for a canonical URL: hex only, because BullMQ rejects custom ids containing ':'.
 *
 * @example
 * articleJobId(canonicalUrl('https://example.com/a')); // 32 hex characters
 */
export function articleJobId(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex').slice(0, JOB_ID_HEX_CHARS);
}
