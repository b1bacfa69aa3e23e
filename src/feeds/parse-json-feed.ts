/**
 * JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/) → {@link ParsedFeed}. The same field
 * rules as the XML formats: plain-text titles, links (and `href`/`src` in content) resolved against the
 * document URL, which JSON Feed leaves as the only base, strict dates
 * (RFC 3339 here), one malformed item skipped without losing the others.
 */
import { PipelineError } from '../errors.ts';
import type { FeedItem, ParsedFeed } from '../model.ts';
import { parseFeedDate } from './parse-feed-date.ts';
import { repairRelativeUrls } from './repair-relative-urls.ts';

/** The `version` URLs of JSON Feed; 1.1 changed only optional fields, so both read the same. */
const VERSION = /^https?:\/\/jsonfeed\.org\/version\/1(\.\d+)?\/?$/;

/**
 * Whether a document is meant as a JSON Feed: its text is an object, or its Content-Type says JSON
 * and its text is not markup (servers label XML feeds as JSON, and the reverse, both by mistake).
 *
 * @example
 * looksLikeJsonFeed('{"version": "https://jsonfeed.org/version/1.1"}'); // true
 * looksLikeJsonFeed('not json', 'application/feed+json'); // true
 * looksLikeJsonFeed('<rss/>', 'application/feed+json'); // false
 */
export function looksLikeJsonFeed(text: string, contentType?: string): boolean {
  const start = text.trimStart();
  return start.startsWith('{') || (/[/+]json\b/i.test(contentType ?? '') && !start.startsWith('<'));
}

/**
 * Parse a JSON Feed. `url` is the document URL (base for relative links, culprit in errors). Throws
 * {@link PipelineError} `FEED_UNPARSEABLE` when the text is not JSON or not a JSON Feed.
 *
 * @example
 * parseJsonFeed('{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","url":"/a"}]}',
 *   'https://example.com/feed.json').items[0]?.link; // 'https://example.com/a'
 */
export function parseJsonFeed(text: string, url: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text.trimStart());
  } catch (error) {
    throw unparseable(url, `not JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (!isObject(doc) || typeof doc.version !== 'string' || !VERSION.test(doc.version.trim())) {
    throw unparseable(url, 'not a JSON Feed (no https://jsonfeed.org/version/1 "version")');
  }
  const items: FeedItem[] = [];
  for (const item of Array.isArray(doc.items) ? doc.items : []) {
    if (isObject(item)) items.push(toItem(item, url));
  }
  return {
    title: plain(doc.title),
    link: resolve(doc.home_page_url, url),
    items,
  };
}

function toItem(item: Record<string, unknown>, base: string): FeedItem {
  const link = resolve(item.url, base) ?? resolve(item.external_url, base);
  const contentHtml = typeof item.content_html === 'string' ? item.content_html : '';
  const contentText = typeof item.content_text === 'string' ? escapeHtml(item.content_text) : '';
  const id = typeof item.id === 'string' || typeof item.id === 'number' ? String(item.id) : null;
  const published = date(item.date_published);
  const updated = date(item.date_modified);
  const out: FeedItem = {
    title: plain(item.title),
    link,
    id: id?.trim() || null,
    // As for Atom: the modification date stands in only when there is no publication date at all.
    published: item.date_published === undefined ? updated : published,
    summary: typeof item.summary === 'string' ? escapeHtml(item.summary) : '',
    content: repairRelativeUrls(contentHtml, base) || contentText,
  };
  if (updated) out.updated = updated;
  return out;
}

function date(value: unknown): string | null {
  return typeof value === 'string' ? parseFeedDate(value) : null;
}

function plain(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function resolve(value: unknown, base: string): string | null {
  if (typeof value !== 'string' || !value.trim()) return null;
  try {
    return new URL(value.trim(), base).href;
  } catch {
    return value.trim();
  }
}

/** `summary` and `content_text` are plain text; the contract's summary and content are HTML. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unparseable(url: string, detail: string, cause?: unknown): PipelineError {
  return new PipelineError({
    code: 'FEED_UNPARSEABLE',
    stage: 'feeds',
    culprit: url,
    detail: `unable to parse feed: ${detail}`,
    permanent: true,
    cause,
  });
}
