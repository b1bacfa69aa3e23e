/**
 * Page text or feed text: which one an article keeps. Most feeds carry a summary (a sentence or two), so
 * the extracted page normally wins; some carry the whole story in `content:encoded`, and then it is the
 * better text wherever the page gave less: nothing, a paywall teaser, or a fragment Readability caught.
 */
import type { ExtractedArticle } from '../model.ts';

/**
 * The feed text replaces the page text when the page text is shorter than this share of it. The same
 * margin as the JSON-LD fallback (extract-article.ts): where page and full-text feed are the same story
 * their lengths agree within a few percent (the page adds captions, the feed drops them); a page below half
 * the feed's length has lost paragraphs, not boilerplate. Not tuned on a dataset: the extraction benchmark
 * has no feeds.
 */
export const FEED_TEXT_MIN_SHARE = 0.5;

/** Which text was kept. */
export interface ChosenText {
  text: string;
  source: 'page' | 'feed';
}

/**
 * Choose between the extracted page text and the feed item's text. Rules, in order:
 * 1. no page text (fetch or extraction failed) → feed;
 * 2. no feed text → page;
 * 3. the page is a paywall teaser and the feed text is longer → feed;
 * 4. the page text is shorter than {@link FEED_TEXT_MIN_SHARE} of the feed text → feed;
 * 5. otherwise → page (a summary feed is shorter, and the page has the whole story).
 *
 * @example
 * chooseArticleText(null, 'Truce holds.'); // { text: 'Truce holds.', source: 'feed' }
 * chooseArticleText({ ...article, text: 'Truce holds. Aid enters.' }, 'Truce holds.'); // source 'page'
 */
export function chooseArticleText(extracted: ExtractedArticle | null, feedText: string): ChosenText {
  const page = extracted?.text.trim() ?? '';
  const feed = feedText.trim();
  if (!page) return { text: feed, source: 'feed' };
  if (!feed) return { text: page, source: 'page' };
  if (extracted?.paywalled && feed.length > page.length) return { text: feed, source: 'feed' };
  if (page.length < feed.length * FEED_TEXT_MIN_SHARE) return { text: feed, source: 'feed' };
  return { text: page, source: 'page' };
}
