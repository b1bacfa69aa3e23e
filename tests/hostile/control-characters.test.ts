/**
 * Hostile input, NUL and control characters: an item whose title, text and page carry U+0000, terminal
 * escapes and a bidi override is stored with them removed (PostgreSQL rejects 0x00, which lost the
 * item), on PGlite and on PostgreSQL, while the good items beside it are stored as usual.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce, type RunSummary } from '../../src/pipeline/run-once.ts';
import type { PipelineContext } from '../../src/pipeline/steps.ts';
import { startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';
import { TEST_DATABASE_URL } from '../store/test-db.ts';

/** A JSON Feed: its strings may hold any escaped code point, NUL included. */
const dirtyFeed = (base: string) =>
  JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Dirty\u0000 wire',
    items: [
      {
        id: 'dirty-1',
        url: `${base}/dirty/ceasefire`,
        title: 'Ceasefire\u0000 talks \u001b[31mresume\u001b[0m in Cairo\u202e',
        content_html: '<p>Mediators from Qatar\u0000 and Egypt met Hamas\u0007 in Cairo.</p>',
      },
      {
        // Its page is a 404: the feed's title and text are what is stored.
        id: 'dirty-2',
        url: `${base}/dirty/gone`,
        title: 'Hostages\u0000 freed \u001b[2Jat Rafah\u202e',
        content_html: '<p>Mediators from Qatar\u0000 and Egypt met Hamas\u0007 in Cairo.</p>',
      },
    ],
  });

const dirtyPage = `<html><head><title>Truce\u0000 holds</title></head><body><article><h1>Truce\u0000 holds</h1>${'<p>Mediators from Qatar and Egypt met in Cairo on the ceasefire\u0000 and the\u009b2J hostages.</p>'.repeat(6)}</article></body></html>`;

describe.each([
  { engine: 'pglite', databaseUrl: undefined },
  { engine: 'postgres', databaseUrl: TEST_DATABASE_URL },
])('control characters through the real store on $engine', ({ databaseUrl }) => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let summary: RunSummary;

  beforeAll(async () => {
    world = await startPipelineWorld({
      databaseUrl,
      extraFeeds: (base) => ['  - id: dirty-wire', `    url: ${base}/dirty/feed.json`].join('\n'),
    });
    world.site.set('/dirty/feed.json', {
      contentType: 'application/feed+json',
      body: dirtyFeed(world.site.base),
    });
    world.site.set('/dirty/ceasefire', { body: dirtyPage });
    ctx = await openContext({ settings: world.settings, schema: databaseUrl ? world.namespace : undefined });
    summary = await runOnce(ctx);
  }, 60_000);

  afterAll(async () => {
    if (databaseUrl) await ctx.db.exec(`drop schema if exists ${world.namespace} cascade`);
    await ctx.close();
    await world.close();
  });

  it('stores-the-dirty-item-without-them-beside-the-good-ones', async () => {
    expect(summary.failures.map((f) => f.culprit)).toEqual([`${world.site.base}/broken/rss.xml`]);
    const rows = await ctx.db.query<{ feed_id: string; title: string; text: string }>(
      'select feed_id, title, text from articles order by feed_id, title',
    );
    expect(rows.filter((r) => r.feed_id === 'world-news')).toHaveLength(4);
    expect(summary.stored).toBe(6);
    const dirty = rows.filter((r) => r.feed_id === 'dirty-wire');
    // The HTML parser already turns a NUL in a title into U+FFFD (and drops one in text), as the HTML
    // standard has it; the feed's NULs are removed by parseFeed.
    expect(dirty.map((r) => r.title)).toEqual(['Hostages freed [2Jat Rafah', 'Truce\ufffd holds']);
    expect(dirty[1]?.text).toContain('Mediators from Qatar and Egypt met in Cairo on the ceasefire and the');
    for (const row of rows) {
      // eslint-disable-next-line no-control-regex -- the point is that none is left
      expect(`${row.title}${row.text}`).not.toMatch(/[\u0000-\u0008\u001b\u009b\u202e]/);
    }
  });
});
