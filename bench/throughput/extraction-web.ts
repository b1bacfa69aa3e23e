/**
 * The local news web of issue 12's benchmark: `feeds` RSS feeds of `itemsPerFeed` items on 127.0.0.1,
 * whose pages are the real pages of ../shared/datasets/extraction, made unique per item: a paragraph
 * of the item's own (its number and words drawn at random) is put before the page's first paragraph,
 * so every item is a distinct article with its own content hash, extracted from a real page's markup.
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

export class ExtractionWeb {
  base = '';
  private server: Server | undefined;
  private readonly pages: string[];
  private readonly words: string[];

  constructor(readonly opts: { feeds: number; itemsPerFeed: number }) {
    this.pages = loadExtractionPages();
    this.words = [...new Set(this.pages.join(' ').match(/\b[a-z]{5,10}\b/g) ?? [])].slice(0, 5_000);
  }

  get items(): number {
    return this.opts.feeds * this.opts.itemsPerFeed;
  }

  /** Item `n`'s page: the dataset page n mod 91 with a paragraph of the item's own. */
  page(n: number): string {
    const html = this.pages[n % this.pages.length] ?? '';
    const next = prng(n + 1);
    const own = Array.from({ length: 40 }, () => this.words[Math.floor(next() * this.words.length)]).join(
      ' ',
    );
    const paragraph = `<p>Dispatch ${n}: ${own}.</p>`;
    const at = html.search(/<p[\s>]/i);
    return at === -1
      ? html.replace(/<body[^>]*>/i, (b) => b + paragraph)
      : html.slice(0, at) + paragraph + html.slice(at);
  }

  feedXml(feed: number): string {
    const items = Array.from({ length: this.opts.itemsPerFeed }, (_, k) => {
      const n = feed * this.opts.itemsPerFeed + k;
      return `<item><title>Item ${n}</title><link>${this.base}/a/${n}</link><guid isPermaLink="false">bench-${n}</guid></item>`;
    });
    return `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${feed}</title>${items.join('')}</channel></rss>`;
  }

  feedsYaml(): string {
    const lines = ['feeds:'];
    for (let f = 0; f < this.opts.feeds; f++) {
      lines.push(`  - id: feed-${f}`, `    url: ${this.base}/feeds/${f}.xml`, '    intervalMinutes: 60');
    }
    return lines.join('\n');
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
      const item = /^\/a\/(\d+)$/.exec(url);
      if (item && Number(item[1]) < this.items) {
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
