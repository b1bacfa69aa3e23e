/**
 * Hostile input, bodies that never end: a feed and a page written forever (cut at the size cap), a
 * feed announcing more bytes than the cap (refused before reading), and a feed and a page trickling a
 * byte every 200 ms, and a server that never answers (each under the idle timeout, so the total
 * deadline FETCH_TIMEOUT_MS ends them). Each is refused in one line naming its URL and the reason;
 * a page's feed text stands in; the good feed and page beside them are stored, and memory stays
 * bounded. Nothing here asserts how long anything took: only that the run finished.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce, type RunSummary } from '../../src/pipeline/run-once.ts';
import type { PipelineContext } from '../../src/pipeline/steps.ts';
import { fixture, startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';

/**
 * The total deadline of one fetch here: short, so the trickles end soon, and still far above what a
 * fixture on 127.0.0.1 needs. A trickling page is tried 5 times (a timeout may pass), a feed twice.
 */
const FETCH_TIMEOUT_MS = 1_500;
/** A byte every 200 ms: well inside the 15 s idle timeout, so only the total deadline can end it. */
const TRICKLE_EVERY_MS = 200;
const FEED_CAP = 5 * 1024 * 1024;
const PAGE_CAP = 10 * 1024 * 1024;

/** Writes `head`, then `chunk` again and again, as fast as the client reads, until it hangs up. */
function endless(res: ServerResponse, contentType: string, head: string, chunk: string) {
  res.writeHead(200, { 'content-type': contentType });
  const bytes = Buffer.from(chunk.repeat(Math.ceil(65_536 / chunk.length)));
  let open = true;
  res.on('close', () => {
    open = false;
  });
  const pump = () => {
    while (open && res.write(bytes));
    if (open) res.once('drain', pump);
  };
  res.write(head);
  pump();
}

/** Writes `text` one byte every TRICKLE_EVERY_MS, until done or the client hangs up. */
function trickle(res: ServerResponse, contentType: string, text: string) {
  res.writeHead(200, { 'content-type': contentType });
  let at = 0;
  const timer = setInterval(() => {
    if (at >= text.length) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(text[at++] ?? '');
  }, TRICKLE_EVERY_MS);
  res.on('close', () => clearInterval(timer));
}

const SMALL_FEED =
  '<rss version="2.0"><channel><title>Slow</title><item><title>Talks</title><link>http://127.0.0.1:1/x</link></item></channel></rss>';

/** The hostile server: every route misbehaves. */
async function startHostileServer(): Promise<{ base: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '/');
    switch (req.url) {
      case '/endless.xml':
        return endless(
          res,
          'application/rss+xml',
          '<rss version="2.0"><channel><title>Endless</title>',
          '<item><title>Talks in Cairo</title><description>More talks.</description></item>',
        );
      case '/endless-page':
        return endless(res, 'text/html', '<html><body><article>', '<p>Talks resume in Cairo.</p>');
      case '/declared-huge.xml':
        // Announces 100 MB, sends a little, and waits.
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(100_000_000) });
        res.write('<rss version="2.0"><channel>');
        return;
      case '/trickle.xml':
        return trickle(res, 'application/rss+xml', SMALL_FEED);
      case '/trickle-page':
        return trickle(res, 'text/html', '<html><body><p>Talks resume in Cairo.</p></body></html>');
      case '/stalled.xml':
        // Accepts the request and never answers.
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

describe('endless and trickling bodies beside the good feed', () => {
  let world: PipelineWorld;
  let hostile: Awaited<ReturnType<typeof startHostileServer>>;
  let ctx: PipelineContext & { close(): Promise<void> };
  let summary: RunSummary;
  let rssGrowth = 0;
  const at = (path: string) => `${hostile.base}${path}`;

  beforeAll(async () => {
    hostile = await startHostileServer();
    world = await startPipelineWorld({
      extraFeeds: (base) =>
        [
          ['endless-feed', `${hostile.base}/endless.xml`],
          ['declared-huge-feed', `${hostile.base}/declared-huge.xml`],
          ['trickling-feed', `${hostile.base}/trickle.xml`],
          ['stalled-feed', `${hostile.base}/stalled.xml`],
          ['slow-pages', `${base}/slow/rss.xml`],
        ]
          .map(([id, url]) => `  - id: ${id}\n    url: ${url}`)
          .join('\n'),
    });
    world.site.set('/slow/rss.xml', {
      contentType: 'application/rss+xml',
      body: `<rss version="2.0"><channel><title>Slow pages</title>
<item><title>Endless page</title><link>${at('/endless-page')}</link><description>Talks resume in Cairo.</description></item>
<item><title>Trickling page</title><link>${at('/trickle-page')}</link><description>Talks resume in Doha.</description></item>
<item><title>Good page</title><link>${world.site.base}/slow/good-page</link><description>Talks resume.</description></item>
</channel></rss>`,
    });
    world.site.set('/slow/good-page', {
      body: await readFile(fixture('pages/constructed--gaza-ceasefire-en.html')),
    });
    ctx = await openContext({
      settings: {
        ...world.settings,
        FETCH_TIMEOUT_MS,
        // Every server here is 127.0.0.1, so they share one per-host gate: enough slots that the
        // trickles, holding theirs until the deadline, do not make the good fetches wait for a turn.
        HOST_MAX_CONCURRENT: 16,
        // The trickling page times out on each of its 5 tries: no wait between them.
        RETRY_BACKOFF_MS: 0,
      },
    });
    const before = process.memoryUsage().rss;
    summary = await runOnce(ctx);
    rssGrowth = process.memoryUsage().rss - before;
  }, 60_000);

  afterAll(async () => {
    await ctx.close();
    hostile.server.closeAllConnections();
    await new Promise((resolve) => hostile.server.close(resolve));
    await world.close();
  });

  it.each([
    { name: 'endless-feed', path: '/endless.xml', reason: `body over ${FEED_CAP} bytes` },
    { name: 'declared-huge-feed', path: '/declared-huge.xml', reason: `body over ${FEED_CAP} bytes` },
    {
      name: 'trickling-feed',
      path: '/trickle.xml',
      reason: `no complete answer within ${FETCH_TIMEOUT_MS} ms`,
    },
    {
      name: 'stalled-feed',
      path: '/stalled.xml',
      reason: `no complete answer within ${FETCH_TIMEOUT_MS} ms`,
    },
  ])('refuses-the-$name-in-one-line-naming-it', ({ path, reason }) => {
    const failure = summary.failures.find((f) => f.culprit === at(path));
    expect(failure?.reason).toBe(`http: ${at(path)}: ${reason}`);
  });

  it.each([
    { name: 'endless-page', path: '/endless-page', reason: `body over ${PAGE_CAP} bytes` },
    {
      name: 'trickling-page',
      path: '/trickle-page',
      reason: `no complete answer within ${FETCH_TIMEOUT_MS} ms`,
    },
  ])('refuses-the-$name-and-keeps-the-feed-text', async ({ path, reason }) => {
    expect(summary.fallbacks.find((f) => f.url === at(path))?.reason).toBe(`http: ${at(path)}: ${reason}`);
    const [row] = await ctx.db.query<{ source: string; text: string }>(
      'select source, text from articles where url = $1',
      [at(path)],
    );
    expect(row).toEqual({ source: 'feed', text: expect.stringMatching(/^Talks resume in/) });
  });

  it('stores-the-good-feed-and-page-beside-them', async () => {
    const rows = await ctx.db.query<{ feed_id: string; n: number }>(
      'select feed_id, count(*)::int as n from articles group by feed_id order by feed_id',
    );
    expect(rows).toEqual([
      { feed_id: 'slow-pages', n: 3 },
      { feed_id: 'world-news', n: 4 },
    ]);
    const [good] = await ctx.db.query<{ source: string }>('select source from articles where url = $1', [
      `${world.site.base}/slow/good-page`,
    ]);
    expect(good?.source).toBe('page');
    expect(summary.failures.map((f) => f.culprit).sort()).toEqual(
      [
        ...['/endless.xml', '/declared-huge.xml', '/trickle.xml', '/stalled.xml'].map(at),
        `${world.site.base}/broken/rss.xml`,
      ].sort(),
    );
  });

  it('records-the-reason-on-each-feed', async () => {
    const rows = await ctx.db.query<{ id: string; last_error: string | null }>(
      "select id, last_error from feeds where id in ('endless-feed', 'trickling-feed') order by id",
    );
    expect(rows).toEqual([
      { id: 'endless-feed', last_error: `http: ${at('/endless.xml')}: body over ${FEED_CAP} bytes` },
      {
        id: 'trickling-feed',
        last_error: `http: ${at('/trickle.xml')}: no complete answer within ${FETCH_TIMEOUT_MS} ms`,
      },
    ]);
  });

  it('keeps-memory-bounded', () => {
    // Each body is cut at its cap (5 MB, 10 MB); an endless one read to the end would never return.
    expect(rssGrowth).toBeLessThan(300 * 1024 * 1024);
  });
});
