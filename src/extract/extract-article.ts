/**
 * Article HTML → {@link ExtractedArticle}: Readability 0.6.0 on jsdom 29, with the cheap fixes FACTS.md
 * measured (strip style/script/iframe before parsing; text with a newline per block) and the metadata the
 * pipeline needs (title, byline, published date, language).
 */
import { Readability } from '@mozilla/readability';
import { JSDOM } from 'jsdom';
import { PipelineError } from '../errors.ts';
import type { ExtractedArticle } from '../model.ts';
import { parseFeedDate } from '../feeds/parse-feed-date.ts';
import { blockText } from './block-text.ts';
import { removeBoilerplate } from './boilerplate-filters.ts';

/**
 * Removed before jsdom sees the page. `<style>`: jsdom 27.4–29.1.1 throws on SCSS variables in `calc()`,
 * and the text is identical without it. `<script>` (except JSON-LD, read for the date) and `<iframe>`: a
 * window per iframe made one CNN page 296 ms instead of 53 ms. `<noscript>`: fallback markup that only
 * duplicates the page. Regexes suffice: these elements' contents are raw text in HTML, ended only by
 * their own end tag.
 */
const STRIPPED_ELEMENTS = [
  /<style\b[^>]*>[\s\S]*?<\/style\s*>/gi,
  /<script\b(?![^>]*application\/ld\+json)[^>]*>[\s\S]*?<\/script\s*>/gi,
  /<iframe\b[^>]*>[\s\S]*?<\/iframe\s*>|<iframe\b[^>]*\/>/gi,
  /<noscript\b[^>]*>[\s\S]*?<\/noscript\s*>/gi,
];
/** The same jsdom crash through a `style` attribute: drop only attributes holding a SCSS `$variable`. */
const SCSS_STYLE_ATTRIBUTE = /\sstyle\s*=\s*(?:"[^"]*\$[^"]*"|'[^']*\$[^']*')/gi;

const PUBLISHED_META = [
  'meta[property="article:published_time"]',
  'meta[name="article:published_time"]',
  'meta[itemprop="datePublished"]',
  'meta[name="pubdate"]',
  'meta[name="date"]',
  'meta[property="og:published_time"]',
];

/**
 * Extract the main text and metadata of an article page. Throws {@link PipelineError} `EXTRACT_FAILED`
 * (stage `extract`, permanent) when Readability finds no article.
 *
 * @example
 * const article = extractArticle(html, 'https://www.bbc.com/news/articles/c0000000');
 * article.text; // 'Israel and Hamas ...\nThe agreement ...'
 */
export function extractArticle(html: string, url: string): ExtractedArticle {
  let cleaned = html;
  for (const pattern of STRIPPED_ELEMENTS) cleaned = cleaned.replace(pattern, '');
  cleaned = cleaned.replace(SCSS_STYLE_ATTRIBUTE, '');
  const dom = new JSDOM(cleaned, isWebUrl(url) ? { url } : {});
  try {
    const document = dom.window.document;
    // Read before Readability, which rewrites the document in place.
    const lang = document.documentElement.getAttribute('lang')?.trim() || null;
    const published = publishedDate(document);
    const metaAuthor = document.querySelector('meta[name="author"]')?.getAttribute('content')?.trim() || null;
    // keepClasses: the filters read class names; Readability's scoring does not depend on it.
    const article = new Readability<Element>(document, { keepClasses: true, serializer: (el) => el as Element }).parse();
    if (article?.content) removeBoilerplate(article.content, { title: article.title ?? document.title });
    const text = article?.content ? blockText(article.content) : '';
    if (!article || !text) {
      throw new PipelineError({
        code: 'EXTRACT_FAILED',
        stage: 'extract',
        culprit: url,
        detail: 'no article content found',
        permanent: true,
      });
    }
    return {
      url,
      title: article.title?.trim() || document.title.trim(),
      byline: article.byline?.trim() || metaAuthor,
      published: published ?? parseFeedDate(article.publishedTime),
      modified: null,
      canonicalUrl: null,
      lang: lang ?? (article.lang?.trim() || null),
      siteName: article.siteName?.trim() || null,
      leadImage: null,
      paywalled: false,
      textSource: 'readability',
      text,
    };
  } finally {
    dom.window.close();
  }
}

/**
 * Plain text of an HTML fragment (a feed item's content), one line per block; the fallback text when
 * the page itself cannot be fetched or extracted.
 *
 * @example
 * textFromHtml('<p>Truce holds.</p><ul><li>Aid enters</li><li>Hostages freed</li></ul>');
 * // 'Truce holds.\nAid enters\nHostages freed'
 */
export function textFromHtml(html: string): string {
  let cleaned = html;
  for (const pattern of STRIPPED_ELEMENTS) cleaned = cleaned.replace(pattern, '');
  // A fragment is parsed in jsdom's shared template document: no window per call.
  return blockText(JSDOM.fragment(cleaned));
}

/** The first readable publication date: meta tags, then JSON-LD `datePublished`, then `<time datetime>`. */
function publishedDate(document: Document): string | null {
  for (const selector of PUBLISHED_META) {
    const date = parseFeedDate(document.querySelector(selector)?.getAttribute('content'));
    if (date) return date;
  }
  for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
    const date = parseFeedDate(findDatePublished(safeJson(script.textContent ?? '')));
    if (date) return date;
  }
  return parseFeedDate(document.querySelector('time[datetime]')?.getAttribute('datetime'));
}

function findDatePublished(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const entry of value) {
      const found = findDatePublished(entry);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.datePublished === 'string') return record.datePublished;
    return findDatePublished(record['@graph']);
  }
  return undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isWebUrl(url: string): boolean {
  return /^https?:\/\//i.test(url) && URL.canParse(url);
}
