import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  candidateFeedUrls,
  COMMON_FEED_PATHS,
  discoverFeeds,
  looksLikeFeed,
} from '../../src/feeds/discover-feeds.ts';
import { fixture } from '../helpers/pipeline-setup.ts';

describe('discoverFeeds on recorded pages', () => {
  it.each([
    {
      name: 'aljazeera-article-announces-a-relative-feed',
      file: 'pages/www.aljazeera.com--afghanistan-helicopter-crash.html',
      url: 'https://www.aljazeera.com/news/2019/11/18/afghanistan-helicopter-crash',
      expected: ['https://www.aljazeera.com/xml/rss/all.xml'],
    },
    {
      name: 'wordpress-main-feed-before-comment-feeds-and-no-oembed',
      file: 'pages/techcrunch.com--wework-investigation.head.html',
      url: 'https://techcrunch.com/2019/11/18/new-york-state-attorney-general-reportedly-investigating-wework/',
      expected: [
        'https://techcrunch.com/feed/',
        'https://techcrunch.com/comments/feed/',
        'https://techcrunch.com/2019/11/18/new-york-state-attorney-general-reportedly-investigating-wework/feed/',
      ],
    },
  ])('$name', async ({ file, url, expected }) => {
    const html = await readFile(fixture(file), 'utf8');
    expect(discoverFeeds(html, url)).toEqual(expected);
  });

  it('jpost-announces-only-a-mobile-alternate-so-its-rss-links-are-the-candidates', async () => {
    const html = await readFile(
      fixture('pages/www.jpost.com--son-of-former-german-president-stabbed.html'),
      'utf8',
    );
    expect(discoverFeeds(html, 'https://www.jpost.com/breaking-news/son-608399')).toEqual([
      'https://www.jpost.com/rss',
      'http://www.jpost.com/RSS/',
    ]);
  });
});

describe('discoverFeeds rules', () => {
  const page = 'https://example.org/news/2025/12/article.html';
  it.each([
    {
      name: 'atom-and-rss-in-document-order',
      html: '<link rel="alternate" type="application/atom+xml" href="/atom.xml"><link rel="alternate" type="application/rss+xml" href="/rss.xml">',
      expected: ['https://example.org/atom.xml', 'https://example.org/rss.xml'],
    },
    {
      name: 'json-feed-after-xml-feeds',
      html: '<link rel="alternate" type="application/feed+json" href="/feed.json"><link rel="alternate" type="application/rss+xml" href="/rss.xml">',
      expected: ['https://example.org/rss.xml', 'https://example.org/feed.json'],
    },
    {
      name: 'base-href-is-the-base',
      html: '<base href="https://cdn.example.net/site/"><link rel="alternate" type="application/rss+xml" href="feed.xml">',
      expected: ['https://cdn.example.net/site/feed.xml'],
    },
    {
      name: 'relative-base-href-resolves-against-the-page',
      html: '<base href="/blog/"><link rel="alternate" type="application/rss+xml" href="rss">',
      expected: ['https://example.org/blog/rss'],
    },
    {
      name: 'page-relative-href',
      html: '<link rel="alternate" type="application/rss+xml" href="feed/">',
      expected: ['https://example.org/news/2025/12/feed/'],
    },
    {
      name: 'type-with-parameters-and-case',
      html: '<LINK REL="Alternate" TYPE="Application/RSS+XML; charset=utf-8" HREF="/r.xml">',
      expected: ['https://example.org/r.xml'],
    },
    {
      name: 'wordpress-rest-api-json-is-not-a-feed',
      html: '<link rel="alternate" type="application/json" href="https://example.org/wp-json/wp/v2/posts/1">',
      expected: [],
    },
    {
      name: 'stylesheet-and-alternate-language-ignored',
      html: '<link rel="stylesheet" href="/rss.css"><link rel="alternate" hreflang="fr" href="/fr/">',
      expected: [],
    },
    {
      name: 'anchors-that-look-like-feeds-come-last',
      html: '<a href="/about">About</a><a href="/rss.xml">RSS</a><a href="https://feeds.feedburner.com/example">Subscribe</a><link rel="alternate" type="application/rss+xml" href="/main.xml">',
      expected: [
        'https://example.org/main.xml',
        'https://example.org/rss.xml',
        'https://feeds.feedburner.com/example',
      ],
    },
    {
      name: 'duplicates-and-non-web-schemes-dropped',
      html: '<link rel="alternate" type="application/rss+xml" href="/rss.xml"><a href="/rss.xml">RSS</a><a href="feed://example.org/x/feed">feed</a><a href="javascript:void(0)">x</a>',
      expected: ['https://example.org/rss.xml'],
    },
    {
      name: 'scss-in-style-does-not-crash',
      html: '<style>div{width:calc($a - 16px)}</style><link rel="alternate" type="application/rss+xml" href="/rss.xml">',
      expected: ['https://example.org/rss.xml'],
    },
  ])('$name', ({ html, expected }) => {
    expect(discoverFeeds(`<!doctype html><html><head>${html}</head><body></body></html>`, page)).toEqual(
      expected,
    );
  });
});

describe('candidateFeedUrls', () => {
  it('puts-every-common-path-on-the-site-origin', () => {
    const urls = candidateFeedUrls('https://blog.example.org:8443/2025/12/post?x=1');
    expect(urls).toHaveLength(COMMON_FEED_PATHS.length);
    expect(urls.slice(0, 3)).toEqual([
      'https://blog.example.org:8443/feed',
      'https://blog.example.org:8443/rss',
      'https://blog.example.org:8443/rss.xml',
    ]);
    expect(urls).toContain('https://blog.example.org:8443/feeds/posts/default');
  });
});

describe('looksLikeFeed', () => {
  it.each([
    {
      name: 'rss-with-declaration',
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel/></rss>',
      type: 'application/rss+xml',
      expected: true,
    },
    {
      name: 'atom-after-stylesheet-pi-and-comment',
      body: '<?xml version="1.0"?><?xml-stylesheet href="/s.xsl" type="text/xsl"?>\n<!-- generated -->\n<feed xmlns="http://www.w3.org/2005/Atom">',
      type: 'text/xml',
      expected: true,
    },
    {
      name: 'rdf-rss-1-0',
      body: '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
      type: 'application/rdf+xml',
      expected: true,
    },
    {
      name: 'rss-served-as-text-html',
      body: '<rss version="2.0"><channel><title>x</title>',
      type: 'text/html',
      expected: true,
    },
    {
      name: 'rss-with-doctype',
      body: '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91">',
      type: 'text/xml',
      expected: true,
    },
    {
      name: 'json-feed',
      body: '{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": []}',
      type: 'application/feed+json',
      expected: true,
    },
    {
      name: 'html-page',
      body: '<!DOCTYPE html><html><head><title>x</title>',
      type: 'text/html',
      expected: false,
    },
    {
      name: 'html-labelled-as-rss',
      body: '<html><body>Moved</body></html>',
      type: 'application/rss+xml',
      expected: false,
    },
    {
      name: 'xml-sitemap',
      body: '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
      type: 'application/xml',
      expected: false,
    },
    { name: 'other-json', body: '{"posts": []}', type: 'application/json', expected: false },
    { name: 'empty-body', body: '', type: undefined, expected: false },
  ])('$name', ({ body, type, expected }) => {
    expect(looksLikeFeed(Buffer.from(body), type)).toBe(expected);
  });

  it('reads-a-utf-16-feed-with-bom', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('<?xml version="1.0" encoding="UTF-16"?><rss>', 'utf16le'),
    ]);
    expect(looksLikeFeed(bytes, 'text/xml')).toBe(true);
  });
});
