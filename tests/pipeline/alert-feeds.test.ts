/** A rule's Atom feed lists the alerts it sent, readable by a feed reader (our own parser here). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import { createRuleFeedServer } from '../../src/pipeline/alert-feeds.ts';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce } from '../../src/pipeline/run-once.ts';
import type { PipelineContext } from '../../src/pipeline/steps.ts';
import { startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';

describe('per-rule Atom feeds', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let server: Server;
  let base: string;

  beforeAll(async () => {
    world = await startPipelineWorld();
    ctx = await openContext({ settings: world.settings });
    await runOnce(ctx);
    server = createRuleFeedServer(ctx);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await ctx.close();
    await world.close();
  });

  it('lists the articles a rule alerted on, once each, and answers 304 when nothing changed', async () => {
    const response = await fetch(`${base}/alerts/phase-two.atom`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/atom+xml');
    const feed = await parseFeed(
      new Uint8Array(await response.arrayBuffer()),
      `${base}/alerts/phase-two.atom`,
    );
    const titles = feed.items.map((i) => i.title).sort();
    expect(titles).toEqual([
      'Egypt and Qatar press Hamas and Israel on the Rafah crossing',
      'Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase of Gaza ceasefire',
    ]);
    const again = await fetch(`${base}/alerts/phase-two.atom`, {
      headers: { 'if-none-match': response.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
  });

  it('summarises each entry with the sentence the alert quoted for this rule, not the first tag', async () => {
    const response = await fetch(`${base}/alerts/witkoff.atom`);
    const feed = await parseFeed(new Uint8Array(await response.arrayBuffer()), `${base}/alerts/witkoff.atom`);
    const [entry] = feed.items;
    const quoted = world.slack.received
      .map((r) => JSON.stringify(r.body))
      .find((body) => body.includes('Ceasefire alert: witkoff'));
    expect(entry?.summary).toMatch(/Witkoff/);
    // The Slack message of the same rule quoted the same sentence.
    expect(quoted).toContain(entry?.summary.slice(0, 60));
    expect(entry?.summary).not.toBe(entry?.title);
  });

  it('is a 404 for a rule that does not exist', async () => {
    expect((await fetch(`${base}/alerts/no-such-rule.atom`)).status).toBe(404);
  });
});
