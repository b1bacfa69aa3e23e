/**
 * The steps one by one, on PGlite and the local fixture site: what each hands to the next, and the
 * at-most-once alert delivery across retries.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { canonicalUrl } from '../../src/feeds/canonical-url.ts';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce } from '../../src/pipeline/run-once.ts';
import {
  buildDailyDigest,
  commitStored,
  configuredChannels,
  dueWork,
  deliverAlert,
  flushHeldAlerts,
  planAlerts,
  previousLocalDay,
  processArticle,
  refreshFeed,
  storeArticle,
  type PipelineContext,
  type StoredOutcome,
} from '../../src/pipeline/steps.ts';
import { listDeliveries } from '../../src/store/deliveries.ts';
import { tagArticle } from '../../src/tagging/tag-article.ts';
import { getFeed, setFeedPaused } from '../../src/store/feeds.ts';
import type { ArticleRef, TaggedArticle } from '../../src/model.ts';
import { fixture, SEED_URL_PATH, startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/local-servers.ts';
import { serializeWebhookPayload, verifyWebhookSignature } from '../../src/alerts/channels/webhook.ts';

describe('pipeline steps', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let seed: TaggedArticle;
  let seedStored: StoredOutcome;
  let refs: ArticleRef[] = [];

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
    refs = refresh.newItems;
    expect(refresh).toMatchObject({ status: 'ok', itemsInFeed: 5, repairs: [] });
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
    const [ref] = refs;
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
      previousCanonicalUrl: null,
      version: 0,
    };
    const error = await processArticle(ctx, ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).message).toMatch(/^extract: .*\/gone: no article text: http: .*HTTP 404/);
    expect((error as PipelineError).permanent).toBe(true);
  });

  it('delivers an alert once: a failed send is retried, a sent one is never repeated', async () => {
    seedStored = await storeArticle(ctx, seed);
    expect(seedStored.articleId).toBeGreaterThan(0);
    const slackJob = planAlerts(ctx, seed, seedStored).find(
      (j) => j.channel === 'slack' && j.ruleId === 'phase-two',
    );
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
    const planned = planAlerts(ctx, seed, seedStored).map((j) => `${j.ruleId}/${j.channel}`);
    expect(planned.sort()).toEqual(['phase-two/email', 'phase-two/slack', 'witkoff/slack']);
    const withoutSlack = { ...ctx, settings: { ...ctx.settings, SLACK_WEBHOOK_URL: undefined } };
    expect(planAlerts(withoutSlack, seed, seedStored).map((j) => `${j.ruleId}/${j.channel}`)).toEqual([
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

describe('refreshFeed: polite, self-healing polling', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let clock = new Date('2025-12-19T12:00:00Z');
  const feedHits = (path: string) => world.site.hits.filter((h) => h === path).length;

  beforeAll(async () => {
    world = await startPipelineWorld();
    ctx = await openContext({ settings: world.settings, now: () => clock });
  });

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  it('sends the stored ETag back and costs no parse on a 304', async () => {
    const feedXml = await readFile(fixture('feeds/127.0.0.1--gaza-ceasefire.xml'), 'utf8');
    world.site.set('/world/rss.xml', {
      contentType: 'application/rss+xml',
      body: feedXml.replaceAll('{{BASE}}', world.site.base),
      etag: '"v1"',
    });
    expect((await refreshFeed(ctx, 'world-news')).status).toBe('ok');
    expect((await getFeed(ctx.db, 'world-news'))?.etag).toBe('"v1"');
    await expect(refreshFeed(ctx, 'world-news')).resolves.toMatchObject({
      status: 'not-modified',
      newItems: [],
    });
  });

  it('does not parse a body whose hash is unchanged, whatever the ETag says', async () => {
    const feedXml = await readFile(fixture('feeds/127.0.0.1--gaza-ceasefire.xml'), 'utf8');
    world.site.set('/world/rss.xml', {
      contentType: 'application/rss+xml',
      body: feedXml.replaceAll('{{BASE}}', world.site.base),
      etag: '"v2-lying"',
    });
    await expect(refreshFeed(ctx, 'world-news')).resolves.toMatchObject({
      status: 'unchanged',
      newItems: [],
    });
  });

  it('processes a changed item as an update and skips the unchanged ones', async () => {
    // Store everything the feed had, as the article stage would.
    const feedXml = (await readFile(fixture('feeds/127.0.0.1--gaza-ceasefire.xml'), 'utf8')).replaceAll(
      '{{BASE}}',
      world.site.base,
    );
    world.site.set('/world/rss.xml', { contentType: 'application/rss+xml', body: `${feedXml}\n<!-- v3 -->` });
    // The earlier polls of this feed left its four items pending in the ledger: a new poll does not
    // list them again, the ledger does.
    const fresh = await refreshFeed(ctx, 'world-news');
    expect(fresh.newItems).toHaveLength(0);
    const pending = (await dueWork(ctx, 0)).items;
    expect(pending.map((r) => r.canonicalUrl).sort()).toHaveLength(4);
    for (const ref of pending) {
      const tagged = await processArticle(ctx, ref);
      await storeArticle(ctx, tagged);
      await commitStored(ctx, tagged, []);
    }
    expect((await dueWork(ctx, 0)).items).toEqual([]);

    const edited = feedXml.replace('Short summary.', 'Short summary, updated with the mediators’ statement.');
    world.site.set('/world/rss.xml', { contentType: 'application/rss+xml', body: edited });
    const again = await refreshFeed(ctx, 'world-news');
    expect(again.status).toBe('ok');
    expect(again.newItems.map((r) => [r.canonicalUrl.replace(world.site.base, ''), r.isUpdate])).toEqual([
      ['/2025/12/rafah-crossing-mediators', true],
    ]);
  });

  it('fetches nothing for a paused feed, on the explicit path too, and polls it again once resumed', async () => {
    const before = feedHits('/world/rss.xml');
    await setFeedPaused(ctx.db, 'world-news', clock.toISOString());
    await expect(refreshFeed(ctx, 'world-news')).resolves.toMatchObject({ status: 'paused', newItems: [] });
    await expect(refreshFeed(ctx, 'world-news', { ignoreBackoff: true })).resolves.toMatchObject({
      status: 'paused',
    });
    expect(feedHits('/world/rss.xml')).toBe(before);
    expect((await getFeed(ctx.db, 'world-news'))?.pausedAt).toBe(clock.toISOString());
    await setFeedPaused(ctx.db, 'world-news', null);
    expect((await refreshFeed(ctx, 'world-news')).status).not.toBe('paused');
    expect(feedHits('/world/rss.xml')).toBe(before + 1);
  });

  it('backs off a failing feed without fetching it, alerts once it keeps failing, and recovers', async () => {
    const path = '/broken/rss.xml';
    const failures: string[] = [];
    const noticesSoFar: number[] = [];
    const notices = () => world.slack.received.filter((r) => JSON.stringify(r.body).includes('Feed failing'));
    for (let attempt = 0; attempt < 6; attempt++) {
      const before = feedHits(path);
      const outcome = await refreshFeed(ctx, 'broken-feed').then(
        (r) => r.status,
        (e: unknown) => `failed: ${(e as Error).message}`,
      );
      failures.push(outcome);
      const feed = await getFeed(ctx.db, 'broken-feed');
      expect(feed?.nextPollAt, `attempt ${attempt}`).not.toBeNull();
      // Not due yet: the next call is answered from the database, with no request.
      await expect(refreshFeed(ctx, 'broken-feed')).resolves.toMatchObject({ status: 'backing-off' });
      expect(feedHits(path)).toBe(before + 1);
      noticesSoFar.push(notices().length);
      clock = new Date(Date.parse(feed?.nextPollAt ?? '') + 1_000);
    }
    expect(failures.every((f) => f.startsWith('failed: feeds: '))).toBe(true);
    const failing = await getFeed(ctx.db, 'broken-feed');
    expect(failing).toMatchObject({ status: 'failing', consecutiveFailures: 6 });
    expect(failing?.failureScore).toBeGreaterThan(0);
    expect(failing?.failureAlertedAt).not.toBeNull();
    // One failure is not sustained; then at most one notice per poll, each naming the feed.
    expect(noticesSoFar[0]).toBe(0);
    expect(noticesSoFar.at(-1)).toBeGreaterThan(0);
    noticesSoFar.forEach((n, i) => expect(n - (noticesSoFar[i - 1] ?? 0)).toBeLessThanOrEqual(1));
    for (const notice of notices()) expect(JSON.stringify(notice.body)).toContain('broken-feed');

    const feedXml = await readFile(fixture('feeds/127.0.0.1--gaza-ceasefire.xml'), 'utf8');
    world.site.set(path, {
      contentType: 'application/rss+xml',
      body: feedXml.replaceAll('{{BASE}}', world.site.base),
    });
    await expect(refreshFeed(ctx, 'broken-feed')).resolves.toMatchObject({ status: 'ok' });
    expect(await getFeed(ctx.db, 'broken-feed')).toMatchObject({
      status: 'ok',
      failureScore: 0,
      consecutiveFailures: 0,
      nextPollAt: null,
    });
  });

  it('files syndicated copies of one story under one story, with all their sources', async () => {
    const original = await readFile(fixture('stories/seed--witkoff-miami-talks.txt'), 'utf8');
    const copy = await readFile(fixture('stories/copy--ap-style-trimmed.txt'), 'utf8');
    const other =
      (await readFile(fixture('stories/gaza-other-stories.jsonl'), 'utf8')).split('\n')[0] ?? '{}';
    const otherStory = JSON.parse(other) as { title: string; text: string };
    const article = (feedId: string, url: string, title: string, text: string): TaggedArticle => ({
      feedId,
      url,
      canonicalUrl: url,
      title,
      byline: null,
      lang: 'en',
      text,
      published: null,
      fetchedAt: clock.toISOString(),
      source: 'page',
      tags: { relevant: true, actors: [], phases: [], mentions: [] },
    });
    const a = await storeArticle(
      ctx,
      article('world-news', 'https://wire.example/witkoff', 'Witkoff to hold Miami talks', original),
    );
    const b = await storeArticle(
      ctx,
      article('broken-feed', 'https://daily.example/miami', 'Envoy meets mediators in Miami', copy),
    );
    const c = await storeArticle(
      ctx,
      article('world-news', 'https://wire.example/other', otherStory.title, otherStory.text),
    );
    // The seed page stored earlier in this file is a third copy of the same story.
    expect(b.storyId).toBe(a.storyId);
    expect(b.storySources).toBe(a.storySources + 1);
    expect(c.storyId).not.toBe(a.storyId);
  });
});

describe('deliverAlert: one alert per story', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };

  beforeAll(async () => {
    world = await startPipelineWorld();
    ctx = await openContext({ settings: world.settings, now: () => new Date('2025-12-19T15:00:00Z') });
  });

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  const copy = async (file: string, feedId: string, url: string, title: string): Promise<TaggedArticle> => {
    const text = await readFile(fixture('stories', file), 'utf8');
    return {
      feedId,
      url,
      canonicalUrl: url,
      title,
      byline: null,
      lang: 'en',
      text,
      published: '2025-12-19T09:00:00.000Z',
      fetchedAt: '2025-12-19T15:00:00.000Z',
      source: 'page',
      tags: tagArticle({ title, text, published: '2025-12-19' }, ctx.matcher()),
    };
  };

  it('sends one message per channel for syndicated copies, listing every source, and never twice', async () => {
    const copies = [
      await copy(
        'seed--witkoff-miami-talks.txt',
        'world-news',
        'https://wire.example/witkoff',
        'Witkoff to hold Miami talks',
      ),
      await copy(
        'copy--ap-style-trimmed.txt',
        'broken-feed',
        'https://daily.example/miami',
        'Envoy meets <b>mediators</b> in Miami',
      ),
      await copy(
        'copy--new-intro-dropped-paragraph-boilerplate.txt',
        'world-news',
        'https://region.example/gaza',
        'Miami talks on Gaza truce',
      ),
    ];
    const outcomes: string[] = [];
    let firstStored: StoredOutcome | null = null;
    for (const article of copies) {
      const stored = await storeArticle(ctx, article);
      firstStored ??= stored;
      expect(stored.storySources).toBeGreaterThanOrEqual(1);
      for (const job of planAlerts(ctx, article, stored).filter((j) => j.ruleId === 'phase-two')) {
        outcomes.push(`${job.channel}:${await deliverAlert(ctx, job)}`);
      }
    }
    expect(outcomes.filter((o) => o.endsWith(':sent')).sort()).toEqual(['email:sent', 'slack:sent']);
    const slack = JSON.stringify(world.slack.received.map((r) => r.body));
    expect(world.slack.received).toHaveLength(1);
    expect(world.mail.mails).toHaveLength(1);
    // The later copies were stored after the first alert: it listed what was known then. Sending
    // again for the first copy finds the story already alerted.
    const first = copies[0];
    if (!first || !firstStored) throw new Error('no copies');
    const again = planAlerts(ctx, first, firstStored).filter((j) => j.ruleId === 'phase-two');
    for (const job of again) await expect(deliverAlert(ctx, job)).resolves.toBe('already-sent');
    expect(slack).toContain('Witkoff to hold Miami talks');
  });

  it('lists the other sources, escaped, when copies are already in when the alert goes out', async () => {
    const late = await copy(
      'copy--aggregator-subheads-removed-new-ending.txt',
      'world-news',
      'https://agg.example/miami',
      'Miami <!channel> talks',
    );
    const stored = await storeArticle(ctx, late);
    // A new rule on the same story: the first send lists the four copies stored so far.
    const job = planAlerts(ctx, late, stored).find((j) => j.ruleId === 'witkoff' && j.channel === 'slack');
    if (!job) throw new Error('the witkoff rule did not fire on the late copy');
    const before = world.slack.received.length;
    await expect(deliverAlert(ctx, job)).resolves.toBe('sent');
    const body = JSON.stringify(world.slack.received[before]?.body);
    // Every other copy is listed; the sentence names their feeds.
    expect(body).toContain('Also reported by broken-feed and world-news.');
    expect(body.match(/• </g)).toHaveLength(3);
    expect(body).toContain('Envoy meets &lt;b&gt;mediators&lt;/b&gt; in Miami');
    expect(body).not.toContain('<!channel>');
  });
});

describe('deliverAlert: generic webhook', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let receiver: WebhookReceiver;
  const secret = 'a-test-secret-of-enough-length';

  beforeAll(async () => {
    world = await startPipelineWorld();
    receiver = await startWebhookReceiver();
    await writeFile(
      path.join(world.configDir, 'alerts.yaml'),
      ['rules:', '  - id: phase-two', '    phases: [phase-2]', '    channels: [webhook]'].join('\n'),
    );
    ctx = await openContext({
      settings: { ...world.settings, WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: secret },
      now: () => new Date('2025-12-19T15:00:00Z'),
    });
  });

  afterAll(async () => {
    await ctx.close();
    await receiver.close();
    await world.close();
  });

  it('posts signed JSON that the receiver can verify, once', async () => {
    const [ref] = (await refreshFeed(ctx, 'world-news')).newItems;
    if (!ref) throw new Error('fixture feed has no items');
    const article = await processArticle(ctx, ref);
    const stored = await storeArticle(ctx, article);
    expect(configuredChannels(ctx).has('webhook')).toBe(true);
    const job = planAlerts(ctx, article, stored).find(
      (j) => j.ruleId === 'phase-two' && j.channel === 'webhook',
    );
    if (!job) throw new Error('phase-two did not fire on the webhook channel');
    await expect(deliverAlert(ctx, job)).resolves.toBe('sent');
    await expect(deliverAlert(ctx, job)).resolves.toBe('already-sent');
    expect(receiver.received).toHaveLength(1);
    const [hit] = receiver.received;
    const body = JSON.stringify(hit?.body);
    const timestamp = String(hit?.headers['x-ceasefire-timestamp']);
    const signature = String(hit?.headers['x-ceasefire-signature']);
    // The receiver re-serialises the parsed body: it verifies with the same bytes serialisation gives.
    expect(
      verifyWebhookSignature(serializeWebhookPayload(hit?.body), timestamp, signature, secret, {
        nowMs: Number(timestamp) * 1000,
      }),
    ).toBe(true);
    expect(body).toContain('"rule":"phase-two"');
    expect(body).toContain('Witkoff');
  });
});

describe('deliverAlert: hourly limit and quiet hours', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let clock = new Date('2025-12-19T12:00:00Z');

  beforeAll(async () => {
    world = await startPipelineWorld();
    await writeFile(
      path.join(world.configDir, 'alerts.yaml'),
      [
        'rules:',
        '  - id: burst',
        '    relevantOnly: false',
        '    maxPerHour: 1',
        '    channels: [slack]',
        '  - id: night',
        '    relevantOnly: false',
        "    quietHours: { from: '22:00', to: '07:00' }",
        '    channels: [slack]',
        'digest:',
        "  time: '07:00'",
        '  timezone: UTC',
      ].join('\n'),
    );
    ctx = await openContext({ settings: world.settings, now: () => clock });
  });

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  const stored = async (
    n: number,
    title: string,
  ): Promise<{ article: TaggedArticle; outcome: StoredOutcome }> => {
    const url = `https://example.org/${title.replaceAll(' ', '-')}-${n}`;
    const article: TaggedArticle = {
      feedId: 'world-news',
      url,
      canonicalUrl: url,
      title: `${title} ${n}`,
      byline: null,
      lang: 'en',
      text: `Story number ${n} about ${title}, long enough to be its own story: ${'words '.repeat(40 + n * 7)}`,
      published: null,
      fetchedAt: clock.toISOString(),
      source: 'page',
      tags: { relevant: false, actors: [], phases: [], mentions: [] },
    };
    return { article, outcome: await storeArticle(ctx, article) };
  };
  const jobFor = (ruleId: string, { article, outcome }: Awaited<ReturnType<typeof stored>>) => {
    const job = planAlerts(ctx, article, outcome).find((j) => j.ruleId === ruleId);
    if (!job) throw new Error(`rule ${ruleId} did not fire`);
    return job;
  };

  it('sends one alert an hour, then the rest of the burst as one summary', async () => {
    const outcomes: string[] = [];
    for (let n = 1; n <= 4; n++) {
      outcomes.push(await deliverAlert(ctx, jobFor('burst', await stored(n, 'burst <!here>'))));
    }
    expect(outcomes).toEqual(['sent', 'held', 'held', 'held']);
    expect(await flushHeldAlerts(ctx)).toEqual({ summaries: 0, alerts: 0 }); // still within the hour
    clock = new Date(clock.getTime() + 61 * 60_000);
    expect(await flushHeldAlerts(ctx)).toEqual({ summaries: 1, alerts: 3 });
    const bodies = world.slack.received.map((r) => JSON.stringify(r.body));
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toContain('3 alerts held for rule burst');
    expect(bodies[1]).toContain('burst &lt;!here&gt; 4');
    expect(bodies[1]).not.toContain('<!here>');
    expect(await flushHeldAlerts(ctx)).toEqual({ summaries: 0, alerts: 0 });
  });

  it('holds alerts in quiet hours and sends them once the quiet hours end', async () => {
    clock = new Date('2025-12-19T23:30:00Z');
    const before = world.slack.received.length;
    await expect(deliverAlert(ctx, jobFor('night', await stored(9, 'night')))).resolves.toBe('held');
    expect(await flushHeldAlerts(ctx)).toEqual({ summaries: 0, alerts: 0 });
    clock = new Date('2025-12-20T07:05:00Z');
    expect(await flushHeldAlerts(ctx)).toEqual({ summaries: 1, alerts: 1 });
    expect(world.slack.received.length).toBe(before + 1);
  });
});

describe('buildDailyDigest: recipient groups', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };

  beforeAll(async () => {
    world = await startPipelineWorld();
    await writeFile(
      path.join(world.configDir, 'alerts.yaml'),
      [
        'rules: []',
        'digest:',
        "  time: '07:00'",
        '  timezone: UTC',
        '  groups:',
        '    - { name: desk, to: [desk@example.org, night@example.org] }',
        '    - { name: editors, to: [editors@example.org], periods: [weekly] }',
        '    - { name: analysts, to: [analysts@example.org], periods: [daily, weekly] }',
      ].join('\n'),
    );
    ctx = await openContext({ settings: world.settings });
    await runOnce(ctx);
  });

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  it.each([
    {
      period: 'daily' as const,
      expected: [['analysts@example.org'], ['desk@example.org', 'night@example.org']],
    },
    { period: 'weekly' as const, expected: [['analysts@example.org'], ['editors@example.org']] },
  ])('$period: one email per group that wants it', async ({ period, expected }) => {
    const before = world.mail.mails.length;
    const result = await buildDailyDigest(ctx, '2025-12-19', period);
    expect(result).toMatchObject({ emailed: true, articles: 4 });
    const sent = world.mail.mails.slice(before).map((m) => [...m.to].sort());
    expect(sent.sort()).toEqual(expected);
  });
});
