import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { readPageMetadata } from '../../src/extract/page-metadata.ts';

const URL_ = 'https://news.example/world/truce-holds';
const read = (head: string, body = '<p>Story.</p>', lang = 'en') =>
  readPageMetadata(
    new JSDOM(`<html lang="${lang}"><head>${head}</head><body>${body}</body></html>`, { url: URL_ }).window
      .document,
    URL_,
  );

describe('readPageMetadata', () => {
  it.each([
    {
      name: 'open-graph-and-article-meta',
      head: `<meta property="og:title" content="Truce holds"><meta property="og:site_name" content="News Example">
        <meta property="article:published_time" content="2025-10-10T09:00:00+03:00"><meta property="article:modified_time" content="2025-10-10T10:30:00+03:00">
        <meta property="og:image" content="/img/lead.jpg"><meta property="og:url" content="https://news.example/a/1"><meta name="author" content="Jane Doe">`,
      expected: {
        title: 'Truce holds',
        siteName: 'News Example',
        published: '2025-10-10T06:00:00.000Z',
        modified: '2025-10-10T07:30:00.000Z',
        leadImage: 'https://news.example/img/lead.jpg',
        canonicalUrl: 'https://news.example/a/1',
        byline: 'Jane Doe',
        paywalled: false,
      },
    },
    {
      name: 'link-canonical-beats-og-url',
      head: '<link rel="canonical" href="/world/truce-holds?amp=0"><meta property="og:url" content="https://other.example/x">',
      expected: { canonicalUrl: 'https://news.example/world/truce-holds?amp=0' },
    },
    {
      name: 'json-ld-fills-what-meta-lacks',
      head: `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Talks resume","datePublished":"2025-01-19T08:30:00Z",
        "dateModified":"2025-01-19T09:00:00Z","author":[{"name":"A One"},{"name":"B Two"}],"image":{"url":"//cdn.example/i.jpg"},
        "publisher":{"name":"Example Times"}}</script>`,
      expected: {
        title: 'Talks resume',
        published: '2025-01-19T08:30:00.000Z',
        modified: '2025-01-19T09:00:00.000Z',
        byline: 'A One, B Two',
        leadImage: 'https://cdn.example/i.jpg',
        siteName: 'Example Times',
      },
    },
    {
      name: 'twitter-image',
      head: '<meta name="twitter:image" content="https://news.example/t.jpg">',
      expected: { leadImage: 'https://news.example/t.jpg' },
    },
    {
      name: 'author-profile-url-is-not-a-byline',
      head: '<meta property="article:author" content="https://www.facebook.com/janedoe">',
      expected: { byline: null },
    },
    {
      name: 'unparseable-date-is-null',
      head: '<meta property="article:published_time" content="last Tuesday">',
      expected: { published: null },
    },
    {
      name: 'json-ld-paywall',
      head: '<script type="application/ld+json">{"@type":"NewsArticle","isAccessibleForFree":false}</script>',
      expected: { paywalled: true },
    },
  ])('$name', ({ head, expected }) => {
    expect(read(head)).toMatchObject(expected);
  });

  it.each([
    {
      name: 'time-element-when-nothing-else',
      body: '<time datetime="2025-03-18T02:00:00Z">18 March</time>',
      published: '2025-03-18T02:00:00.000Z',
    },
    { name: 'no-date-anywhere', body: '<p>Story.</p>', published: null },
  ])('$name', ({ body, published }) => {
    expect(read('', body).published).toBe(published);
  });

  it.each([
    {
      name: 'paywall-class',
      body: '<div class="ArticlePage-content paywall"><p>Story.</p></div>',
      paywalled: true,
    },
    { name: 'subscribe-to-continue-text', body: '<p>Subscribe to continue reading.</p>', paywalled: true },
    { name: 'already-a-subscriber', body: '<p>Already a subscriber? Log in</p>', paywalled: true },
    {
      name: 'premium-class-alone-is-not-a-paywall',
      body: '<div class="ctx_content p402_premium"><p>Story.</p></div>',
      paywalled: false,
    },
    { name: 'plain-page', body: '<p>Story.</p>', paywalled: false },
  ])('$name', ({ body, paywalled }) => {
    expect(read('', body).paywalled).toBe(paywalled);
  });

  it.each([
    { name: 'html-lang', lang: 'ar', expected: 'ar' },
    { name: 'empty-lang-is-null', lang: '', expected: null },
  ])('$name', ({ lang, expected }) => {
    expect(read('', '<p>x</p>', lang).lang).toBe(expected);
  });
});
