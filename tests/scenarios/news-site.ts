/**
 * A small news web on 127.0.0.1 whose state a timeline changes between polls: several feeds (RSS 2.0),
 * each item with its own page; items can be published, edited, moved to a new URL under the same
 * guid, removed and re-added; a feed can go down (503) and come back. Texts are real reporting from
 * tests/fixtures/stories (the seed article, its syndicated copies, ten other Gaza stories).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import escapeHtml from 'escape-html';
import { fixture } from '../helpers/pipeline-setup.ts';

/** A story the site can publish: a headline and paragraphs of real text. */
export interface Story {
  key: string;
  title: string;
  paragraphs: string[];
}

export interface SiteItem {
  guid: string;
  /** Path of the article page; changes when the item moves. */
  path: string;
  title: string;
  /** ISO 8601. */
  published: string;
  paragraphs: string[];
  story: string;
}

export interface SiteFeed {
  id: string;
  title: string;
  /** Newest first, as feeds list them. */
  items: SiteItem[];
  /** Items taken out of the feed, kept so they can come back. */
  removed: SiteItem[];
  down: boolean;
}

const paragraphsOf = (text: string) =>
  text
    .split(/\n+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);

function loadStories(): Story[] {
  const copies: [string, string, string][] = [
    [
      'seed',
      'seed--witkoff-miami-talks.txt',
      'Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase',
    ],
    [
      'seed-ap',
      'copy--ap-style-trimmed.txt',
      'Envoy to meet Qatar, Egypt, Turkey officials in Miami on Gaza truce',
    ],
    [
      'seed-regional',
      'copy--new-intro-dropped-paragraph-boilerplate.txt',
      'Miami talks to push Gaza ceasefire into its next phase',
    ],
    [
      'seed-aggregator',
      'copy--aggregator-subheads-removed-new-ending.txt',
      'US envoy heads to Miami for Gaza talks',
    ],
  ];
  const stories: Story[] = copies.map(([key, file, title]) => ({
    key,
    title,
    paragraphs: paragraphsOf(readFileSync(fixture('stories', file), 'utf8')),
  }));
  for (const line of readFileSync(fixture('stories', 'gaza-other-stories.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const s = JSON.parse(line) as { id: string; title: string; text: string };
    stories.push({ key: s.id, title: s.title, paragraphs: paragraphsOf(s.text) });
  }
  return stories;
}

export const stories: readonly Story[] = loadStories();
export const storyByKey = (key: string): Story => {
  const story = stories.find((s) => s.key === key);
  if (!story) throw new Error(`no story ${key}`);
  return story;
};

/** Publication times start here, a minute apart per item, so "published first" is always defined. */
const FIRST_PUBLISHED = Date.parse('2025-12-19T06:00:00.000Z');

function rfc822(iso: string): string {
  return new Date(iso).toUTCString();
}

export class NewsSite {
  base = '';
  readonly feeds = new Map<string, SiteFeed>();
  /** Every page ever published, by path: a removed item's page stays online, a moved one's does not. */
  private readonly pages = new Map<string, SiteItem>();
  private server: Server | null = null;
  private published = 0;
  /** GETs of each feed, both paths together: a paused feed is not fetched at all. */
  private readonly feedGets = new Map<string, number>();

  constructor(feeds: { id: string; title: string }[]) {
    for (const f of feeds) this.feeds.set(f.id, { ...f, items: [], removed: [], down: false });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const feed = /^\/feeds\/([a-z0-9-]+)\.xml$/.exec(path)?.[1];
      if (feed !== undefined) {
        this.feedGets.set(feed, (this.feedGets.get(feed) ?? 0) + 1);
        const f = this.feeds.get(feed);
        if (!f) return void res.writeHead(404).end('no such feed');
        if (f.down)
          return void res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(this.rss(f));
        return;
      }
      const item = this.pages.get(path);
      if (!item) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.page(item));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** How many times the feed was asked for so far, by either path. */
  feedHits(feedId: string): number {
    return this.feedGets.get(feedId) ?? 0;
  }

  feedUrl(feedId: string): string {
    return `${this.base}/feeds/${feedId}.xml`;
  }

  private feed(id: string): SiteFeed {
    const feed = this.feeds.get(id);
    if (!feed) throw new Error(`no feed ${id}`);
    return feed;
  }

  private item(feedId: string, guid: string): SiteItem {
    const item = this.feed(feedId).items.find((i) => i.guid === guid);
    if (!item) throw new Error(`no item ${guid} in ${feedId}`);
    return item;
  }

  /** Publishes a story (or a syndicated copy of one) at the top of a feed; returns its guid. */
  publish(feedId: string, storyKey: string): string {
    const story = storyByKey(storyKey);
    const n = ++this.published;
    const item: SiteItem = {
      guid: `urn:${feedId}:${n}`,
      path: `/${feedId}/${n}-${storyKey}`,
      title: story.title,
      published: new Date(FIRST_PUBLISHED + n * 60_000).toISOString(),
      paragraphs: [...story.paragraphs],
      story: storyKey,
    };
    this.feed(feedId).items.unshift(item);
    this.pages.set(item.path, item);
    return item.guid;
  }

  /** Appends a paragraph to an item (an editor adds a line): its feed entry and its page change. */
  addParagraph(feedId: string, guid: string, paragraph: string): void {
    this.item(feedId, guid).paragraphs.push(paragraph);
  }

  /** Rewrites the wording of an item's first paragraph without naming anyone new. */
  reword(feedId: string, guid: string): void {
    const item = this.item(feedId, guid);
    const first = item.paragraphs[0] ?? '';
    item.paragraphs[0] = first.includes(' said ')
      ? first.replace(' said ', ' stated ')
      : `${first.replace(/\.$/, '')}, according to people familiar with the matter.`;
  }

  /** The site rewrites the item's slug: same guid, new URL; the old URL answers 404. */
  move(feedId: string, guid: string): void {
    const item = this.item(feedId, guid);
    this.pages.delete(item.path);
    item.path = `${item.path}-updated`;
    this.pages.set(item.path, item);
  }

  remove(feedId: string, guid: string): void {
    const feed = this.feed(feedId);
    const item = this.item(feedId, guid);
    feed.items = feed.items.filter((i) => i !== item);
    feed.removed.push(item);
  }

  readd(feedId: string, guid: string): void {
    const feed = this.feed(feedId);
    const item = feed.removed.find((i) => i.guid === guid);
    if (!item) throw new Error(`no removed item ${guid} in ${feedId}`);
    feed.removed = feed.removed.filter((i) => i !== item);
    feed.items.unshift(item);
  }

  setDown(feedId: string, down: boolean): void {
    this.feed(feedId).down = down;
  }

  private rss(feed: SiteFeed): string {
    const items = feed.items.map((item) => {
      // The first paragraph as the summary and the whole text as content, as WordPress-style news
      // feeds do: an edit anywhere in the article changes the feed's entry.
      const summary = item.paragraphs.slice(0, 1).join(' ');
      const content = item.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('');
      return [
        '<item>',
        `<title>${escapeHtml(item.title)}</title>`,
        `<link>${escapeHtml(`${this.base}${item.path}?utm_source=rss&utm_medium=${feed.id}`)}</link>`,
        `<guid isPermaLink="false">${escapeHtml(item.guid)}</guid>`,
        `<pubDate>${rfc822(item.published)}</pubDate>`,
        `<description>${escapeHtml(summary)}</description>`,
        `<content:encoded><![CDATA[${content}]]></content:encoded>`,
        '</item>',
      ].join('');
    });
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
      `<title>${escapeHtml(feed.title)}</title>`,
      `<link>${escapeHtml(this.base)}/</link>`,
      '<description>scenario feed</description>',
      ...items,
      '</channel></rss>',
    ].join('\n');
  }

  private page(item: SiteItem): string {
    return [
      '<!doctype html><html lang="en"><head><meta charset="utf-8">',
      `<title>${escapeHtml(item.title)}</title>`,
      `<meta property="article:published_time" content="${item.published}">`,
      '</head><body><header><nav><a href="/">Home</a> · <a href="/world">World</a></nav></header>',
      `<main><article><h1>${escapeHtml(item.title)}</h1>`,
      ...item.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
      '</article></main><footer>© Scenario News</footer></body></html>',
    ].join('\n');
  }
}
