import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../src/model.ts';
import {
  CONTENT_HASH_VERSION,
  classifyItem,
  itemIdentity,
  type ItemIdentity,
} from '../../src/feeds/item-identity.ts';

/** An item as parseFeed returns it for a WordPress-style feed (the seed article's opening). */
function item(overrides: Partial<FeedItem> = {}): FeedItem {
  return {
    title: 'Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase of Gaza ceasefire',
    link: 'https://www.example-news.com/world/witkoff-miami-talks?utm_source=rss&utm_medium=feed',
    id: 'https://www.example-news.com/?p=431162',
    published: '2025-12-19T14:00:00.000Z',
    summary: '<p>US envoy Steve Witkoff will hold talks with Qatar, Egypt and Turkey in Miami on Friday.</p>',
    content:
      '<p>Washington D.C. – US President Donald Trump’s special envoy Steve Witkoff will hold crucial talks ' +
      'with senior officials from Qatar, Egypt, and Turkey in Miami on Friday.</p>' +
      '<p>Read the White House statement at <a href="https://www.whitehouse.gov/briefings/?utm_campaign=x">' +
      'https://www.whitehouse.gov/briefings/?utm_campaign=x</a>.</p>',
    ...overrides,
  };
}

const base = itemIdentity(item());

describe('itemIdentity', () => {
  it('canonical-url-guid-and-versioned-hash', () => {
    expect(base).toEqual({
      canonicalUrl: 'https://www.example-news.com/world/witkoff-miami-talks',
      guid: 'https://www.example-news.com/?p=431162',
      contentHash: expect.stringMatching(new RegExp(`^${CONTENT_HASH_VERSION}:[0-9a-f]{32}$`)),
    });
  });

  it.each([
    {
      name: 'guid-url-stands-in-for-missing-link',
      overrides: { link: null, id: 'https://www.example-news.com/?p=431162&utm_source=rss' },
      canonicalUrl: 'https://www.example-news.com/?p=431162',
      guid: 'https://www.example-news.com/?p=431162&utm_source=rss',
    },
    {
      name: 'no-link-and-non-url-guid-gives-empty-url',
      overrides: { link: null, id: 'tag:example-news.com,2025:431162' },
      canonicalUrl: '',
      guid: 'tag:example-news.com,2025:431162',
    },
    {
      name: 'blank-guid-is-null',
      overrides: { id: '   ' },
      canonicalUrl: 'https://www.example-news.com/world/witkoff-miami-talks',
      guid: null,
    },
    {
      name: 'google-news-link-unwrapped',
      overrides: {
        link: 'https://news.google.com/rss/articles/CBMiLmh0dHBzOi8vd3d3LmJiYy5jb20vbmV3cy9hcnRpY2xlcy9jampqbnhkdjE4OG_SATJodHRwczovL3d3dy5iYmMuY29tL25ld3MvYXJ0aWNsZXMvY2pqam54ZHYxODhvLmFtcA?oc=5',
        id: 'CBMiLmh0dHBzOi8vd3d3LmJiYy5jb20vbmV3cy9hcnRpY2xlcy9jampqbnhkdjE4OG_SATJodHRwczovL3d3dy5iYmMuY29tL25ld3MvYXJ0aWNsZXMvY2pqam54ZHYxODhvLmFtcA',
      },
      canonicalUrl: 'https://www.bbc.com/news/articles/cjjjnxdv188o',
      guid: 'CBMiLmh0dHBzOi8vd3d3LmJiYy5jb20vbmV3cy9hcnRpY2xlcy9jampqbnhkdjE4OG_SATJodHRwczovL3d3dy5iYmMuY29tL25ld3MvYXJ0aWNsZXMvY2pqam54ZHYxODhvLmFtcA',
    },
  ])('$name', ({ overrides, canonicalUrl, guid }) => {
    const identity = itemIdentity(item(overrides));
    expect(identity.canonicalUrl).toBe(canonicalUrl);
    expect(identity.guid).toBe(guid);
  });

  it.each([
    { name: 'whitespace-reflowed', overrides: { summary: `  ${item().summary.replace(/ /g, '\n   ')}\n` } },
    {
      name: 'markup-changed',
      overrides: {
        summary: item().summary.replace('<p>', '<div class="lede"><span>').replace('</p>', '</span></div>'),
      },
    },
    {
      name: 'entities-instead-of-characters',
      overrides: { content: item().content.replace('’', '&#8217;').replace('–', '&ndash;') },
    },
    {
      name: 'straight-quotes-and-hyphens',
      overrides: { content: item().content.replace('’', "'").replace('–', '-') },
    },
    { name: 'title-case-changed', overrides: { title: item().title.toUpperCase() } },
    {
      name: 'tracking-param-in-link-inside-content',
      overrides: { content: item().content.replaceAll('utm_campaign=x', 'utm_campaign=y&fbclid=z') },
    },
    {
      name: 'comment-and-script-added',
      overrides: { content: `${item().content}<!-- cache 12:01 --><script>var t = 1;</script>` },
    },
    {
      name: 'link-and-dates-ignored',
      overrides: {
        link: 'https://www.example-news.com/world/other-slug',
        published: null,
        updated: '2025-12-20T00:00:00.000Z',
      },
    },
  ])('hash-ignores-$name', ({ overrides }) => {
    expect(itemIdentity(item(overrides)).contentHash).toBe(base.contentHash);
  });

  it.each([
    {
      name: 'title-rewritten',
      overrides: { title: 'Witkoff meets Qatar, Egypt and Turkey in Miami as Gaza truce falters' },
    },
    {
      name: 'sentence-added',
      overrides: { content: `${item().content}<p>Netanyahu will meet Trump on December 29.</p>` },
    },
    { name: 'number-corrected', overrides: { summary: item().summary.replace('Friday', 'Saturday') } },
  ])('hash-changes-when-$name', ({ overrides }) => {
    expect(itemIdentity(item(overrides)).contentHash).not.toBe(base.contentHash);
  });
});

describe('classifyItem', () => {
  const edited: ItemIdentity = { ...base, contentHash: `${CONTENT_HASH_VERSION}:${'0'.repeat(32)}` };
  const own = { ...base, updatedCount: 0, scope: 'feed' as const };
  const moved = 'https://www.example-news.com/world/new-slug';
  it.each([
    { name: 'never-seen-is-new', identity: base, known: null, expected: 'new' },
    { name: 'same-hash-is-unchanged', identity: base, known: own, expected: 'unchanged' },
    {
      name: 'same-url-other-guid-same-hash-is-unchanged',
      identity: base,
      known: { ...own, guid: 'urn:other-feed:77' },
      expected: 'unchanged',
    },
    { name: 'same-url-new-hash-is-updated', identity: edited, known: own, expected: 'updated' },
    {
      name: 'found-by-guid-url-moved-same-hash-is-moved',
      identity: { ...base, canonicalUrl: moved },
      known: own,
      expected: 'moved',
    },
    {
      name: 'found-by-guid-url-moved-new-hash-is-moved',
      identity: { ...edited, canonicalUrl: moved },
      known: own,
      expected: 'moved',
    },
    {
      // Another feed's summary of the same page differs without the page changing: not an edit.
      name: 'brought-by-another-feed-is-elsewhere-whatever-the-hash',
      identity: edited,
      known: { ...own, scope: 'elsewhere' as const },
      expected: 'elsewhere',
    },
    {
      name: 'hash-of-older-normalisation-is-unchanged',
      identity: base,
      known: { ...own, contentHash: `c0:${'f'.repeat(32)}` },
      expected: 'unchanged',
    },
  ] as const)('$name', ({ identity, known, expected }) => {
    expect(classifyItem(identity, known)).toBe(expected);
  });
});
