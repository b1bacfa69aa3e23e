import { describe, expect, it } from 'vitest';
import { readJsonLd } from '../../src/extract/json-ld.ts';

describe('readJsonLd', () => {
  it.each([
    {
      name: 'bare-news-article',
      blocks: [
        '{"@context":"https://schema.org","@type":"NewsArticle","headline":"Truce holds","datePublished":"2025-10-10T09:00:00+03:00","dateModified":"2025-10-10T12:00:00+03:00","author":{"@type":"Person","name":"Jane Doe"},"image":"https://news.example/a.jpg","publisher":{"@type":"Organization","name":"News Example"},"articleBody":"Aid trucks crossed."}',
      ],
      expected: {
        headline: 'Truce holds',
        datePublished: '2025-10-10T09:00:00+03:00',
        dateModified: '2025-10-10T12:00:00+03:00',
        authors: ['Jane Doe'],
        image: 'https://news.example/a.jpg',
        publisher: 'News Example',
        articleBody: 'Aid trucks crossed.',
        paywalled: false,
      },
    },
    {
      name: 'graph-with-webpage-and-article',
      blocks: [
        '{"@graph":[{"@type":"WebPage","datePublished":"2025-01-01T00:00:00Z"},{"@type":["Article","NewsArticle"],"headline":"Talks resume","datePublished":"2025-01-19T08:30:00Z","author":[{"name":"A One"},{"name":"B Two"}],"image":[{"@type":"ImageObject","url":"https://x.example/i.jpg"}]}]}',
      ],
      expected: {
        headline: 'Talks resume',
        datePublished: '2025-01-19T08:30:00Z',
        authors: ['A One', 'B Two'],
        image: 'https://x.example/i.jpg',
        paywalled: false,
      },
    },
    {
      name: 'array-of-blocks-and-string-author',
      blocks: ['[{"@type":"BreadcrumbList"},{"@type":"BlogPosting","author":"Regan","headline":"Hike kit"}]'],
      expected: { headline: 'Hike kit', authors: ['Regan'], paywalled: false },
    },
    {
      name: 'invalid-json-ignored',
      blocks: [
        '{"@type":"NewsArticle", "headline": oops}',
        '{"@type":"NewsArticle","headline":"Second block"}',
      ],
      expected: { headline: 'Second block', authors: [], paywalled: false },
    },
    {
      name: 'raw-newline-inside-string-repaired',
      blocks: ['{"@type":"NewsArticle","articleBody":"Line one\nLine two"}'],
      expected: { articleBody: 'Line one Line two', authors: [], paywalled: false },
    },
    {
      name: 'paywall-on-article',
      blocks: ['{"@type":"NewsArticle","isAccessibleForFree":"False","headline":"Members only"}'],
      expected: { headline: 'Members only', authors: [], paywalled: true },
    },
    {
      name: 'paywall-on-part',
      blocks: [
        '{"@type":"NewsArticle","isAccessibleForFree":true,"hasPart":{"@type":"WebPageElement","isAccessibleForFree":false,"cssSelector":".paywall"}}',
      ],
      expected: { authors: [], paywalled: true },
    },
    { name: 'nothing', blocks: [], expected: { authors: [], paywalled: false } },
  ])('$name', ({ blocks, expected }) => {
    expect(readJsonLd(blocks)).toEqual(expected);
  });
});
