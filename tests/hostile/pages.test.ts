/**
 * Hostile input, runaway and deeply nested pages: refused from a scan of their text with one line
 * naming the figure, in the pipeline (the feed's text stands in, the good pages beside are extracted)
 * and in `cli extract` (a clear error, not a bare `Maximum call stack size exceeded`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce, type RunSummary } from '../../src/pipeline/run-once.ts';
import type { PipelineContext } from '../../src/pipeline/steps.ts';
import { startFixtureSite, type FixtureSite } from '../helpers/local-servers.ts';
import { startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';
import { cliInProcess } from '../helpers/run-cli.ts';

const NESTED = `<html><body>${'<div>'.repeat(5_000)}<p>Talks resume in Cairo.</p></body></html>`;
const CROWDED = `<html><body><article>${'<p>Talks resume in Cairo.</p>'.repeat(25_000)}</article></body></html>`;
const NESTED_REASON = 'page nests elements 5,003 deep (limit 300); refused before parsing';

const hostileFeed = (base: string) => `<rss version="2.0"><channel><title>Hostile pages</title>
<item><title>Nested</title><link>${base}/pages/nested</link><description>Mediators met in Cairo.</description></item>
<item><title>Crowded</title><link>${base}/pages/crowded</link><description>Mediators met in Doha.</description></item>
<item><title>Nested feed text</title><link>${base}/pages/missing</link><description>${'&lt;div&gt;'.repeat(50_000)}Hostages freed.</description></item>
</channel></rss>`;

describe('runaway and nested pages in the pipeline', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let summary: RunSummary;

  beforeAll(async () => {
    world = await startPipelineWorld({
      extraFeeds: (base) => ['  - id: hostile-pages', `    url: ${base}/pages/rss.xml`].join('\n'),
    });
    world.site.set('/pages/rss.xml', {
      contentType: 'application/rss+xml',
      body: hostileFeed(world.site.base),
    });
    world.site.set('/pages/nested', { body: NESTED });
    world.site.set('/pages/crowded', { body: CROWDED });
    ctx = await openContext({ settings: world.settings });
    summary = await runOnce(ctx);
  }, 60_000);

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  it('refuses-them-with-the-figure-and-keeps-the-feed-text', () => {
    const base = world.site.base;
    expect(summary.fallbacks).toEqual(
      expect.arrayContaining([
        { url: `${base}/pages/nested`, reason: `extract: ${base}/pages/nested: ${NESTED_REASON}` },
        {
          url: `${base}/pages/crowded`,
          reason: `extract: ${base}/pages/crowded: page holds 25,003 elements (limit 20,000); refused before parsing`,
        },
      ]),
    );
    // A feed item whose own HTML nests 50,000 deep is read without its markup, not lost.
    expect(summary.fallbacks.map((f) => f.url)).toContain(`${base}/pages/missing`);
  });

  it('extracts-the-good-pages-beside-them', async () => {
    expect(summary.extracted).toBe(3);
    const rows = await ctx.db.query<{ feed_id: string; source: string }>(
      "select feed_id, source from articles where feed_id = 'hostile-pages'",
    );
    expect(rows.map((r) => r.source)).toEqual(['feed', 'feed', 'feed']);
    expect(summary.stored).toBe(7);
  });
});

describe('cli extract on a page nested 5,000 deep', () => {
  let dir: string;
  let site: FixtureSite;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cw-nested-'));
    await writeFile(path.join(dir, 'nested.html'), NESTED);
    site = await startFixtureSite(() => ({ '/nested': { body: NESTED } }));
  });
  afterAll(async () => {
    await site.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('names-the-figure-for-a-file', async () => {
    const file = path.join(dir, 'nested.html');
    const { code, stdout } = await cliInProcess(['extract', file, '--url', 'https://example.org/nested']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      file,
      error: `extract: https://example.org/nested: ${NESTED_REASON}`,
    });
  });

  it('names-the-figure-for-a-url', async () => {
    const url = `${site.base}/nested`;
    const { code, stdout } = await cliInProcess(['extract', '--url', url], {
      env: { ALLOW_PRIVATE_NETWORKS: 'true' },
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ url, error: `extract: ${url}: ${NESTED_REASON}` });
  });
});
