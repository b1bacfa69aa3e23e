/**
 * The local news web the fault trials run against: `feeds` RSS feeds of `itemsPerFeed` items on
 * 127.0.0.1, each item its own article page. Pages are real reporting (the sentences of
 * tests/fixtures/stories) made unique per item, so that every item is its own story: four real
 * sentences are drawn for each item and eight sentences of words drawn at random are its own, which
 * keeps any two items far below the same-story containment of 0.5 (src/stories/is-same-story.ts).
 * Every `triggerEvery`-th item also names Steve Witkoff, and only those: the trial's rule fires on
 * exactly them, so the alerts expected are known without asking the pipeline.
 *
 * A poison feed can be added beside the good ones: an XML entity bomb, and a feed whose items are a
 * page nested 5,000 deep, an endless page and a title with NUL and control characters. Its bad items
 * are refused or neutralised; none of them counts as expected.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import escapeHtml from 'escape-html';
import { prng } from '../../tests/scenarios/random-timeline.ts';

const STORIES_DIR = path.resolve(import.meta.dirname, '../../tests/fixtures/stories');

/** The sentence that makes an item match the trial's rule (`actors: [steve-witkoff]`). */
const TRIGGER =
  'Steve Witkoff, the US special envoy, told reporters in Miami that talks on the next phase of the Gaza ceasefire would resume within days.';

const PLACES = [
  'Cairo',
  'Doha',
  'Ankara',
  'Amman',
  'Beirut',
  'Nicosia',
  'Athens',
  'Valletta',
  'Tunis',
  'Rabat',
];
const DESKS = ['economy', 'weather', 'transport', 'schools', 'harbour', 'markets', 'energy', 'health'];

function loadSentences(): string[] {
  const texts = [readFileSync(path.join(STORIES_DIR, 'seed--witkoff-miami-talks.txt'), 'utf8')];
  for (const line of readFileSync(path.join(STORIES_DIR, 'gaza-other-stories.jsonl'), 'utf8').split('\n')) {
    if (line.trim()) texts.push((JSON.parse(line) as { text: string }).text);
  }
  const sentences = new Set<string>();
  for (const text of texts) {
    for (const sentence of text.split(/(?<=[.!?])\s+(?=[A-Z"“])/)) {
      const s = sentence.replace(/\s+/g, ' ').trim();
      // Witkoff only where the trial puts him; very short or very long sentences make odd paragraphs.
      if (s.length >= 60 && s.length <= 400 && !/witkoff/i.test(s)) sentences.add(s);
    }
  }
  return [...sentences];
}

export interface WebItem {
  /** Zero-padded, unique over the web: the page is `/news/<id>`. */
  id: string;
  feed: number;
  title: string;
  paragraphs: string[];
  matches: boolean;
}

export interface NewsWebOptions {
  feeds: number;
  itemsPerFeed: number;
  /** Every n-th item names Witkoff. @defaultValue 20 */
  triggerEvery?: number;
  poison?: boolean;
}

export class NewsWeb {
  readonly items: WebItem[] = [];
  base = '';
  /** Requests answered, by kind. */
  readonly hits = { feed: 0, page: 0, poison: 0 };
  private server: Server | undefined;

  constructor(readonly opts: NewsWebOptions) {
    const sentences = loadSentences();
    const vocabulary = [
      ...new Set(
        sentences
          .join(' ')
          .toLowerCase()
          .match(/[a-z]{4,}/g) ?? [],
      ),
    ].filter((w) => w !== 'witkoff');
    // The same web on every run.
    const next = prng(20251219);
    const pick = (list: string[]) => list[Math.floor(next() * list.length)] ?? '';
    const every = opts.triggerEvery ?? 20;
    for (let feed = 0; feed < opts.feeds; feed++) {
      for (let k = 0; k < opts.itemsPerFeed; k++) {
        const n = this.items.length;
        const id = String(n).padStart(6, '0');
        const drawn = Array.from({ length: 4 }, () => pick(sentences));
        const place = PLACES[n % PLACES.length] ?? '';
        const desk = DESKS[Math.floor(n / PLACES.length) % DESKS.length] ?? '';
        // Sentences of the item's own, from words drawn at random: no two items share a run of words.
        const own = Array.from({ length: 8 }, (_, k) => {
          const words = Array.from({ length: 14 }, () => pick(vocabulary));
          if (k === 0) words.unshift(`Dispatch ${id} from ${place}:`);
          return `${words.join(' ')}.`;
        });
        const matches = n % every === every - 1;
        const paragraphs = [own[0], drawn[0], own[1], own[2], drawn[1], own[3], own[4]];
        paragraphs.push(...(matches ? [TRIGGER] : []), drawn[2], own[5], own[6], drawn[3], own[7]);
        this.items.push({
          id,
          feed,
          title: `${place} ${desk} dispatch ${id}: ${pick(vocabulary)} ${pick(vocabulary)}`,
          paragraphs: paragraphs.filter((p): p is string => p !== undefined),
          matches,
        });
      }
    }
  }

  feedUrls(): { id: string; url: string }[] {
    const urls = Array.from({ length: this.opts.feeds }, (_, f) => ({
      id: `desk-${f}`,
      url: `${this.base}/feeds/${f}.xml`,
    }));
    if (this.opts.poison) {
      urls.push({ id: 'poison-bomb', url: `${this.base}/poison/bomb.xml` });
      urls.push({ id: 'poison-items', url: `${this.base}/poison/items.xml` });
    }
    return urls;
  }

  pageUrl(item: WebItem): string {
    return `${this.base}/news/${item.id}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const feed = /^\/feeds\/(\d+)\.xml$/.exec(url);
    if (feed) {
      this.hits.feed++;
      const body = this.rss(Number(feed[1]));
      const etag = `"f${feed[1]}-${body.length}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      return void res
        .writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag })
        .end(body);
    }
    const page = /^\/news\/(\d+)$/.exec(url);
    const item = page ? this.items[Number(page[1])] : undefined;
    if (item) {
      this.hits.page++;
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.html(item));
    }
    if (url.startsWith('/poison/')) {
      this.hits.poison++;
      return this.poison(url, res);
    }
    res.writeHead(404).end('not found');
  }

  private rss(feed: number): string {
    const entries = this.items
      .filter((item) => item.feed === feed)
      .map(
        (item) => `<item><title>${escapeHtml(item.title)}</title><link>${this.pageUrl(item)}</link>
<guid isPermaLink="false">chaos-${item.id}</guid><pubDate>${new Date(Date.UTC(2025, 11, 19, 6, Number(item.id) % 60)).toUTCString()}</pubDate>
<description>${escapeHtml(item.paragraphs[0] ?? '')}</description></item>`,
      );
    return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Desk ${feed}</title>
<link>${this.base}/</link><description>desk ${feed}</description>${entries.join('\n')}</channel></rss>`;
  }

  private html(item: WebItem): string {
    const body = item.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(item.title)}</title>
<meta property="article:published_time" content="2025-12-19T06:00:00Z"></head>
<body><header><nav><a href="/">Home</a></nav></header><main><article><h1>${escapeHtml(item.title)}</h1>
${body}</article></main><footer>Chaos desk</footer></body></html>`;
  }

  private poison(url: string, res: ServerResponse): void {
    if (url === '/poison/bomb.xml') {
      // Billion laughs: entities the parser must not expand.
      const entities = ['<!ENTITY a0 "ha">'];
      for (let i = 1; i < 10; i++) entities.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
      return void res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<?xml version="1.0"?><!DOCTYPE rss [${entities.join('')}]><rss version="2.0"><channel><title>&a9;</title><item><title>&a9;</title><link>${this.base}/poison/nul</link></item></channel></rss>`,
        );
    }
    if (url === '/poison/items.xml') {
      const items = [
        ['Nested page', '/poison/nested'],
        ['Endless page', '/poison/endless'],
        ['Title with a NUL\u0000 and \u001b[31mcontrol\u0007 characters', '/poison/nul'],
      ];
      const entries = items.map(
        ([title, link], k) =>
          `<item><title>${escapeHtml(title ?? '')}</title><link>${this.base}${link}</link><guid isPermaLink="false">poison-${k}</guid></item>`,
      );
      return void res
        .writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' })
        .end(
          `<?xml version="1.0"?><rss version="2.0"><channel><title>Poison</title>${entries.join('')}</channel></rss>`,
        );
    }
    if (url === '/poison/nested') {
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<html><body>${'<div>'.repeat(5000)}Deep text${'</div>'.repeat(5000)}</body></html>`);
    }
    if (url === '/poison/endless') {
      // Writes until the client gives up (the page size cap or the fetch timeout).
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = `<p>${'endless '.repeat(1000)}</p>`;
      const write = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', write);
      };
      res.on('close', () => res.destroy());
      return write();
    }
    if (url === '/poison/nul') {
      const text = Array.from(
        { length: 8 },
        (_, k) =>
          `<p>Paragraph ${k} of a page whose text holds a NUL \u0000 byte and a bell \u0007 among ordinary words about the harbour.</p>`,
      ).join('');
      return void res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<html><head><title>NUL\u0000 page</title></head><body><article><h1>NUL\u0000 page</h1>${text}</article></body></html>`,
        );
    }
    res.writeHead(404).end();
  }
}
