/**
 * Article metadata from a parsed page, read before Readability rewrites the document: Open Graph and
 * article meta tags, JSON-LD, `<link rel=canonical>`, `<time datetime>`. Dates are normalised to ISO
 * with the feed date parser (a wrong date is worse than none); URLs are made absolute against the page.
 */
import { parseFeedDate } from '../feeds/parse-feed-date.ts';
import { readJsonLd, type JsonLdArticle } from './json-ld.ts';

/** The metadata fields of an extracted article, plus the JSON-LD read on the way. */
export interface PageMetadata {
  title: string | null;
  byline: string | null;
  published: string | null;
  modified: string | null;
  canonicalUrl: string | null;
  lang: string | null;
  siteName: string | null;
  leadImage: string | null;
  /** The page marks itself as a paywall teaser (JSON-LD, paywall classes, "subscribe to continue"). */
  paywalled: boolean;
  jsonLd: JsonLdArticle;
}

/**
 * Meta tags as `attribute=value` (see {@link indexHead}), in order of trust: the article's own Open
 * Graph/article tags first, generic ones last.
 */
const PUBLISHED_META = [
  'property=article:published_time',
  'name=article:published_time',
  'itemprop=datePublished',
  'property=og:published_time',
  'name=pubdate',
  'name=publish-date',
  'name=parsely-pub-date',
  'name=date',
  'name=dc.date',
];
const MODIFIED_META = [
  'property=article:modified_time',
  'name=article:modified_time',
  'itemprop=dateModified',
  'property=og:updated_time',
  'name=last-modified',
];
const IMAGE_META = [
  'property=og:image',
  'property=og:image:url',
  'name=twitter:image',
  'name=twitter:image:src',
];
const AUTHOR_META = ['name=author', 'property=article:author', 'name=parsely-author'];

/**
 * Whole class names or ids marking a paywalled body. Whole names only: one dev site has `paywall-*`
 * login widgets (`paywall-user-name`) on every free page. Plain `premium` is left out too: another puts
 * `p402_premium` on open articles.
 */
const PAYWALL_CLASS =
  /^(?:paywall|paywalled|pay-wall|has-paywall|subscriber-only|subscribers-only|premium-content|regwall|meterwall|meter-wall)$/i;
/** Paywall calls that only appear where the text stops. */
const PAYWALL_TEXT =
  /\b(?:subscribe|sign in|log in|register) (?:now |today )?to (?:continue|keep) reading\b|\bthis (?:article|content|story) is (?:only )?(?:available )?(?:for|to) (?:paid )?subscribers\b|\bto read the full (?:article|story)\b|\balready a subscriber\?/i;

/**
 * Read the metadata of a page. Call before Readability: it removes scripts and rewrites the DOM.
 *
 * @example
 * const { document } = new JSDOM('<html lang="en"><head><link rel="canonical" href="/a/1"></head></html>', { url: 'https://news.example/x' }).window;
 * readPageMetadata(document, 'https://news.example/x').canonicalUrl; // 'https://news.example/a/1'
 */
export function readPageMetadata(document: Document, url: string): PageMetadata {
  const head = indexHead(document);
  const jsonLd = readJsonLd(head.jsonLd);
  const meta = (keys: readonly string[]) => {
    for (const key of keys) {
      const content = clean(head.meta.get(key)?.getAttribute('content'));
      if (content) return content;
    }
    return null;
  };
  const date = (keys: readonly string[], fromJsonLd: string | undefined) => {
    for (const key of keys) {
      const parsed = parseFeedDate(head.meta.get(key)?.getAttribute('content'));
      if (parsed) return parsed;
    }
    return parseFeedDate(fromJsonLd);
  };
  const author = meta(AUTHOR_META);
  return {
    title: meta(['property=og:title', 'name=twitter:title']) ?? jsonLd.headline ?? null,
    // `article:author` is often a profile URL: a name is wanted.
    byline:
      (jsonLd.authors.length ? jsonLd.authors.join(', ') : null) ??
      (author && !/^https?:/i.test(author) ? author : null),
    published: date(PUBLISHED_META, jsonLd.datePublished) ?? parseFeedDate(head.timeDatetime),
    modified: date(MODIFIED_META, jsonLd.dateModified),
    canonicalUrl: absolute(head.canonical, url) ?? absolute(meta(['property=og:url']), url),
    lang:
      clean(document.documentElement.getAttribute('lang')) ??
      meta(['http-equiv=content-language', 'property=og:locale']),
    siteName: meta(['property=og:site_name', 'name=application-name']) ?? jsonLd.publisher ?? null,
    leadImage: absolute(meta(IMAGE_META), url) ?? absolute(jsonLd.image, url),
    paywalled: jsonLd.paywalled || hasPaywallMarker(document),
    jsonLd,
  };
}

const META_ATTRIBUTES = ['property', 'name', 'itemprop', 'http-equiv'] as const;

/**
 * One walk over the page's `<meta>`, `<link>`, `<time>` and `<script>` elements, keeping the first of
 * each kind as `querySelector` would; meta tags by `attribute=value` (`property=og:title`). About thirty `querySelector` calls, each a whole-tree walk through
 * jsdom's selector engine, were a fifth of extraction time (issue 12's profile); tag lookups are not.
 */
function indexHead(document: Document): {
  meta: Map<string, Element>;
  canonical: string | null;
  timeDatetime: string | null;
  jsonLd: string[];
} {
  const meta = new Map<string, Element>();
  for (const element of document.getElementsByTagName('meta')) {
    for (const attribute of META_ATTRIBUTES) {
      const value = element.getAttribute(attribute);
      if (value === null) continue;
      // http-equiv is matched without regard to case, as the HTML standard says of its values.
      const key = `${attribute}=${attribute === 'http-equiv' ? value.toLowerCase() : value}`;
      if (!meta.has(key)) meta.set(key, element);
    }
  }
  let canonical: string | null = null;
  for (const link of document.getElementsByTagName('link')) {
    const rel = (link.getAttribute('rel') ?? '').toLowerCase().split(/[\t\n\f\r ]+/);
    if (rel.includes('canonical') && link.hasAttribute('href')) {
      canonical = link.getAttribute('href');
      break;
    }
  }
  let timeDatetime: string | null = null;
  for (const time of document.getElementsByTagName('time')) {
    if (time.hasAttribute('datetime')) {
      timeDatetime = time.getAttribute('datetime');
      break;
    }
  }
  const jsonLd = [...document.getElementsByTagName('script')]
    .filter((script) => (script.getAttribute('type') ?? '').toLowerCase() === 'application/ld+json')
    .map((script) => script.textContent ?? '');
  return { meta, canonical, timeDatetime, jsonLd };
}

function hasPaywallMarker(document: Document): boolean {
  // querySelectorAll, not getElementsByTagName('*'): jsdom's live collection made this loop five
  // times slower.
  for (const element of document.querySelectorAll('[class], [id]')) {
    const names = [...(element.getAttribute('class') ?? '').split(/\s+/), element.id];
    if (names.some((name) => PAYWALL_CLASS.test(name))) return true;
  }
  return PAYWALL_TEXT.test(document.body?.textContent ?? '');
}

function clean(value: string | null | undefined): string | null {
  const trimmed = value?.replace(/\s+/g, ' ').trim();
  return trimmed ? trimmed : null;
}

/** Absolute http(s) URL of `href` against the page, or null. */
function absolute(href: string | null | undefined, base: string): string | null {
  const value = clean(href);
  if (!value) return null;
  try {
    const resolved = URL.canParse(base) ? new URL(value, base) : new URL(value);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.href : null;
  } catch {
    return null;
  }
}
