/**
 * Finding a site's feeds the way people add them: from a home page or an article URL. A page
 * announces its feeds with `<link rel="alternate" type="application/rss+xml">` (the RSS autodiscovery
 * convention, also used for Atom and JSON Feed); failing that, links in the page that look like feeds,
 * then the paths the common publishing platforms serve. Pure: the caller fetches, and pays one GET
 * per candidate it tries.
 */
import { JSDOM } from 'jsdom';
import { decodeFeed } from './decode-feed.ts';

/** `type` values of `<link rel="alternate">` that announce an RSS/Atom feed (parseFeed reads these). */
const XML_FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/rdf+xml',
  'application/x-rss+xml',
  'application/x-atom+xml',
  'application/x.atom+xml',
  'text/rss+xml',
  'text/atom+xml',
]);

/**
 * JSON Feed (jsonfeed.org). Listed after the XML feeds a page announces, so that the long-standing
 * format is tried first when a site offers both. Plain `application/json` is not a feed type:
 * WordPress announces its REST API with it.
 */
const JSON_FEED_TYPES = new Set(['application/feed+json', 'application/json+feed']);

/**
 * Paths the common platforms serve their main feed at, tried in this order when a page announces
 * none: WordPress, Substack, Medium (`/feed`), Tumblr, Ghost (`/rss`), Drupal (`/rss.xml`), Jekyll
 * (`/feed.xml`), many static generators (`/atom.xml`), Hugo (`/index.xml`), Blogger
 * (`/feeds/posts/default`). Each costs a GET, so the list stays short.
 */
export const COMMON_FEED_PATHS: readonly string[] = [
  '/feed',
  '/rss',
  '/rss.xml',
  '/feed.xml',
  '/atom.xml',
  '/index.xml',
  '/feeds/posts/default',
];

/**
 * An `<a href>` that names a feed: a path ending in feed/rss/atom (with or without `.xml`), a `.rss`,
 * `.atom` or `.rdf` file, or a FeedBurner address.
 */
const FEED_LIKE_HREF =
  /(?:\/(?:feed|feeds|rss|atom)(?:\.xml)?\/?$|\.(?:rss|atom|rdf)$|\/(?:rss|atom|feed)\.xml$|^https?:\/\/feeds\.feedburner\.com\/)/i;

/** Feeds about a page's comments, which WordPress announces beside the real one; tried last. */
const COMMENTS_FEED = /\bcomments?\b/i;

/** `<style>` crashes jsdom on SCSS variables (FACTS.md); scripts are irrelevant to links. */
const STRIPPED = /<(style|script)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;

/**
 * The feed URLs a page links to, best first: announced RSS/Atom feeds (comment feeds after the
 * others), announced JSON feeds, then `<a href>` links that look like feeds. Resolved against the
 * page's `<base href>` and URL; duplicates and non-http(s) URLs dropped.
 *
 * @example
 * discoverFeeds('<link rel="alternate" type="application/rss+xml" href="/xml/rss/all.xml">', 'https://www.aljazeera.com/news/');
 * // ['https://www.aljazeera.com/xml/rss/all.xml']
 */
export function discoverFeeds(html: string, pageUrl: string): string[] {
  const doc = JSDOM.fragment(html.replace(STRIPPED, ''));
  const baseHref = doc.querySelector('base[href]')?.getAttribute('href');
  const base = (baseHref && resolve(baseHref, pageUrl)) || pageUrl;

  const announced: { url: string; rank: number }[] = [];
  for (const link of doc.querySelectorAll('link[href]')) {
    const rel = (link.getAttribute('rel') ?? '').toLowerCase().split(/\s+/);
    if (!rel.includes('alternate') && !rel.includes('feed')) continue;
    const type = (link.getAttribute('type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const isXml = XML_FEED_TYPES.has(type);
    if (!isXml && !JSON_FEED_TYPES.has(type)) continue;
    const url = resolve(link.getAttribute('href') ?? '', base);
    if (!url) continue;
    const comments = COMMENTS_FEED.test(link.getAttribute('title') ?? '') || /\/comments\//i.test(url);
    announced.push({ url, rank: (isXml ? 0 : 2) + (comments ? 1 : 0) });
  }
  // A stable sort keeps document order within a rank: sites list their main feed first.
  announced.sort((a, b) => a.rank - b.rank);

  const linked: string[] = [];
  for (const a of doc.querySelectorAll('a[href]')) {
    const url = resolve(a.getAttribute('href') ?? '', base);
    if (url && FEED_LIKE_HREF.test(new URL(url).href.split(/[?#]/)[0] ?? '')) linked.push(url);
  }
  return [...new Set([...announced.map((a) => a.url), ...linked])];
}

/**
 * The {@link COMMON_FEED_PATHS} on the site of `siteUrl`, in order.
 *
 * @example
 * candidateFeedUrls('https://blog.example.org/2025/12/post'); // ['https://blog.example.org/feed', 'https://blog.example.org/rss', …]
 */
export function candidateFeedUrls(siteUrl: string): string[] {
  const origin = new URL(siteUrl).origin;
  return COMMON_FEED_PATHS.map((p) => `${origin}${p}`);
}

/**
 * How far into a body to look for the root element. Firefox's feed sniffer reads 512 bytes; real
 * feeds put licence comments and `<?xml-stylesheet?>` before the root, so 4 KiB.
 */
const SNIFF_WINDOW_BYTES = 4096;

/** Root elements of RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom documents. */
const FEED_ROOTS = new Set(['rss', 'feed', 'rdf:rdf', 'rdf']);

/**
 * Whether a fetched body is itself a feed rather than a page: the first element after the XML
 * declaration, processing instructions, comments and DOCTYPE is `<rss>`, `<feed>` or `<rdf:RDF>`, or
 * the body is a JSON Feed. The content is decisive; the Content-Type only supplies the charset, since
 * servers label feeds `text/html` and pages `text/xml` often enough.
 *
 * @example
 * looksLikeFeed(Buffer.from('<?xml version="1.0"?><rss version="2.0">…'), 'text/xml'); // true
 * looksLikeFeed(Buffer.from('<!doctype html><html>…'), 'text/html'); // false
 */
export function looksLikeFeed(bytes: Uint8Array, contentType?: string): boolean {
  const head = decodeFeed(bytes.subarray(0, SNIFF_WINDOW_BYTES), contentType).text;
  let rest = head.trimStart();
  if (rest.startsWith('{')) return /"version"\s*:\s*"https?:\/\/jsonfeed\.org\/version\//.test(rest);
  for (;;) {
    const prolog = /^(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>)\s*/i.exec(rest);
    if (!prolog) break;
    rest = rest.slice(prolog[0].length);
  }
  const root = /^<([A-Za-z_][\w:.-]*)/.exec(rest)?.[1]?.toLowerCase();
  return root !== undefined && FEED_ROOTS.has(root);
}

function resolve(href: string, base: string): string | null {
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
