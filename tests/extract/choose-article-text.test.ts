import { describe, expect, it } from 'vitest';
import { chooseArticleText } from '../../src/extract/choose-article-text.ts';
import type { ExtractedArticle } from '../../src/model.ts';

const article = (text: string, paywalled = false): ExtractedArticle => ({
  url: 'https://news.example/a',
  title: 'Truce holds',
  byline: null,
  published: null,
  modified: null,
  canonicalUrl: null,
  lang: 'en',
  siteName: null,
  leadImage: null,
  paywalled,
  textSource: 'readability',
  text,
});
const FULL = 'Aid trucks crossed at Rafah. '.repeat(20).trim();
const SUMMARY = 'Aid trucks crossed at Rafah.';

describe('chooseArticleText', () => {
  it.each([
    { name: 'no-page-uses-feed', page: null, feed: SUMMARY, source: 'feed', text: SUMMARY },
    { name: 'empty-page-uses-feed', page: article('  '), feed: SUMMARY, source: 'feed', text: SUMMARY },
    { name: 'no-feed-uses-page', page: article(FULL), feed: '', source: 'page', text: FULL },
    { name: 'summary-feed-keeps-page', page: article(FULL), feed: SUMMARY, source: 'page', text: FULL },
    {
      name: 'full-feed-same-length-keeps-page',
      page: article(FULL),
      feed: `${FULL} More.`,
      source: 'page',
      text: FULL,
    },
    {
      name: 'paywall-teaser-longer-feed',
      page: article(`${SUMMARY} Subscribe`, true),
      feed: FULL,
      source: 'feed',
      text: FULL,
    },
    {
      name: 'paywall-teaser-shorter-feed',
      page: article(FULL, true),
      feed: SUMMARY,
      source: 'page',
      text: FULL,
    },
    {
      name: 'fragment-under-half-of-feed',
      page: article(SUMMARY.repeat(3)),
      feed: FULL,
      source: 'feed',
      text: FULL,
    },
    { name: 'both-empty-gives-empty-feed', page: null, feed: '', source: 'feed', text: '' },
  ])('$name', ({ page, feed, source, text }) => {
    expect(chooseArticleText(page, feed)).toEqual({ source, text });
  });
});
