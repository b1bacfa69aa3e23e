/**
 * The per-poll item cap: a feed listing more new items than CAP gives the first
 * ones now, with a notice naming the feed, and the next ones at the next polls, even though the feed
 * itself never changes (it answers 304 to a conditional request, and the same bytes otherwise).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/pipeline/open-context.ts';
import { refreshFeed, type PipelineContext } from '../../src/pipeline/steps.ts';
import { startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';

/** A small cap keeps the test quick; the default is 500. */
const CAP = 40;
const ITEMS = 2 * CAP + 15;

describe('a feed over the per-poll item cap', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let server: Server;
  let conditional = 0;
  const warnings: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.headers['if-none-match'] === '"big-1"') {
        conditional++;
        return void res.writeHead(304, { etag: '"big-1"' }).end();
      }
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const items = Array.from(
        { length: ITEMS },
        (_, i) => `<item><title>Item ${i}</title><link>${base}/a/${i}</link><guid>big-${i}</guid></item>`,
      );
      res
        .writeHead(200, { 'content-type': 'application/rss+xml', etag: '"big-1"' })
        .end(`<rss version="2.0"><channel><title>Big</title>${items.join('')}</channel></rss>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    world = await startPipelineWorld({
      extraFeeds: ['  - id: big-feed', `    url: http://127.0.0.1:${port}/rss.xml`].join('\n'),
    });
    ctx = await openContext({ settings: { ...world.settings, FEED_MAX_NEW_ITEMS: CAP } });
    const warn = ctx.log.warn.bind(ctx.log);
    ctx.log.warn = ((obj: unknown, msg?: string) => {
      if (typeof msg === 'string') warnings.push(msg);
      return warn(obj as object, msg);
    }) as typeof ctx.log.warn;
  });

  afterAll(async () => {
    await ctx.close();
    await world.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('takes the first items now and the rest at the next polls, then answers unchanged', async () => {
    const first = await refreshFeed(ctx, 'big-feed');
    expect(first.newItems).toHaveLength(CAP);
    expect(first.overCap).toBe(ITEMS - CAP);
    expect(warnings).toContain(
      `feed lists ${ITEMS} new items: the first ${CAP} are followed now, the other ${ITEMS - CAP} at the next polls`,
    );
    const second = await refreshFeed(ctx, 'big-feed', { ignoreBackoff: true });
    const third = await refreshFeed(ctx, 'big-feed', { ignoreBackoff: true });
    expect([second.newItems.length, third.newItems.length]).toEqual([CAP, 15]);
    const followed = [...first.newItems, ...second.newItems, ...third.newItems].map((r) => r.canonicalUrl);
    expect(new Set(followed).size).toBe(ITEMS);
    // Every item followed: the validators are kept again, and the next poll is a 304.
    expect(conditional).toBe(0);
    const fourth = await refreshFeed(ctx, 'big-feed', { ignoreBackoff: true });
    expect(fourth).toMatchObject({ status: 'not-modified', newItems: [] });
    expect(conditional).toBe(1);
  });
});
