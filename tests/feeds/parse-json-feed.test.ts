import { describe, expect, it } from 'vitest';
import { looksLikeJsonFeed, parseJsonFeed } from '../../src/feeds/parse-json-feed.ts';
import { PipelineError } from '../../src/errors.ts';

const V11 = 'https://jsonfeed.org/version/1.1';

describe('parseJsonFeed', () => {
  it.each([
    { name: 'object-body', text: ' {"version": 1}', contentType: undefined, expected: true },
    {
      name: 'json-content-type',
      text: 'x',
      contentType: 'application/feed+json; charset=utf-8',
      expected: true,
    },
    { name: 'xml-labelled-json', text: '<rss/>', contentType: 'application/json', expected: false },
    { name: 'xml', text: '<rss/>', contentType: 'application/rss+xml', expected: false },
  ])('looks-like-$name', ({ text, contentType, expected }) => {
    expect(looksLikeJsonFeed(text, contentType)).toBe(expected);
  });

  it.each([
    {
      name: 'url-title-html-dates',
      item: {
        id: '1',
        url: '/a',
        title: ' T ',
        content_html: '<img src="i.png">',
        date_published: '2024-01-02T03:04:05+01:00',
      },
      expected: {
        id: '1',
        link: 'https://ex.com/a',
        title: 'T',
        content: '<img src="https://ex.com/i.png">',
        published: '2024-01-02T02:04:05.000Z',
      },
    },
    {
      name: 'external-url-and-text-content',
      item: { id: 2, external_url: 'https://other.com/b', content_text: 'x & y' },
      expected: { id: '2', link: 'https://other.com/b', content: 'x &amp; y', published: null },
    },
    {
      name: 'out-of-range-date-is-none',
      item: { id: '3', date_published: '2024-13-45T00:00:00Z' },
      expected: { id: '3', published: null },
    },
  ])('$name', ({ item, expected }) => {
    const feed = parseJsonFeed(
      JSON.stringify({ version: V11, title: 'F', items: [item] }),
      'https://ex.com/feed.json',
    );
    expect(feed.items[0]).toMatchObject(expected);
  });

  it('skips-non-object-items', () => {
    const feed = parseJsonFeed(
      JSON.stringify({ version: V11, items: [null, 1, { id: 'a' }] }),
      'https://ex.com/f',
    );
    expect(feed.items.map((item) => item.id)).toEqual(['a']);
  });

  it.each([
    { name: 'not-json', text: '{nope' },
    { name: 'array', text: '[]' },
    { name: 'other-version', text: '{"version": "https://example.com/v1"}' },
  ])('rejects-$name', ({ text }) => {
    expect(() => parseJsonFeed(text, 'https://ex.com/f')).toThrow(PipelineError);
  });
});
