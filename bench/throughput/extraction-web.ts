/**
 * The local news web of issue 12's benchmark: `feeds` RSS feeds of `itemsPerFeed` items on 127.0.0.1,
 * whose pages are the real pages of ../shared/datasets/extraction, made unique per item.
 *
 * Unique twice over, because the pipeline looks twice:
 * - a paragraph of the item's own is put after the page's longest paragraph (in the article body);
 * - every lower-case word of five letters or more in the page's text (not in its markup, scripts or
 *   styles) is swapped for another word of the dataset, by a shift that depends on the item. Without
 *   it the 10,000 items would be 91 stories of 110 syndicated copies each, and story clustering would
 *   compare each new copy with a hundred others: a cost a real day of news does not have. The markup,
 *   the text's length and its punctuation, which are what Readability weighs, stay the page's own.
 *
 * Every `alertEvery`-th item's own paragraph names Steve Witkoff (no page of the dataset does): a rule
 * on him alerts on those whose paragraph the extraction keeps (about four in five).
 *
 * Live feeds start empty; `publishLive()` adds items to them one at a time, for latency measured at a
 * steady trickle rather than behind a backlog.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { prng } from '../../tests/scenarios/random-timeline.ts';

export const EXTRACTION_DIR = path.resolve(import.meta.dirname, '../../../shared/datasets/extraction');

/** The dataset's pages (HTML, UTF-8), in file-name order. */
export function loadExtractionPages(dir = EXTRACTION_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

const WORD = /\b[a-z]{5,}\b/g;
/**
 * Every seventh live item names Steve Witkoff. Prime to the ten live feeds the items go to in turn, so
 * the alerting items spread over every feed: with every fifth, all of them fell on two feeds, and each
 * poll of those brought three or four alerts at once, paced a second apart.
 */
const LIVE_ALERT_EVERY = 7;
/** Markup, scripts and styles stay as they are; only the text between them is rewritten. */
const NOT_TEXT = /(<script\b[\s\S]*?<\/script>|<style\b[\s\S]*?<\/style>|<!--[\s\S]*?-->|<[^>]*>)/i;

export interface ExtractionWebOptions {
  feeds: number;
  itemsPerFeed: number;
  /** Every this many items names Steve Witkoff. @defaultValue 25 */
  alertEvery?: number;
  /** Feeds that start empty and get the items of {@link ExtractionWeb.publishLive}. @defaultValue 10 */
  liveFeeds?: number;
}

export class ExtractionWeb {
  base = '';
  private server: Server | undefined;
  private readonly pages: string[];
  private readonly words: string[];
  private readonly wordIndex: Map<string, number>;
  readonly alertEvery: number;
  readonly liveFeeds: number;
  /** Items published on the live feeds so far, numbered from `items` up. */
  private live: number[][] = [];
  private published = 0;

  constructor(readonly opts: ExtractionWebOptions) {
    this.pages = loadExtractionPages();
    this.words = [...new Set(this.pages.join(' ').match(WORD) ?? [])].sort();
    this.wordIndex = new Map(this.words.map((w, i) => [w, i]));
    this.alertEvery = opts.alertEvery ?? 25;
    this.liveFeeds = opts.liveFeeds ?? 10;
    this.live = Array.from({ length: this.liveFeeds }, () => []);
  }

  /** Publishes the next live item on the next live feed, round-robin; returns its number. */
  publishLive(): number {
    const n = this.items + this.published;
    this.live[this.published % this.liveFeeds]?.push(n);
    this.published++;
    return n;
  }

  /** Whether item `n` was published live (after the backlog). */
  isLive(n: number): boolean {
    return n >= this.items;
  }

  get items(): number {
    return this.opts.feeds * this.opts.itemsPerFeed;
  }

  /** Whether item `n` names Steve Witkoff: every `alertEvery`-th of the backlog, every seventh live one. */
  names(n: number): boolean {
    return n % (this.isLive(n) ? LIVE_ALERT_EVERY : this.alertEvery) === 0;
  }

  pageUrl(n: number): string {
    return `${this.base}/a/${n}`;
  }

  /** Item `n`'s page: dataset page n mod 91, its words shifted by n, and a paragraph of its own. */
  page(n: number): string {
    const html = this.pages[n % this.pages.length] ?? '';
    const next = prng(n + 1);
    const own = Array.from({ length: 40 }, () => this.words[Math.floor(next() * this.words.length)]);
    if (this.names(n)) own.splice(20, 0, 'said envoy Steve Witkoff, who');
    const paragraph = `<p>Dispatch ${n}: ${own.join(' ')}.</p>`;
    const shift = 1 + ((n * 7919) % (this.words.length - 1));
    const rewritten = html
      .split(NOT_TEXT)
      .map((part, i) =>
        i % 2 === 1
          ? part
          : part.replace(WORD, (w) => {
              const at = this.wordIndex.get(w);
              return at === undefined ? w : (this.words[(at + shift) % this.words.length] ?? w);
            }),
      )
      .join('');
    // After the page's longest paragraph: inside the article body, which Readability keeps.
    let at = -1;
    let longest = 0;
    for (const m of rewritten.matchAll(/<p[\s>][\s\S]*?<\/p>/gi)) {
      if (/<(div|section|footer|nav|ul)\b/i.test(m[0])) continue;
      const text = m[0].replace(/<[^>]*>/g, '').length;
      if (text > longest) [at, longest] = [m.index + m[0].length, text];
    }
    return at === -1
      ? rewritten.replace(/<body[^>]*>/i, (b) => b + paragraph)
      : rewritten.slice(0, at) + paragraph + rewritten.slice(at);
  }

  private rss(title: string, numbers: readonly number[]): string {
    const items = numbers.map(
      (n) =>
        `<item><title>Item ${n}</title><link>${this.pageUrl(n)}</link><guid isPermaLink="false">bench-${n}</guid></item>`,
    );
    return `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title>${items.join('')}</channel></rss>`;
  }

  feedXml(feed: number): string {
    return this.rss(
      `Feed ${feed}`,
      Array.from({ length: this.opts.itemsPerFeed }, (_, k) => feed * this.opts.itemsPerFeed + k),
    );
  }

  /** The backlog's feeds, polled hourly; with `live`, the live feeds too, polled every minute. */
  feedsYaml(opts: { live: boolean }): string {
    const lines = ['feeds:'];
    for (let f = 0; f < this.opts.feeds; f++) {
      lines.push(`  - id: feed-${f}`, `    url: ${this.base}/feeds/${f}.xml`, '    intervalMinutes: 60');
    }
    for (let f = 0; opts.live && f < this.liveFeeds; f++) {
      lines.push(`  - id: live-${f}`, `    url: ${this.base}/live/${f}.xml`, '    intervalMinutes: 1');
    }
    return lines.join('\n');
  }

  /** The item a page URL names, or null. */
  itemOf(url: string): number | null {
    const m = /\/a\/(\d+)\b/.exec(url);
    return m ? Number(m[1]) : null;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = req.url ?? '/';
      const feed = /^\/feeds\/(\d+)\.xml$/.exec(url);
      if (feed) {
        return void res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end(this.feedXml(Number(feed[1])));
      }
      const live = /^\/live\/(\d+)\.xml$/.exec(url);
      const liveItems = live ? this.live[Number(live[1])] : undefined;
      if (liveItems) {
        return void res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end(this.rss(`Live ${live?.[1]}`, liveItems));
      }
      const item = /^\/a\/(\d+)$/.exec(url);
      if (item && Number(item[1]) < this.items + this.published) {
        return void res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(this.page(Number(item[1])));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
