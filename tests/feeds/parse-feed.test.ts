import { readdirSync, readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { parseFeed } from '../../src/feeds/parse-feed.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url));

// Expected values from /work/shared/datasets/feeds/manifest.json for these cases.
describe('parseFeed', () => {
  it.each([
    {
      name: 'rss-2.0',
      file: 'feed-rs--rss-2.0-example-1.xml',
      url: 'https://www.example.com/feed.xml',
      feed: { title: 'RSS Title', link: 'http://www.example.com/main.html' },
      count: 1,
      item: {
        title: 'Example entry',
        link: 'http://www.example.com/blog/post/1',
        id: '7bd204c6-1655-4c27-aeee-53f933c5395f',
        published: '2009-09-06T16:20:00.000Z',
      },
    },
    {
      name: 'atom-1.0-with-content-xml-base',
      file: 'numi.st--atom-xml-base.xml',
      url: 'https://numi.st/feed.xml',
      feed: { title: 'my cool website title' },
      count: 1,
      item: {
        title: 'my cool entry title',
        id: 'https://numi.st/post/2022/travel-uke',
        published: '2022-04-21T00:00:00.000Z',
        content: '<p><img src="https://numi.st/post/2022/travel-uke/IMG_1232.jpeg" /></p>',
      },
    },
    {
      name: 'rss-1.0',
      file: 'feed-rs--rss-1.0-example-1.xml',
      url: 'https://www.example.com/rss.rdf',
      feed: { title: 'Feed title', link: 'http://www.example.com/main.html' },
      count: 2,
      item: { title: '記事1のタイトル', id: '記事1のURL', published: '2017-06-13T09:00:00.000Z' },
    },
    {
      name: 'version-less-rss-with-html-entity',
      file: 'feedparser--entity-eth-no-version.xml',
      url: 'https://example.com/feed',
      feed: { title: 'testing ð entity', link: null },
      count: 0,
      item: undefined,
    },
    {
      name: 'relative-link-in-description',
      file: 'feedparser--relative-description-link.xml',
      url: 'http://127.0.0.1:8097/tests/wellformed/base/http_item_description_spaces.xml',
      feed: { title: '' },
      count: 1,
      item: { summary: '<a href="http://127.0.0.1:8097/relative/uri">click here</a>' },
    },
    {
      name: 'invalid-atom-published-keeps-item-without-date',
      file: 'feedparser--invalid-atom-published.xml',
      url: 'http://example.com/feed',
      feed: { title: 'Date test', link: 'http://example.com/' },
      count: 1,
      item: {
        title: 'Dated item',
        link: 'http://example.com/1',
        published: null,
        updated: '2024-01-01T00:00:00.000Z',
      },
    },
  ])('$name', async ({ file, url, feed, count, item }) => {
    const parsed = await parseFeed(fixture(file), url);
    expect(parsed).toMatchObject(feed);
    expect(parsed.items).toHaveLength(count);
    if (item) expect(parsed.items[0]).toMatchObject(item);
    expect(parsed.encoding).toBe('utf-8');
  });

  it.each([
    {
      name: 'guid-stands-in-for-link',
      xml: '<rss version="2.0"><channel><item><guid>/news/1</guid></item></channel></rss>',
      item: { link: 'https://example.com/news/1', id: '/news/1' },
    },
    {
      name: 'guid-not-permalink-is-no-link',
      xml: '<rss version="2.0"><channel><item><guid isPermaLink="false">abc</guid></item></channel></rss>',
      item: { link: null, id: 'abc' },
    },
    {
      name: 'html-title-becomes-plain-text',
      xml: '<rss version="2.0"><channel><item><title>Truce &amp;amp; aid &lt;b&gt;now&lt;/b&gt;</title></item></channel></rss>',
      item: { title: 'Truce & aid now' },
    },
    {
      name: 'named-zone-date',
      xml: '<rss version="2.0"><channel><item><pubDate>Mon, 26 Jan 2004 16:31:00 EST</pubDate></item></channel></rss>',
      item: { published: '2004-01-26T21:31:00.000Z' },
    },
    {
      name: 'garbage-date-is-null',
      xml: '<rss version="2.0"><channel><item><pubDate>yesterday-ish</pubDate></item></channel></rss>',
      item: { published: null },
    },
    {
      name: 'dcterms-issued-is-the-publication-date',
      xml: '<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/"><channel><item><dcterms:issued>2025-01-19T08:30:00+02:00</dcterms:issued></item></channel></rss>',
      item: { published: '2025-01-19T06:30:00.000Z' },
    },
    {
      name: 'dcterms-created-is-the-publication-date',
      xml: '<rss version="2.0" xmlns:terms="http://purl.org/dc/terms/"><channel><item><terms:created>Sun, 19 Jan 2025 08:30:00 GMT</terms:created><terms:modified>2025-01-20T00:00:00Z</terms:modified></item></channel></rss>',
      item: { published: '2025-01-19T08:30:00.000Z', updated: '2025-01-20T00:00:00.000Z' },
    },
    {
      name: 'asctime-pub-date',
      xml: '<rss version="2.0"><channel><item><pubDate>Sun Jan  4 16:29:06 2004</pubDate></item></channel></rss>',
      item: { published: '2004-01-04T16:29:06.000Z' },
    },
    {
      name: 'dc-description-is-the-summary',
      xml: '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="https://example.com/"><title>C</title></channel><item rdf:about="https://example.com/1"><title>T</title><dc:description>Aid trucks &lt;b&gt;cross&lt;/b&gt;</dc:description></item></rdf:RDF>',
      item: { id: 'https://example.com/1', summary: 'Aid trucks <b>cross</b>' },
    },
    {
      name: 'atom-relative-id-resolved-against-feed-xml-base',
      xml: '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/gaza/"><entry><id>2025/ceasefire</id></entry></feed>',
      item: { id: 'https://news.example/gaza/2025/ceasefire' },
    },
    {
      name: 'atom-relative-id-resolved-against-entry-xml-base',
      xml: '<feed xmlns="http://www.w3.org/2005/Atom"><entry xml:base="https://news.example/gaza/"><id>ceasefire?id=7</id></entry></feed>',
      item: { id: 'https://news.example/gaza/ceasefire?id=7' },
    },
    {
      name: 'atom-path-absolute-id-resolved-against-document-url',
      xml: '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>/relative/link</id></entry></feed>',
      item: { id: 'https://example.com/relative/link' },
    },
    {
      name: 'atom-opaque-id-without-xml-base-kept',
      xml: '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>t3_glvkc5</id></entry></feed>',
      item: { id: 't3_glvkc5' },
    },
    {
      name: 'atom-absolute-id-kept-as-written',
      xml: '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/"><entry><id>http://www.EXAMPLE.org/%7Ebob</id></entry></feed>',
      item: { id: 'http://www.EXAMPLE.org/%7Ebob' },
    },
    {
      name: 'rss-guid-kept-as-written-under-xml-base',
      xml: '<rss version="2.0" xml:base="https://news.example/"><channel><item><guid>news/1</guid></item></channel></rss>',
      item: { id: 'news/1', link: 'https://news.example/news/1' },
    },
    {
      name: 'content-encoded-is-content',
      xml: '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><item><description>short</description><content:encoded><![CDATA[<p>long</p>]]></content:encoded></item></channel></rss>',
      item: { summary: 'short', content: '<p>long</p>' },
    },
  ])('$name', async ({ xml, item }) => {
    const parsed = await parseFeed(xml, 'https://example.com/feed.xml');
    expect(parsed.items[0]).toMatchObject(item);
  });

  // Constructed fixtures: UTF-8 news text written for these tests, sent in a legacy charset via iconv-lite.
  it.each([
    { name: 'hebrew', lang: 'he', charset: 'windows-1255', title: 'הפסקת האש בעזה נכנסה לתוקף' },
    { name: 'arabic', lang: 'ar', charset: 'windows-1256', title: 'دخول وقف إطلاق النار في غزة حيز التنفيذ' },
  ])('undeclared-$name-feed-is-decoded', async ({ lang, charset, title }) => {
    const bytes = iconv.encode(fixture(`constructed--gaza-ceasefire-${lang}.xml`).toString('utf8'), charset);
    const parsed = await parseFeed(bytes, `https://news.example/${lang}/rss`);
    expect(parsed.encoding).toBe(charset);
    expect(parsed.items).toHaveLength(3);
    expect(parsed.items[0]).toMatchObject({ title, published: '2025-01-19T00:30:00.000Z' });
  });

  it.each([
    { name: 'html-page', input: '<!doctype html><html><body><p>not a feed</p></body></html>' },
    { name: 'empty-input', input: '' },
    { name: 'unknown-root', input: '<?xml version="1.0"?><catalog><book/></catalog>' },
  ])('rejects-$name', async ({ input }) => {
    const error = await parseFeed(input, 'https://example.com/feed.xml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({
      code: 'FEED_UNPARSEABLE',
      stage: 'feeds',
      permanent: true,
      culprit: 'https://example.com/feed.xml',
    });
  });

  it.each([
    {
      name: 'rss-2.0-under-a-prefix-ignores-a-clashing-module',
      file: 'feedparser--rss2-prefixed-namespace.xml',
      feed: { title: 'RSS Tests - RSS2.0 w/ NS, no default NS, localName clash' },
      item: {
        title: 'Test Item - RSS2.0 w/ NS, no default NS, localName clash',
        summary: 'correct description',
        link: 'http://www.pocketsoap.com/weblog/rssTests/rss2.0NSwithModulesNoDefNSLocalNameClash.xml#1',
      },
    },
    {
      name: 'rss-1.0-under-a-prefix',
      file: 'feedparser--rss1-prefixed-namespace.xml',
      feed: { title: 'RSS Tests - RSS 1.0 no Default NS' },
      item: {
        title: 'Test Item - RSS 1.0 no Default NS',
        id: 'http://www.pocketsoap.com/weblog/rssTests/rss1.0withModulesNoDefNS.xml#1',
      },
    },
  ])('$name', async ({ file, feed, item }) => {
    const parsed = await parseFeed(fixture(file), 'http://www.pocketsoap.com/rssTests/');
    expect(parsed).toMatchObject(feed);
    expect(parsed.items).toHaveLength(1);
    expect(parsed.items[0]).toMatchObject(item);
  });

  it('json-feed-1.1', async () => {
    const parsed = await parseFeed(fixture('jsonfeed.org--feed.json'), 'https://www.jsonfeed.org/feed.json', {
      contentType: 'application/feed+json',
    });
    expect(parsed).toMatchObject({ title: 'JSON Feed', link: 'https://www.jsonfeed.org/', repairs: [] });
    expect(parsed.items).toHaveLength(2);
    expect(parsed.items[0]).toMatchObject({
      id: 'http://jsonfeed.micro.blog/2020/08/07/json-feed-version.html',
      link: 'https://www.jsonfeed.org/2020/08/07/json-feed-version.html',
      title: 'JSON Feed version 1.1',
      published: '2020-08-07T16:44:36.000Z',
    });
    expect(parsed.items[0]?.content).toContain('<a href="https://www.jsonfeed.org/version/1.1/">');
  });

  it.each([
    {
      name: 'json-feed-1.0-external-url-and-text',
      json: {
        version: 'https://jsonfeed.org/version/1',
        title: 'T',
        home_page_url: '/',
        items: [
          {
            id: 7,
            external_url: '/story/7',
            content_text: 'a < b',
            summary: 'S',
            date_modified: '2024-05-01T10:00:00Z',
          },
          'not an item',
          {
            id: 'x',
            url: 'https://ex.com/x',
            date_published: 'garbage',
            date_modified: '2024-05-01T10:00:00Z',
          },
        ],
      },
      items: [
        {
          id: '7',
          link: 'https://example.com/story/7',
          content: 'a &lt; b',
          summary: 'S',
          published: '2024-05-01T10:00:00.000Z',
        },
        { id: 'x', published: null, updated: '2024-05-01T10:00:00.000Z' },
      ],
    },
  ])('$name', async ({ json, items }) => {
    const parsed = await parseFeed(JSON.stringify(json), 'https://example.com/feed.json');
    expect(parsed.link).toBe('https://example.com/');
    expect(parsed.items).toHaveLength(items.length);
    items.forEach((item, i) => expect(parsed.items[i]).toMatchObject(item));
  });

  it.each([
    { name: 'json-without-version', input: '{"title": "x", "items": []}' },
    { name: 'broken-json', input: '{"version": "https://jsonfeed.org/version/1.1", "items": [' },
  ])('rejects-$name', async ({ input }) => {
    const error = await parseFeed(input, 'https://example.com/feed.json').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PipelineError', code: 'FEED_UNPARSEABLE' });
  });

  const ITEMS =
    '<item><title>One</title><link>https://ex.com/1</link></item>' +
    '<item><title>Two</title><link>https://ex.com/2</link></item>';
  it.each([
    {
      name: 'truncated-mid-item-keeps-complete-items',
      xml: `<rss version="2.0"><channel><title>T</title>${ITEMS}<item><title>Three</title><link>https://ex.co`,
      titles: ['One', 'Two', 'Three'],
      links: ['https://ex.com/1', 'https://ex.com/2', null],
      repairs: ['truncated document closed'],
    },
    {
      name: 'truncated-inside-end-tag',
      xml: `<rss version="2.0"><channel><title>T</title>${ITEMS}</channel></rs`,
      titles: ['One', 'Two'],
      links: ['https://ex.com/1', 'https://ex.com/2'],
      repairs: ['truncated document closed'],
    },
    {
      name: 'junk-before-declaration-bare-amp-and-html-entity',
      xml: `Warning: headers sent\n<?xml version="1.0"?><rss version="2.0"><channel><title>Q&A &eacute;t&eacute;</title>${ITEMS}</channel></rss>`,
      titles: ['One', 'Two'],
      links: ['https://ex.com/1', 'https://ex.com/2'],
      repairs: ['junk before XML declaration', 'bare & escaped', 'HTML entities replaced'],
    },
    {
      name: 'well-formed-has-no-repairs',
      xml: `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>${ITEMS}</channel></rss>`,
      titles: ['One', 'Two'],
      links: ['https://ex.com/1', 'https://ex.com/2'],
      repairs: [],
    },
  ])('$name', async ({ xml, titles, links, repairs }) => {
    const parsed = await parseFeed(xml, 'https://ex.com/feed');
    expect(parsed.items.map((item) => item.title)).toEqual(titles);
    expect(parsed.items.map((item) => item.link)).toEqual(links);
    expect(parsed.repairs).toEqual(repairs);
  });

  it('incomplete-cdata-keeps-the-item', async () => {
    const parsed = await parseFeed(fixture('feedparser--incomplete-cdata.xml'), 'http://adcdefgh.com/rss');
    expect(parsed.title).toBe('can feedparser read this xml');
    expect(parsed.items).toHaveLength(1);
    expect(parsed.repairs).toContain('truncated document closed');
  });

  it('resolves-href-src-and-srcset-in-content-against-xml-base', async () => {
    const html =
      '&lt;a href="a.html"&gt;a&lt;/a&gt;&lt;img src="/i.jpg" srcset="s.jpg 1x, /l.jpg 2x"&gt;&lt;a href="#top"&gt;t&lt;/a&gt;';
    const xml = `<rss version="2.0"><channel><item xml:base="https://ex.com/news/"><description>${html}</description></item></channel></rss>`;
    const parsed = await parseFeed(xml, 'https://other.example/feed');
    expect(parsed.items[0]?.summary).toBe(
      '<a href="https://ex.com/news/a.html">a</a><img src="https://ex.com/i.jpg" ' +
        'srcset="https://ex.com/news/s.jpg 1x, https://ex.com/l.jpg 2x"><a href="#top">t</a>',
    );
  });

  it.each([
    { name: 'billion-laughs', file: 'attack--billion-laughs.xml' },
    { name: 'xxe', file: 'attack--xxe.xml' },
  ])('does-not-expand-$name', async ({ file }) => {
    const parsed = await parseFeed(fixture(file), 'https://example.com/feed');
    expect(parsed.items).toHaveLength(1);
    expect(parsed.items[0]?.link).toBe('https://example.com/1');
    const text = JSON.stringify(parsed);
    expect(text.length).toBeLessThan(2_000);
    expect(text).not.toContain('lollol');
    expect(text).not.toContain('root:');
  });

  /**
   * Property test (STYLE.md convention 11, without fast-check): deterministic random mutations of the
   * fixtures. 500 runs: enough to hit each mutation kind on each fixture many times, in a few seconds.
   */
  it('mutated-fixtures-resolve-or-reject-with-pipeline-error', async () => {
    const MUTATIONS = 500;
    const sources = readdirSync(new URL('../fixtures/feeds/', import.meta.url))
      .filter((name) => !name.startsWith('attack--'))
      .map(fixture);
    let seed = 20_251_010;
    // mulberry32: tiny, seeded, good enough to spread offsets.
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const below = (n: number) => Math.floor(random() * n);
    const mutate = (bytes: Buffer): Buffer => {
      const at = below(bytes.length + 1);
      switch (below(5)) {
        case 0:
          return bytes.subarray(0, at);
        case 1:
          return Buffer.concat([bytes.subarray(0, at), Buffer.from('&'), bytes.subarray(at)]);
        case 2:
          return Buffer.concat([bytes.subarray(0, at), Buffer.from('<'), bytes.subarray(at)]);
        case 3: {
          const noise = Buffer.from(Array.from({ length: 1 + below(8) }, () => below(256)));
          return Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at)]);
        }
        default:
          return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + below(200))]);
      }
    };
    const outcomes = { parsed: 0, rejected: 0 };
    for (let run = 0; run < MUTATIONS; run++) {
      let bytes: Buffer = sources[run % sources.length] ?? Buffer.alloc(0);
      for (let k = 1 + below(3); k > 0; k--) bytes = mutate(bytes);
      try {
        const feed = await parseFeed(bytes, 'https://example.com/feed');
        expect(Array.isArray(feed.items)).toBe(true);
        outcomes.parsed++;
      } catch (error) {
        expect(error, `run ${run}`).toBeInstanceOf(PipelineError);
        outcomes.rejected++;
      }
    }
    expect(outcomes.parsed + outcomes.rejected).toBe(MUTATIONS);
    // Most mutations leave a readable feed: the repairs work, not just the error path.
    expect(outcomes.parsed).toBeGreaterThan(outcomes.rejected);
  }, 60_000);
});
