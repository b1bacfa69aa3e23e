/**
 * The steps one by one, on PGlite and the local fixture site: what each hands to the next, and the
 * at-most-once alert delivery across retries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { canonicalUrl } from '../../src/feeds/canonical-url.ts';
import { openContext } from '../../src/pipeline/open-context.ts';
import {
  deliverAlert,
  planAlerts,
  previousLocalDay,
  processArticle,
  refreshFeed,
  storeArticle,
  type PipelineContext,
} from '../../src/pipeline/steps.ts';
import { listDeliveries } from '../../src/store/deliveries.ts';
import type { TaggedArticle } from '../../src/model.ts';
import { SEED_URL_PATH, startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';

describe('pipeline steps', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let seed: TaggedArticle;

  beforeAll(async () => {
    world = await startPipelineWorld();
    ctx = await openContext({ settings: world.settings, now: () => new Date('2025-12-19T15:00:00Z') });
  });

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  it('refreshFeed returns the new items once per canonical URL, tracking parameters removed', async () => {
    const refresh = await refreshFeed(ctx, 'world-news');
    expect(refresh).toMatchObject({ status: 'ok', itemsInFeed: 5 });
    expect(refresh.newItems.map((r) => r.canonicalUrl)).toEqual([
      `${world.site.base}${SEED_URL_PATH}`,
      `${world.site.base}/breaking-news/son-of-former-german-president-stabbed`,
      `${world.site.base}/news/2019/11/service-members-killed-afghanistan-helicopter-crash`,
      `${world.site.base}/2025/12/rafah-crossing-mediators`,
    ]);
    expect(refresh.newItems[0]?.published).toBe('2025-12-19T09:00:00.000Z');
  });

  it('refreshFeed of an unknown feed id is a permanent error naming it', async () => {
    await expect(refreshFeed(ctx, 'no-such-feed')).rejects.toMatchObject({
      permanent: true,
      culprit: 'no-such-feed',
    });
  });

  it('processArticle extracts the page and tags it', async () => {
    const [ref] = (await refreshFeed(ctx, 'world-news')).newItems;
    if (!ref) throw new Error('fixture feed has no items');
    seed = await processArticle(ctx, ref);
    expect(seed).toMatchObject({
      source: 'page',
      feedId: 'world-news',
      fetchedAt: '2025-12-19T15:00:00.000Z',
    });
    expect(seed.text).toContain('Hakan Fidan confirmed his attendance');
    expect(seed.text).not.toMatch(/All rights reserved|Subscribe/);
    expect(seed.tags.relevant).toBe(true);
    expect(seed.tags.phases.map((t) => t.id)).toEqual(['phase-2']);
    const witkoff = seed.tags.actors.find((t) => t.id === 'steve-witkoff');
    expect(witkoff?.count).toBeGreaterThanOrEqual(3);
    expect(witkoff?.evidence).toMatch(/Witkoff/);
  });

  it('processArticle of a missing page with no feed content fails permanently, naming the URL', async () => {
    const url = `${world.site.base}/gone`;
    const ref = {
      feedId: 'world-news',
      url,
      canonicalUrl: canonicalUrl(url),
      title: 'Gone',
      published: null,
      feedContent: '',
      guid: null,
      contentHash: '',
      isUpdate: false,
    };
    const error = await processArticle(ctx, ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).message).toMatch(/^extract: .*\/gone: no article text: http: .*HTTP 404/);
    expect((error as PipelineError).permanent).toBe(true);
  });

  it('delivers an alert once: a failed send is retried, a sent one is never repeated', async () => {
    const { articleId } = await storeArticle(ctx, seed);
    expect(articleId).toBeGreaterThan(0);
    const slackJob = planAlerts(ctx, seed).find((j) => j.channel === 'slack' && j.ruleId === 'phase-two');
    if (!slackJob) throw new Error('the phase-two rule did not fire on the seed');

    world.slack.replies.push(500);
    await expect(deliverAlert(ctx, slackJob)).rejects.toMatchObject({ permanent: false });
    expect(world.slack.received).toHaveLength(0);

    await expect(deliverAlert(ctx, slackJob)).resolves.toBe('sent');
    await expect(deliverAlert(ctx, slackJob)).resolves.toBe('already-sent');
    expect(world.slack.received).toHaveLength(1);

    const [delivery] = (await listDeliveries(ctx.db)).filter(
      (d) => d.ruleId === 'phase-two' && d.channel === 'slack',
    );
    expect(delivery).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('plans one alert per configured channel of each matching rule', () => {
    const planned = planAlerts(ctx, seed).map((j) => `${j.ruleId}/${j.channel}`);
    expect(planned.sort()).toEqual(['phase-two/email', 'phase-two/slack', 'witkoff/slack']);
    const withoutSlack = { ...ctx, settings: { ...ctx.settings, SLACK_WEBHOOK_URL: undefined } };
    expect(planAlerts(withoutSlack, seed).map((j) => `${j.ruleId}/${j.channel}`)).toEqual([
      'phase-two/email',
    ]);
  });

  it.each([
    {
      name: 'after-midnight-in-jerusalem',
      now: '2025-12-19T23:30:00Z',
      zone: 'Asia/Jerusalem',
      expected: '2025-12-19',
    },
    { name: 'same-instant-in-utc', now: '2025-12-19T23:30:00Z', zone: 'UTC', expected: '2025-12-18' },
    {
      name: 'new-york-evening',
      now: '2025-12-20T03:00:00Z',
      zone: 'America/New_York',
      expected: '2025-12-18',
    },
  ])('previousLocalDay: $name', ({ now, zone, expected }) => {
    expect(previousLocalDay(new Date(now), zone)).toBe(expected);
  });
});
