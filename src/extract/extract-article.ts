/**
 * Article HTML → {@link ExtractedArticle}: Readability 0.6.0 on jsdom 29, with the cheap fixes FACTS.md
 * measured (strip style/script/iframe before parsing; text with a newline per block) and the metadata the
 * pipeline needs (title, byline, published date, language).
 */
import { Readability } from '@mozilla/readability';
import { JSDOM } from 'jsdom';
import { PipelineError } from '../errors.ts';
import type { ExtractedArticle } from '../model.ts';
import { decodeEntities } from '../feeds/decode-entities.ts';
import { parseFeedDate } from '../feeds/parse-feed-date.ts';
import { stripControlCharacters } from '../feeds/strip-control-characters.ts';
import { blockText } from './block-text.ts';
import { removeBoilerplate } from './boilerplate-filters.ts';
import { measurePageStructure, type StructureLimits } from './measure-page-structure.ts';
import { readPageMetadata } from './page-metadata.ts';

/**
 * Removed before jsdom sees the page. `<style>`: jsdom 27.4–29.1.1 throws on SCSS variables in `calc()`,
 * and the text is identical without it. `<script>` (except JSON-LD, read for metadata and the `articleBody` fallback) and `<iframe>`: a
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

/**
 * JSON-LD `articleBody` replaces Readability's text when that text is shorter than this share of it.
 * On the dev set 8 pages carry an `articleBody`: where both are the story the lengths agree within 3%
 * (ratios 0.97–1.02, the filtered Readability text scoring equal or better), and the two that differ have a
 * truncated `articleBody` (Readability 9–10× longer). So the rule never fires on dev; it is for pages where
 * Readability catches a fragment (a teaser box, one list). Half leaves a wide margin on both sides.
 */
export const JSON_LD_BODY_MIN_SHARE = 0.5;

/**
 * Pages nested deeper or holding more elements than this are refused before jsdom parses them: past
 * these, extraction runs away whatever the page says. Measured with extractArticle on one thread of
 * the two-core dev machine, warm: nested `<div>`s 100 deep 0.3 s, 200 0.7 s, 300 1.7 s, 400 3.4 s
 * (about depth^2.3; 5,000 deep is a bare stack overflow); plain paragraphs 10,000 2.0 s, 20,000 4.1 s,
 * 30,000 6.2 s, the cheapest shape there is. The 91 dev-set pages reach depth 51 and 1,596 elements,
 * so both limits leave a wide margin above real pages, and a page at either limit alone extracts in
 * a fraction of the pool's 10 s page timeout. Slower shapes below the limits exist (10,000 sibling
 * `<span>`s 34 s, 5,000 paragraphs under 100 nested `<div>`s 21 s): the pool's timeout stops those,
 * and the pool keeps normal pages flowing past them (extract-pool.ts).
 */
export const PAGE_STRUCTURE_LIMITS: StructureLimits = { maxDepth: 300, maxElements: 20_000 };

/**
 * Extract the main text and metadata of an article page. Throws {@link PipelineError} `EXTRACT_FAILED`
 * (stage `extract`, permanent) when Readability finds no article, or when the page nests or holds more
 * elements than {@link PAGE_STRUCTURE_LIMITS} (refused from a scan of its text, before parsing).
 *
 * @example
 * const article = extractArticle(html, 'https://www.bbc.com/news/articles/c0000000');
 * article.text; // 'Israel and Hamas ...\nThe agreement ...'
 */
export function extractArticle(html: string, url: string): ExtractedArticle {
  let cleaned = html;
  for (const pattern of STRIPPED_ELEMENTS) cleaned = cleaned.replace(pattern, '');
  cleaned = cleaned.replace(SCSS_STYLE_ATTRIBUTE, '');
  refuseRunawayStructure(cleaned, url);
  const dom = new JSDOM(cleaned, isWebUrl(url) ? { url } : {});
  try {
    const document = dom.window.document;
    // Read before Readability, which removes scripts and rewrites the document in place.
    const meta = readPageMetadata(document, url);
    // keepClasses: the filters read class names; Readability's scoring does not depend on it.
    const article = new Readability<Element>(document, {
      keepClasses: true,
      serializer: (el) => el as Element,
    }).parse();
    const title = article?.title?.trim() || meta.title || document.title.trim();
    if (article?.content) removeBoilerplate(article.content, { title, url });
    const readabilityText = article?.content ? blockText(article.content) : '';
    const body = meta.jsonLd.articleBody ?? '';
    // Parsed (it may hold markup or entities) only when it may win: most pages never pay for it.
    const jsonLdText =
      readabilityText.length < body.length * JSON_LD_BODY_MIN_SHARE ? textFromHtml(body) : '';
    const useJsonLd = readabilityText.length < jsonLdText.length * JSON_LD_BODY_MIN_SHARE;
    const text = useJsonLd ? jsonLdText : readabilityText;
    if (!text) {
      throw new PipelineError({
        code: 'EXTRACT_FAILED',
        stage: 'extract',
        culprit: url,
        detail: 'no article content found',
        permanent: true,
      });
    }
    const line = (s: string | null) => (s === null ? null : stripControlCharacters(s, { oneLine: true }));
    // Where page text enters the model: no NUL (PostgreSQL refuses it), terminal escapes or bidi overrides.
    return {
      url,
      title: line(title) ?? '',
      byline: line(article?.byline?.trim() || meta.byline),
      published: meta.published ?? parseFeedDate(article?.publishedTime),
      modified: meta.modified,
      canonicalUrl: meta.canonicalUrl,
      lang: meta.lang ?? (article?.lang?.trim() || null),
      siteName: line(meta.siteName ?? (article?.siteName?.trim() || null)),
      leadImage: meta.leadImage,
      paywalled: meta.paywalled,
      textSource: useJsonLd ? 'json-ld' : 'readability',
      text: stripControlCharacters(text),
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
  const { depth, elements } = measurePageStructure(cleaned, PAGE_STRUCTURE_LIMITS);
  if (depth > PAGE_STRUCTURE_LIMITS.maxDepth || elements > PAGE_STRUCTURE_LIMITS.maxElements) {
    // The feed's text stands in when the page fails, so it is kept rather than refused: without its
    // markup, which jsdom could not even build (50,000 nested elements overflow its stack).
    return decodeEntities(cleaned.replace(/<[^>]*>/g, ' '))
      .replace(/[\s\u00a0]+/g, ' ')
      .trim();
  }
  // A fragment is parsed in jsdom's shared template document: no window per call.
  return blockText(JSDOM.fragment(cleaned));
}

/** Refuses a page whose element tree would run extraction away, naming the figure that is over. */
function refuseRunawayStructure(html: string, url: string): void {
  const { maxDepth, maxElements } = PAGE_STRUCTURE_LIMITS;
  // Scanned to the end, not stopped at the limit, so the reason gives the page's real figure: the scan
  // is linear (186 ms for all 91 dev pages), a trifle beside what jsdom would have spent.
  const { depth, elements } = measurePageStructure(html);
  const n = (x: number) => x.toLocaleString('en-US');
  let detail: string | null = null;
  if (depth > maxDepth) detail = `page nests elements ${n(depth)} deep (limit ${n(maxDepth)})`;
  else if (elements > maxElements) detail = `page holds ${n(elements)} elements (limit ${n(maxElements)})`;
  if (detail === null) return;
  throw new PipelineError({
    code: 'EXTRACT_FAILED',
    stage: 'extract',
    culprit: url,
    detail: `${detail}; refused before parsing`,
    permanent: true,
  });
}

function isWebUrl(url: string): boolean {
  return /^https?:\/\//i.test(url) && URL.canParse(url);
}
