/**
 * One article, one key: the same story reached through two feeds, with campaign tags, a fragment, or
 * wrapped in a Google Alerts / Google News redirect, must land on the same canonical URL and therefore
 * the same queue job id and the same `feed_items` row.
 */
import { createHash } from 'node:crypto';

/**
 * Query parameters that only record where a click came from, never which content is served. Each is
 * a vendor's documented click or campaign id; generic names (`ref`, `source`, `cid`, `from`) are left
 * alone on purpose, because some sites use them to select content, and a dropped parameter that
 * selects content (`id`, `p`, `article`) would merge different articles, a worse failure than one
 * article known under two URLs.
 */
const TRACKING_PARAMS = new Set([
  // Google Ads / Campaign Manager click ids, and Google Analytics' cross-domain linker.
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  '_ga',
  '_gl',
  // Click ids of other ad networks: Meta, Microsoft Advertising, Yandex, X, TikTok, LinkedIn.
  'fbclid',
  'msclkid',
  'yclid',
  'twclid',
  'ttclid',
  'li_fat_id',
  // Share and embed markers: Instagram, X/Twitter embeds (`ref_src=twsrc^tfw`), The New York Times.
  'igshid',
  'ref_src',
  'ref_url',
  'smid',
  // Newsletter tools: Mailchimp, HubSpot, Marketo, Omeda, Vero.
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'vero_conv',
  // Analytics campaign tags: AT Internet (`xtor=RSS-…` on French sites, `at_medium=RSS` on the BBC),
  // comScore, Webtrends, Adobe, MSN's `ocid`, The Guardian's `CMP`, the common `cmpid`.
  'xtor',
  'at_medium',
  'at_campaign',
  'at_campaign_type',
  'at_custom1',
  'at_custom2',
  'at_custom3',
  'at_custom4',
  'at_link_id',
  'at_link_origin',
  'at_link_type',
  'at_ptr_name',
  'at_bbc_team',
  'at_format',
  'ns_mchannel',
  'ns_source',
  'ns_campaign',
  'ns_linkname',
  'ns_fee',
  'wt_mc',
  'wt.mc_id',
  's_cid',
  'icid',
  'ocid',
  'cmp',
  'cmpid',
  // Yahoo's consent redirect leaves these behind on the article URL.
  'guccounter',
  'guce_referrer',
  'guce_referrer_sig',
]);
/** Google Analytics campaign parameters (`utm_source`, `utm_medium`, `utm_campaign`, …). */
const TRACKING_PREFIX = 'utm_';

/** Hex characters of the sha256 kept for a job id: 128 bits, collision-free at any feed volume. */
const JOB_ID_HEX_CHARS = 32;

/** A Google Alerts link wrapping a Google News item wrapping the article is two levels; 3 is ample. */
const MAX_UNWRAP_DEPTH = 3;

/**
 * Google's own hosts that serve redirect pages: `www.google.com/url`, `www.google.co.uk/url`, … and
 * `news.google.com`. Matched exactly, so `google.com.evil.example` is not unwrapped.
 */
const GOOGLE_HOST = /^(?:www\.)?google\.(?:[a-z]{2,3}|co\.[a-z]{2}|com\.[a-z]{2})$/;
const GOOGLE_NEWS_HOST = 'news.google.com';
/** Paths under news.google.com whose last segment is an article id: RSS links, web links, reader links. */
const GOOGLE_NEWS_ARTICLE_PATH = /^\/(?:rss\/articles|articles|read)\/([A-Za-z0-9_-]+)$/;
/** In the article id's protobuf, field 4 (length-delimited) holds the article URL in the older format. */
const GOOGLE_NEWS_URL_FIELD = 4;

/**
 * The canonical form of an article URL: redirects unwrapped (`unwrapRedirect`), lower-case scheme
 * and host (the URL parser does this), no fragment, no default port, no tracking parameters,
 * remaining parameters sorted by name (stable for equal names). A string that is not an absolute URL
 * is returned trimmed, unchanged.
 *
 * @example
 * canonicalUrl('HTTPS://Www.BBC.co.uk:443/news/world?utm_source=rss&b=2&a=1#top');
 * // 'https://www.bbc.co.uk/news/world?a=1&b=2'
 * canonicalUrl('https://www.google.com/url?rct=j&sa=t&url=https://example.com/a%3Futm_source%3Dga&ct=ga');
 * // 'https://example.com/a'
 */
export function canonicalUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(unwrapRedirect(url));
  } catch {
    return url.trim();
  }
  parsed.hash = '';
  const kept = [...parsed.searchParams].filter(([name]) => !isTrackingParam(name));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  parsed.search = new URLSearchParams(kept).toString();
  return parsed.href;
}

/**
 * The link to show a person: the article's own URL (redirects unwrapped) without tracking parameters,
 * otherwise as the site wrote it (parameter order and fragment kept). A string that is not an absolute
 * URL is returned trimmed, unchanged.
 *
 * @example
 * withoutTracking('https://example.com/a?utm_source=rss&id=7#top'); // 'https://example.com/a?id=7#top'
 */
export function withoutTracking(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(unwrapRedirect(url));
  } catch {
    return url.trim();
  }
  // Pairs are kept as written: re-serialising them would turn `%20` into `+` and `amp` into `amp=`.
  const pairs = parsed.search.replace(/^\?/, '').split('&');
  const kept = pairs.filter((pair) => pair === '' || !isTrackingParam(decodeName(pair.split('=')[0] ?? '')));
  if (kept.length !== pairs.length) parsed.search = kept.filter((p) => p !== '').join('&');
  return parsed.href;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * The article a redirect link points to, trimmed: Google Alerts links (`google.<tld>/url?url=…` or
 * `?q=…`), `news.google.com/…?url=…` links, and Google News article links whose id still embeds the
 * URL (the older id format, a base64url protobuf). Google News ids of the current format are opaque
 * (only Google's servers can resolve them), and any other URL, are returned as they are: a link is
 * never followed over the network here. This is also the URL to fetch, since Google's redirect page is
 * not the article.
 *
 * @example
 * unwrapRedirect('https://news.google.com/rss/articles/CBMiLmh0dHBzOi8vd3d3LmJiYy5jb20vbmV3cy9hcnRpY2xlcy9jampqbnhkdjE4OG_SATJodHRwczovL3d3dy5iYmMuY29tL25ld3MvYXJ0aWNsZXMvY2pqam54ZHYxODhvLmFtcA?oc=5');
 * // 'https://www.bbc.com/news/articles/cjjjnxdv188o'
 */
export function unwrapRedirect(url: string): string {
  let current = url.trim();
  for (let depth = 0; depth < MAX_UNWRAP_DEPTH; depth++) {
    const target = redirectTarget(current);
    if (target === null) break;
    current = target;
  }
  return current;
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

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || lower.startsWith(TRACKING_PREFIX);
}

/** The URL one redirect level down, or null when `url` is not a redirect we can read offline. */
function redirectTarget(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  const host = parsed.hostname;
  if (GOOGLE_HOST.test(host) && parsed.pathname === '/url') {
    return httpUrl(parsed.searchParams.get('url')) ?? httpUrl(parsed.searchParams.get('q'));
  }
  if (host !== GOOGLE_NEWS_HOST) return null;
  const param = httpUrl(parsed.searchParams.get('url'));
  if (param) return param;
  const id = GOOGLE_NEWS_ARTICLE_PATH.exec(parsed.pathname)?.[1];
  return id ? urlInGoogleNewsId(id) : null;
}

/** The value when it is an absolute http(s) URL; redirect parameters can carry anything. */
function httpUrl(value: string | null): string | null {
  if (!value || !/^https?:\/\//i.test(value)) return null;
  try {
    return new URL(value).href;
  } catch {
    return null;
  }
}

/**
 * Reads the article URL out of an older-format Google News id: base64url of a protobuf message whose
 * field 4 is the URL (`CBMi…` = field 1 varint 19, then field 4). Field 26 may hold the AMP URL; it is
 * skipped. Current ids put an opaque token (`AU_yqL…`) in field 4, which is not a URL: null.
 */
function urlInGoogleNewsId(id: string): string | null {
  const bytes = Buffer.from(id, 'base64url');
  let offset = 0;
  while (offset < bytes.length) {
    const tag = readVarint(bytes, offset);
    if (!tag) return null;
    offset = tag.next;
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (wireType === 0) {
      const skipped = readVarint(bytes, offset);
      if (!skipped) return null;
      offset = skipped.next;
    } else if (wireType === 2) {
      const length = readVarint(bytes, offset);
      if (!length || length.next + length.value > bytes.length) return null;
      const value = bytes.subarray(length.next, length.next + length.value);
      offset = length.next + length.value;
      if (field === GOOGLE_NEWS_URL_FIELD) return httpUrl(value.toString('utf8'));
    } else {
      return null; // fixed-width fields never occur in these ids; stop rather than guess
    }
  }
  return null;
}

/** A protobuf base-128 varint at `offset`, or null when truncated or longer than 4 bytes (28 bits). */
function readVarint(bytes: Buffer, offset: number): { value: number; next: number } | null {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const byte = bytes[offset + i];
    if (byte === undefined) return null;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return { value, next: offset + i + 1 };
  }
  return null;
}
