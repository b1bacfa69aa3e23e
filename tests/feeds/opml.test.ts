import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { buildOpml, parseOpml, type OpmlFeed } from '../../src/feeds/opml.ts';
import type { FeedConfig } from '../../src/model.ts';
import { fixture } from '../helpers/pipeline-setup.ts';

describe('parseOpml on exports shaped like the readers write them', () => {
  it.each<{ name: string; file: string; expected: OpmlFeed[] }>([
    {
      name: 'feedly-folders-and-a-feed-in-two-folders',
      file: 'opml/feedly--subscriptions.opml',
      expected: [
        {
          title: 'Al Jazeera – Breaking News, World News and Video from Al Jazeera',
          url: 'https://www.aljazeera.com/xml/rss/all.xml',
          htmlUrl: 'https://www.aljazeera.com',
          category: 'Middle East',
          labels: ['Middle East'],
        },
        {
          title: 'BBC News - Middle East',
          url: 'https://feeds.bbci.co.uk/news/world/middle_east/rss.xml',
          htmlUrl: 'https://www.bbc.co.uk/news/world/middle_east',
          category: 'Middle East',
          labels: ['Middle East'],
        },
        {
          title: 'The Times of Israel',
          url: 'https://www.timesofisrael.com/feed/',
          htmlUrl: 'https://www.timesofisrael.com',
          category: 'Middle East',
          labels: ['Middle East'],
        },
        {
          title: 'UN News - Middle East',
          url: 'https://news.un.org/feed/subscribe/en/news/region/middle-east/feed/rss.xml',
          htmlUrl: 'https://news.un.org/en/news/region/middle-east',
          category: 'Wires & agencies',
          labels: ['Wires & agencies'],
        },
      ],
    },
    {
      name: 'inoreader-escaped-titles-and-a-top-level-feed',
      file: 'opml/inoreader--subscriptions.opml',
      expected: [
        {
          title: 'Israel-Hamas war | The Guardian',
          url: 'https://www.theguardian.com/world/israel-hamas-war/rss',
          htmlUrl: 'https://www.theguardian.com/world/israel-hamas-war',
          category: 'Israel-Gaza',
          labels: ['Israel-Gaza'],
        },
        {
          title: 'NYT > World > Middle East',
          url: 'https://rss.nytimes.com/services/xml/rss/nyt/MiddleEast.xml',
          htmlUrl: 'https://www.nytimes.com/section/world/middleeast',
          category: 'Israel-Gaza',
          labels: ['Israel-Gaza'],
        },
        {
          title: 'France 24 - Middle East',
          url: 'https://www.france24.com/en/middle-east/rss',
          htmlUrl: 'https://www.france24.com/en/middle-east/',
          labels: [],
        },
      ],
    },
    {
      name: 'miniflux-go-escapes-and-an-empty-category',
      file: 'opml/miniflux--export.opml',
      expected: [
        {
          title: 'Middle East Eye',
          url: 'https://www.middleeasteye.net/rss',
          htmlUrl: 'https://www.middleeasteye.net/',
          category: 'All',
          labels: ['All'],
        },
        {
          title: 'Qatar\'s "mediation" desk',
          url: 'https://example.org/search/rss?q=qatar&lang=en',
          htmlUrl: 'https://example.org/search?q=qatar&lang=en',
          category: 'All',
          labels: ['All'],
        },
      ],
    },
  ])('$name', async ({ file, expected }) => {
    expect(parseOpml(await readFile(fixture(file), 'utf8'), file)).toEqual(expected);
  });
});

describe('parseOpml tolerance', () => {
  it.each<{ name: string; xml: string; expected: Partial<OpmlFeed>[] }>([
    {
      name: 'bare-ampersand-in-url',
      xml: '<opml version="1.0"><body><outline title="Feed 1"><outline type="rss" title="Feed 1" xmlUrl="http://example.org/feed1/a&b" htmlUrl="http://example.org/c&d"/></outline></body></opml>',
      expected: [
        { url: 'http://example.org/feed1/a&b', htmlUrl: 'http://example.org/c&d', category: 'Feed 1' },
      ],
    },
    {
      name: 'html-entity-in-title',
      xml: '<opml><body><outline text="Caf&eacute; &amp; Politique &bogus;" xmlUrl="https://example.org/rss"/></body></opml>',
      expected: [{ title: 'Café & Politique &bogus;', url: 'https://example.org/rss' }],
    },
    {
      name: 'rssowl-nested-sets-take-the-innermost-folder',
      xml: '<opml xmlns:rssowl="http://www.rssowl.org" version="1.1"><body><outline text="My Feeds" rssowl:isSet="true"><outline text="Some Category"><outline type="rss" title="Feed 1" xmlUrl="http://example.org/feed1/"/></outline></outline></body></opml>',
      expected: [{ title: 'Feed 1', category: 'Some Category' }],
    },
    {
      name: 'nameless-wrapper-keeps-the-parent-folder',
      xml: '<opml><body><outline text="News"><outline><outline xmlUrl="https://example.org/rss"/></outline></outline></body></opml>',
      expected: [{ url: 'https://example.org/rss', category: 'News' }],
    },
    {
      name: 'text-only-outline-and-lower-case-xmlurl',
      xml: '<opml><body><outline text="Only text" xmlurl="https://example.org/rss"/></body></opml>',
      expected: [{ title: 'Only text', url: 'https://example.org/rss' }],
    },
    {
      name: 'opml-2-category-attribute-becomes-labels',
      xml: '<opml version="2.0"><body><outline text="Wires"><outline text="x" xmlUrl="https://example.org/rss" category="/middle-east,/wire/,Wires"/></outline></body></opml>',
      expected: [{ category: 'Wires', labels: ['Wires', 'middle-east', 'wire'] }],
    },
    {
      name: 'outline-without-xmlurl-is-no-feed',
      xml: '<opml><body><outline text="A link" type="link" url="https://example.org/"/></body></opml>',
      expected: [],
    },
    { name: 'no-body', xml: '<opml version="2.0"><head><title>x</title></head></opml>', expected: [] },
  ])('$name', ({ xml, expected }) => {
    const feeds = parseOpml(xml, 'subs.opml');
    expect(feeds).toHaveLength(expected.length);
    feeds.forEach((feed, i) => expect(feed).toMatchObject(expected[i] ?? {}));
  });

  it.each([
    { name: 'not-xml', xml: 'garbage', detail: /subs\.opml: not XML/ },
    {
      name: 'html-not-opml',
      xml: '<html><body><p>hi</p></body></html>',
      detail: /subs\.opml: root element is <html>, not <opml>/,
    },
  ])('rejects-$name', ({ xml, detail }) => {
    let error: unknown = null;
    try {
      parseOpml(xml, 'subs.opml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).message).toMatch(detail);
    expect((error as PipelineError).code).toBe('CONFIG_INVALID');
  });
});

describe('buildOpml', () => {
  const feeds: FeedConfig[] = [
    {
      id: 'aljazeera-all',
      title: 'Al Jazeera – all news',
      url: 'https://www.aljazeera.com/xml/rss/all.xml',
      intervalMinutes: 10,
      labels: ['middle-east', 'wire'],
    },
    {
      id: 'bbc-middle-east',
      title: 'BBC News – Middle East',
      url: 'https://feeds.bbci.co.uk/news/world/middle_east/rss.xml',
      intervalMinutes: 10,
      labels: ['middle-east'],
    },
    {
      id: 'odd',
      title: 'Quotes "and" <tags> & \'apostrophes\'',
      url: 'https://example.org/rss?a=1&b=2',
      intervalMinutes: 15,
      labels: [],
    },
    { id: 'untitled', url: 'https://example.org/untitled.xml', intervalMinutes: 15, labels: ['israel'] },
  ];

  it('round-trips-through-parseOpml', () => {
    const parsed = parseOpml(buildOpml(feeds, 'ceasefire-watch feeds'), 'export.opml');
    const back = parsed.map((f) => ({ title: f.title, url: f.url, labels: f.labels }));
    // Ordered by folder (first label), then the feeds without labels; an untitled feed is named by its id.
    expect(back).toEqual([
      {
        title: 'Al Jazeera – all news',
        url: 'https://www.aljazeera.com/xml/rss/all.xml',
        labels: ['middle-east', 'wire'],
      },
      {
        title: 'BBC News – Middle East',
        url: 'https://feeds.bbci.co.uk/news/world/middle_east/rss.xml',
        labels: ['middle-east'],
      },
      { title: 'untitled', url: 'https://example.org/untitled.xml', labels: ['israel'] },
      { title: 'Quotes "and" <tags> & \'apostrophes\'', url: 'https://example.org/rss?a=1&b=2', labels: [] },
    ]);
  });

  it('writes-well-formed-opml-2-with-folders', () => {
    const xml = buildOpml(feeds.slice(0, 2), 'Mine & yours');
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        '  <head>',
        '    <title>Mine &amp; yours</title>',
        '  </head>',
        '  <body>',
        '    <outline text="middle-east" title="middle-east">',
        '      <outline type="rss" text="Al Jazeera – all news" title="Al Jazeera – all news" xmlUrl="https://www.aljazeera.com/xml/rss/all.xml" category="middle-east,wire"/>',
        '      <outline type="rss" text="BBC News – Middle East" title="BBC News – Middle East" xmlUrl="https://feeds.bbci.co.uk/news/world/middle_east/rss.xml" category="middle-east"/>',
        '    </outline>',
        '  </body>',
        '</opml>',
        '',
      ].join('\n'),
    );
  });
});
