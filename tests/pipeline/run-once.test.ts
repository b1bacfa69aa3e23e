/**
 * `run --once` in-process on embedded PGlite, without Redis: the same steps as the workers, against
 * the recorded feed and pages served from 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce, runVerdict, type RunProgress, type RunSummary } from '../../src/pipeline/run-once.ts';
import { dueWork, type PipelineContext } from '../../src/pipeline/steps.ts';
import { startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';

describe('runOnce on PGlite', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let first: RunSummary;
  const events: RunProgress['type'][] = [];

  beforeAll(async () => {
    world = await startPipelineWorld({
      extraFeeds: ['  - id: refused-feed', '    url: http://10.0.0.1/rss.xml'].join('\n'),
    });
    // The refused feed proves the SSRF guard is on for it even though the tests' own site is allowed:
    // a per-test setting cannot be per-feed, so check the address decision in the run's failures.
    ctx = await openContext({ settings: { ...world.settings, ALLOW_PRIVATE_NETWORKS: false } });
    first = await runOnce(ctx, (e) => events.push(e.type));
  });

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  it('refuses every private-network feed when private networks are not allowed, one reason each', () => {
    expect(first).toMatchObject({ feeds: 3, feedsOk: 0, newItems: 0, stored: 0 });
    expect(first.failures.map((f) => f.culprit).sort()).toEqual(
      [
        `${world.site.base}/broken/rss.xml`,
        `${world.site.base}/world/rss.xml`,
        'http://10.0.0.1/rss.xml',
      ].sort(),
    );
    for (const failure of first.failures) expect(failure.reason).toMatch(/ALLOW_PRIVATE_NETWORKS/);
    expect(world.site.hits).toEqual([]);
    expect(runVerdict(first)).toBe('nothing-fetched');
  });

  it('processes the feed, falls back to feed content, and reports the broken feed', async () => {
    await ctx.close();
    ctx = await openContext({ settings: world.settings });
    const summary = await runOnce(ctx, (e) => events.push(e.type));
    expect(summary).toMatchObject({
      feeds: 3,
      feedsOk: 1,
      newItems: 4,
      extracted: 3,
      fromFeedContent: 1,
      tagged: 4,
      stored: 4,
    });
    expect(summary.relevant).toBeGreaterThanOrEqual(2);
    expect(runVerdict(summary)).toBe('partial');
    expect(summary.failures.map((f) => f.stage)).toEqual(['feed', 'feed']);
    expect(summary.failures.find((f) => f.culprit.endsWith('/broken/rss.xml'))?.reason).toMatch(/^feeds: /);
    // Besides the article alerts, the two feeds failing since the first run have raised a notice each.
    const notices = world.slack.received.filter((r) => JSON.stringify(r.body).includes('Feed failing'));
    const noticeMails = world.mail.mails.filter((m) => /Subject: Feed failing/.test(m.raw));
    expect(notices).toHaveLength(2);
    expect(noticeMails).toHaveLength(2);
    expect(summary.alerted).toBe(
      world.slack.received.length - notices.length + world.mail.mails.length - noticeMails.length,
    );
    expect(world.slack.received.length).toBeGreaterThan(0);
    expect(events).toContain('job-done');
  });

  it('finds nothing new on a second pass and alerts nobody twice', async () => {
    const slackBefore = world.slack.received.length;
    const summary = await runOnce(ctx);
    expect(summary).toMatchObject({ newItems: 0, stored: 0, alerted: 0 });
    expect(world.slack.received.length).toBe(slackBefore);
    const rows = await ctx.db.query<{ n: string }>('select count(*)::text as n from articles');
    expect(rows[0]?.n).toBe('4');
  });
});

describe('runOnce with one item in two feeds', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };

  beforeAll(async () => {
    // A second feed that carries the very same items (same links): a syndicated copy of the first.
    world = await startPipelineWorld({
      extraFeeds: (base) => ['  - id: mirror-feed', `    url: ${base}/world/rss.xml?via=mirror`].join('\n'),
    });
    ctx = await openContext({ settings: world.settings });
  });
  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  it('stores each item once and leaves nothing pending for either feed', async () => {
    const summary = await runOnce(ctx);
    expect(summary.stored).toBe(4);
    const ledger = await ctx.db.query<{ feed_id: string; state: string }>(
      `select feed_id, state from feed_items where feed_id in ('world-news', 'mirror-feed') order by feed_id`,
    );
    expect(ledger.map((r) => `${r.feed_id}:${r.state}`)).toEqual([
      ...Array<string>(4).fill('mirror-feed:done'),
      ...Array<string>(4).fill('world-news:done'),
    ]);
    expect((await dueWork(ctx, 0)).items).toEqual([]);
    const articles = await ctx.db.query<{ n: number }>('select count(*)::int as n from articles');
    expect(articles[0]?.n).toBe(4);
  });
});
