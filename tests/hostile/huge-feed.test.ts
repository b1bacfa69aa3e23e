/**
 * Hostile input, the huge feed: one poll follows at most FEED_MAX_NEW_ITEMS items and says so in one
 * line naming the feed (the rest come at the next polls: tests/pipeline/item-cap.test.ts); the
 * well-behaved feed beside it is processed as usual, and memory stays bounded. The 100,000 items of
 * the trial, in 8 MB: the feed size cap is raised for it, or the cap alone would refuse the feed.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce, type RunProgress, type RunSummary } from '../../src/pipeline/run-once.ts';
import type { PipelineContext } from '../../src/pipeline/steps.ts';
import { startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';

const ITEMS = 100_000;
/** The per-poll cap (settings FEED_MAX_NEW_ITEMS), at its default. */
const CAP = 500;

/** Items of ~80 bytes, each with a line of feed text. */
function hugeFeed(base: string): string {
  const items: string[] = [];
  for (let i = 0; i < ITEMS; i++)
    items.push(`<item><link>${base}/flood/${i}</link><description>Flood ${i}</description></item>`);
  return `<rss version="2.0"><channel><title>Flood</title>${items.join('')}</channel></rss>`;
}

describe('a feed listing 100,000 items', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let summary: RunSummary;
  const logged: { msg: string; feed_id?: string }[] = [];
  const articleJobs: number[] = [];
  let rssGrowth = 0;

  beforeAll(async () => {
    world = await startPipelineWorld({
      extraFeeds: (base) => ['  - id: flood', `    url: ${base}/flood.xml`].join('\n'),
    });
    world.site.set('/flood.xml', { contentType: 'application/rss+xml', body: hugeFeed(world.site.base) });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          logged.push(JSON.parse(line) as never);
        done();
      },
    });
    ctx = await openContext({
      // The flood's pages are 404s: the feed's line of text stands in, fast, with no spacing per host.
      settings: { ...world.settings, HOST_MIN_SPACING_MS: 0, FEED_MAX_BYTES: 16 * 1024 * 1024 },
      log: pino({ level: 'warn' }, sink),
    });
    const before = process.memoryUsage().rss;
    let added = 0;
    summary = await runOnce(ctx, (event: RunProgress) => {
      if (event.type === 'job-added' && event.stage === 'article') added++;
    });
    articleJobs.push(added);
    rssGrowth = process.memoryUsage().rss - before;
  }, 120_000);

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  it('follows-at-most-the-cap-and-says-so-naming-the-feed', () => {
    // The well-behaved feed's four items, plus the flood's first 500.
    expect(articleJobs[0]).toBe(4 + CAP);
    const notice = logged.find((l) => l.feed_id === 'flood' && /new items/.test(l.msg));
    // One line naming the feed (feed_id) and the counts; its wording belongs to steps.ts.
    expect(notice?.msg).toMatch(new RegExp(`^feed lists ${ITEMS} new items: the first ${CAP} are followed`));
    expect(notice?.msg).toContain(String(ITEMS - CAP));
  });

  it('processes-the-good-feed-beside-it', async () => {
    const rows = await ctx.db.query<{ feed_id: string; n: number }>(
      'select feed_id, count(*)::int as n from articles group by feed_id order by feed_id',
    );
    expect(rows).toEqual([
      { feed_id: 'flood', n: CAP },
      { feed_id: 'world-news', n: 4 },
    ]);
    expect(summary.failures.map((f) => f.culprit)).toEqual([`${world.site.base}/broken/rss.xml`]);
  });

  it('keeps-memory-bounded', () => {
    // 100,000 queued jobs took 1.5 GB before the cap.
    expect(rssGrowth).toBeLessThan(400 * 1024 * 1024);
  });
});
