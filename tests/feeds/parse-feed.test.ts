import { readFileSync } from 'node:fs';
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
      name: 'content-encoded-is-content',
      xml: '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><item><description>short</description><content:encoded><![CDATA[<p>long</p>]]></content:encoded></item></channel></rss>',
      item: { summary: 'short', content: '<p>long</p>' },
    },
  ])('$name', async ({ xml, item }) => {
    const parsed = await parseFeed(xml, 'https://example.com/feed.xml');
    expect(parsed.items[0]).toMatchObject(item);
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
});
