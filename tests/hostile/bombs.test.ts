/**
 * Hostile input, bombs: XML entity bombs (billion laughs, the quadratic blowup of one large entity,
 * external entities), and gzip and brotli bombs as a feed and as a page, served beside the good feed
 * and a good page. A compression bomb is cut off at the size cap after decoding and refused in one
 * line naming its URL; an entity bomb is read without expanding it (external entities are never read,
 * a large one is substituted only up to a budget), with a notice naming the feed. Nothing expands into
 * the database or the logs, the good items are stored, and memory stays bounded. Unit-level cases:
 * tests/feeds/parse-feed.test.ts (does-not-expand-*) and tests/http/fetch-url.test.ts (gzip bomb).
 */
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce, type RunSummary } from '../../src/pipeline/run-once.ts';
import type { PipelineContext } from '../../src/pipeline/steps.ts';
import { fixture, startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';

/** Decoded size of each compression bomb: 1 GiB, 200× the feed cap and 100× the page cap. */
const BOMB_BYTES = 1024 * 1024 * 1024;
/** The caps at their defaults (settings FEED_MAX_BYTES, PAGE_MAX_BYTES). */
const FEED_CAP = 5 * 1024 * 1024;
const PAGE_CAP = 10 * 1024 * 1024;
/** The quadratic blowup: one entity of 60,000 characters referenced 5,000 times, 300 MB expanded. */
const BIG_ENTITY_CHARS = 60_000;
const BIG_ENTITY_REFERENCES = 5_000;

/**
 * A gzip bomb built cheaply: gzip allows a file of several members, each decoded in turn, so one
 * compressed 16 MiB of zeros (16 KB) repeated 64 times is 1 GiB for 1 MB on the wire.
 */
function gzipBomb(): Buffer {
  const member = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
  return Buffer.concat(Array.from({ length: BOMB_BYTES / (16 * 1024 * 1024) }, () => member));
}

/** A brotli bomb: 1 GiB of zeros streamed through the encoder 1 MiB at a time (about 190 KB, 0.1 s). */
async function brotliBomb(): Promise<Buffer> {
  const encoder = zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } });
  const chunks: Buffer[] = [];
  encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => encoder.on('end', resolve));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < BOMB_BYTES; written += zeros.length) {
    if (!encoder.write(zeros)) await new Promise((resolve) => encoder.once('drain', resolve));
  }
  encoder.end();
  await ended;
  return Buffer.concat(chunks);
}

/** An item whose page is a 404: the feed's text is what is stored. */
const item = (base: string, slug: string, title: string, text: string) =>
  `<item><title>${title}</title><link>${base}/bombs/${slug}</link><description>${text}</description></item>`;

const billionLaughs = (base: string) => `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs &lol9;</title>
${item(base, 'laughs', 'Truce talks &lol9;', 'Mediators met in Cairo. &lol9;')}
</channel></rss>`;

/** External entities to a file and to our own site, a parameter entity and an external DTD subset. */
const externalEntities = (base: string) => `<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "${base}/bombs/evil.dtd" [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY remote SYSTEM "${base}/bombs/evil.dtd">
  <!ENTITY % parameter SYSTEM "${base}/bombs/evil.dtd">
  %parameter;
]>
<rss version="2.0"><channel><title>XXE &xxe;</title>
${item(base, 'xxe', 'Hostages &xxe; &remote;', 'Talks in Doha. &xxe; &remote;')}
</channel></rss>`;

const quadraticBlowup = (base: string) => `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY big "${'a'.repeat(BIG_ENTITY_CHARS)}">]>
<rss version="2.0"><channel><title>Quadratic</title>
${item(base, 'quadratic', 'Aid enters Rafah', `Aid enters Rafah. ${'&big;'.repeat(BIG_ENTITY_REFERENCES)}`)}
</channel></rss>`;

/** The pages: two bombs and a good page, each item with a line of feed text. */
const pagesFeed = (base: string) => `<rss version="2.0"><channel><title>Bomb pages</title>
<item><title>Gzip page</title><link>${base}/bombs/gzip-page</link><description>Talks resume in Cairo.</description></item>
<item><title>Brotli page</title><link>${base}/bombs/br-page</link><description>Talks resume in Doha.</description></item>
<item><title>Good page</title><link>${base}/bombs/good-page</link><description>Talks resume.</description></item>
</channel></rss>`;

describe('XML, gzip and brotli bombs beside the good feed', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let summary: RunSummary;
  const logged: { msg: string; feed_url?: string; repairs?: string[] }[] = [];
  let logText = '';
  let peakGrowth = 0;
  const onTheWire: Record<string, number> = {};
  const url = (path: string) => `${world.site.base}${path}`;

  beforeAll(async () => {
    world = await startPipelineWorld({
      extraFeeds: (base) =>
        [
          ['laughs', '/bombs/laughs.xml'],
          ['external-entities', '/bombs/xxe.xml'],
          ['quadratic', '/bombs/quadratic.xml'],
          ['gzip-bomb', '/bombs/gzip.xml'],
          ['brotli-bomb', '/bombs/br.xml'],
          ['bomb-pages', '/bombs/pages.xml'],
        ]
          .map(([id, path]) => `  - id: ${id}\n    url: ${base}${path}`)
          .join('\n'),
    });
    const base = world.site.base;
    const [gzip, brotli, goodPage] = await Promise.all([
      gzipBomb(),
      brotliBomb(),
      readFile(fixture('pages/constructed--gaza-ceasefire-en.html')),
    ]);
    onTheWire.gzip = gzip.length;
    onTheWire.brotli = brotli.length;
    onTheWire.quadratic = quadraticBlowup(base).length;
    const rss = 'application/rss+xml';
    world.site.set('/bombs/laughs.xml', { contentType: rss, body: billionLaughs(base) });
    world.site.set('/bombs/xxe.xml', { contentType: rss, body: externalEntities(base) });
    world.site.set('/bombs/evil.dtd', { contentType: 'application/xml-dtd', body: '<!ENTITY lol "pwned">' });
    world.site.set('/bombs/quadratic.xml', { contentType: rss, body: quadraticBlowup(base) });
    world.site.set('/bombs/gzip.xml', {
      contentType: rss,
      body: gzip,
      headers: { 'content-encoding': 'gzip' },
    });
    world.site.set('/bombs/br.xml', {
      contentType: rss,
      body: brotli,
      headers: { 'content-encoding': 'br' },
    });
    world.site.set('/bombs/pages.xml', { contentType: rss, body: pagesFeed(base) });
    world.site.set('/bombs/gzip-page', { body: gzip, headers: { 'content-encoding': 'gzip' } });
    world.site.set('/bombs/br-page', { body: brotli, headers: { 'content-encoding': 'br' } });
    world.site.set('/bombs/good-page', { body: goodPage });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logText += chunk.toString();
        for (const line of chunk.toString().split('\n').filter(Boolean))
          logged.push(JSON.parse(line) as never);
        done();
      },
    });
    ctx = await openContext({ settings: world.settings, log: pino({ level: 'warn' }, sink) });
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    try {
      summary = await runOnce(ctx);
    } finally {
      clearInterval(sample);
    }
    peakGrowth = Math.max(peak, process.memoryUsage().rss) - before;
  }, 60_000);

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  it('serves-bombs-small-on-the-wire-and-far-past-the-caps-decoded', () => {
    expect(BOMB_BYTES).toBeGreaterThan(100 * PAGE_CAP);
    expect(onTheWire.gzip).toBeLessThan(2 * 1024 * 1024);
    expect(onTheWire.brotli).toBeLessThan(1024 * 1024);
    expect(onTheWire.quadratic).toBeLessThan(FEED_CAP / 50);
    expect(BIG_ENTITY_CHARS * BIG_ENTITY_REFERENCES).toBeGreaterThan(50 * FEED_CAP);
  });

  it.each([
    { name: 'gzip-feed', path: '/bombs/gzip.xml', cap: FEED_CAP },
    { name: 'brotli-feed', path: '/bombs/br.xml', cap: FEED_CAP },
  ])('refuses-the-$name-at-the-cap-in-one-line', ({ path, cap }) => {
    const failure = summary.failures.find((f) => f.culprit === url(path));
    expect(failure?.reason).toBe(`http: ${url(path)}: body over ${cap} bytes`);
  });

  it.each([
    { name: 'gzip-page', path: '/bombs/gzip-page' },
    { name: 'brotli-page', path: '/bombs/br-page' },
  ])('refuses-the-$name-at-the-cap-and-keeps-the-feed-text', async ({ path }) => {
    const fallback = summary.fallbacks.find((f) => f.url === url(path));
    expect(fallback?.reason).toBe(`http: ${url(path)}: body over ${PAGE_CAP} bytes`);
    const [row] = await ctx.db.query<{ source: string; text: string }>(
      'select source, text from articles where url = $1',
      [url(path)],
    );
    expect(row).toEqual({ source: 'feed', text: expect.stringMatching(/^Talks resume in/) });
  });

  it.each([
    {
      name: 'billion-laughs',
      feed: '/bombs/laughs.xml',
      page: '/bombs/laughs',
      text: 'Mediators met in Cairo. &lol9;',
    },
    {
      name: 'external-entities',
      feed: '/bombs/xxe.xml',
      page: '/bombs/xxe',
      text: 'Talks in Doha. &xxe; &remote;',
    },
  ])('reads-the-$name-feed-without-expanding-it', async ({ feed, page, text }) => {
    expect(summary.failures.map((f) => f.culprit)).not.toContain(url(feed));
    // The references stay literal text, and the feed is named in the notice.
    const [row] = await ctx.db.query<{ text: string }>('select text from articles where url = $1', [
      url(page),
    ]);
    expect(row?.text).toBe(text);
    const notice = logged.find((l) => l.feed_url === url(feed));
    expect(notice?.msg).toBe('feed parsed with repairs');
  });

  it('substitutes-a-large-entity-only-up-to-a-budget', async () => {
    expect(summary.failures.map((f) => f.culprit)).not.toContain(url('/bombs/quadratic.xml'));
    const [row] = await ctx.db.query<{ length: number }>(
      'select length(text) as length from articles where url = $1',
      [url('/bombs/quadratic')],
    );
    // Expanded in full it held 300,000,000 characters.
    expect(row?.length).toBeGreaterThan(0);
    expect(row?.length).toBeLessThan(1_000_000);
    const notice = logged.find((l) => l.feed_url === url('/bombs/quadratic.xml'));
    expect(notice?.repairs).toContain('entity expansion capped');
  });

  it('never-reads-an-external-entity-or-dtd', async () => {
    expect(world.site.hits).not.toContain('/bombs/evil.dtd');
    const stored = await ctx.db.query<{ all: string }>(
      "select concat_ws(' ', title, text, url) as all from articles",
    );
    const everything = `${JSON.stringify(stored)}${logText}${JSON.stringify(summary)}`;
    expect(everything).not.toContain('lollol');
    expect(everything).not.toContain('pwned');
    expect(everything).not.toMatch(/root:[^:]*:0:0:/);
  });

  it('stores-the-good-feed-and-the-good-page-beside-them', async () => {
    const rows = await ctx.db.query<{ feed_id: string; n: number }>(
      'select feed_id, count(*)::int as n from articles group by feed_id order by feed_id',
    );
    expect(rows).toEqual([
      { feed_id: 'bomb-pages', n: 3 },
      { feed_id: 'external-entities', n: 1 },
      { feed_id: 'laughs', n: 1 },
      { feed_id: 'quadratic', n: 1 },
      { feed_id: 'world-news', n: 4 },
    ]);
    const [good] = await ctx.db.query<{ source: string }>('select source from articles where url = $1', [
      url('/bombs/good-page'),
    ]);
    expect(good?.source).toBe('page');
    // The failures are the two bombs and the world's broken feed, nothing else.
    expect(summary.failures.map((f) => f.culprit).sort()).toEqual(
      [url('/bombs/br.xml'), url('/bombs/gzip.xml'), url('/broken/rss.xml')].sort(),
    );
  });

  it('keeps-memory-bounded', () => {
    // Generous: 100-160 MB measured here (two 10 MB and two 5 MB bodies cut at their caps, the good
    // page's extraction); with the large entity expanded in full, 2.5 GB.
    expect(peakGrowth).toBeLessThan(400 * 1024 * 1024);
  });
});
