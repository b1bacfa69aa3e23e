/**
 * `reprocess --since`: stored articles extracted again from their kept pages and tagged again with
 * the watchlist as it is now, with no alert sent twice.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/pipeline/open-context.ts';
import { reprocessSince } from '../../src/pipeline/reprocess.ts';
import { runOnce } from '../../src/pipeline/run-once.ts';
import type { PipelineContext } from '../../src/pipeline/steps.ts';
import { getArticleByCanonicalUrl } from '../../src/store/articles.ts';
import { loadRawPage } from '../../src/store/pages.ts';
import {
  projectRoot,
  SEED_URL_PATH,
  startPipelineWorld,
  type PipelineWorld,
} from '../helpers/pipeline-setup.ts';

describe('reprocessSince', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let watchlist: string;

  beforeAll(async () => {
    world = await startPipelineWorld();
    watchlist = path.join(world.configDir, 'watchlist.yaml');
    await copyFile(path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'), watchlist);
    ctx = await openContext({ settings: { ...world.settings, WATCHLIST: watchlist } });
    const first = await runOnce(ctx);
    expect(first.stored).toBe(4);
  });

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  it('keeps the fetched page, compressed, for each article extracted from a page', async () => {
    const page = await loadRawPage(ctx.db, `${world.site.base}${SEED_URL_PATH}`);
    expect(page?.body.toString('utf8')).toContain('Hakan Fidan');
    expect(await loadRawPage(ctx.db, `${world.site.base}/2025/12/rafah-crossing-mediators`)).toBeNull();
  });

  it('extracts again from the kept pages and tags with the changed watchlist, without alerting', async () => {
    const alertsBefore = world.slack.received.length + world.mail.mails.length;
    const hitsBefore = world.site.hits.length;
    // An analyst adds a venue to watch: the articles already stored should carry it after reprocessing.
    const yaml = await readFile(watchlist, 'utf8');
    await writeFile(
      watchlist,
      yaml.replace(
        '  - id: steve-witkoff\n',
        '  - id: miami-talks\n    name: The Miami talks\n    kind: body\n    aliases: [Miami summit, Miami talks]\n\n  - id: steve-witkoff\n',
      ),
    );
    ctx.reloadConfig();
    const summary = await reprocessSince(ctx, '2000-01-01T00:00:00Z');
    expect(summary).toMatchObject({ articles: 4, reextracted: 3, retaggedOnly: 1, failures: [] });
    expect(summary.tagsChanged).toBeGreaterThanOrEqual(1);
    const seed = await getArticleByCanonicalUrl(ctx.db, `${world.site.base}${SEED_URL_PATH}`);
    expect(seed?.actors.map((a) => a.id)).toContain('miami-talks');
    expect(world.site.hits.length).toBe(hitsBefore);
    expect(world.slack.received.length + world.mail.mails.length).toBe(alertsBefore);
  });

  it('takes only the articles processed since the date', async () => {
    const summary = await reprocessSince(ctx, new Date(Date.now() + 60_000).toISOString());
    expect(summary.articles).toBe(0);
  });
});
