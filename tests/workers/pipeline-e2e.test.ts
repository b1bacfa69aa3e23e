/**
 * The whole pipeline on real parts: the real workers on the real Redis, the real PostgreSQL, a local
 * site serving the recorded feed and pages, a Slack receiver and an SMTP server.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFeedsToFile } from '../../src/config/edit-feeds-file.ts';
import type { Queue } from 'bullmq';
import { createAlertWorker } from '../../workers/alert-worker.ts';
import { createArticleWorker } from '../../workers/article-worker.ts';
import { createDigestWorker } from '../../workers/digest-worker.ts';
import { createFeedWorker } from '../../workers/feed-worker.ts';
import { upsertSchedulers } from '../../workers/scheduler.ts';
import type { ServiceMetrics } from '../../workers/metrics.ts';
import { startWorkers } from '../../workers/service.ts';
import { createStoreWorker } from '../../workers/store-worker.ts';
import { QueueNames } from '../../src/queue/queues.ts';
import { enqueue } from '../../src/queue/stage-worker.ts';
import { fixture, startPipelineWorld, SEED_URL_PATH, type PipelineWorld } from '../helpers/pipeline-setup.ts';
import { waitFor } from '../helpers/local-servers.ts';

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface StoredRow {
  canonical_url: string;
  title: string;
  source: string;
  relevant: boolean;
}

describe('pipeline on Redis and PostgreSQL', () => {
  let world: PipelineWorld;
  let service: Awaited<ReturnType<typeof startWorkers>>;
  let metrics: ServiceMetrics | undefined;

  beforeAll(async () => {
    world = await startPipelineWorld({ databaseUrl: DATABASE_URL });
    service = await startWorkers(
      [createFeedWorker, createArticleWorker, createStoreWorker, createAlertWorker, createDigestWorker],
      {
        settings: world.settings,
        schema: world.namespace,
        beforeStart: async (rt, parts) => {
          metrics = parts.metrics;
          await upsertSchedulers(rt);
          return undefined;
        },
      },
    );
  });

  afterAll(async () => {
    const { rt } = service;
    await Promise.all(service.workers.map((w) => w.close()));
    await Promise.all(Object.values(rt.queues).map((q: Queue) => q.obliterate({ force: true })));
    await rt.ctx.db.exec(`drop schema if exists ${world.namespace} cascade`);
    await rt.close();
    await world.close();
  });

  const queuesIdle = async () => {
    const { feedFetch, article, store, alert } = service.rt.queues;
    // The schedulers keep their next run delayed; the other queues must hold nothing at all.
    for (const [queue, states] of [
      [feedFetch, ['waiting', 'active']],
      [article, ['waiting', 'active', 'delayed']],
      [store, ['waiting', 'active', 'delayed']],
      // The alert queue keeps its held-alerts scheduler delayed too.
      [alert, ['waiting', 'active']],
    ] as const) {
      const counts = await queue.getJobCounts(...states);
      if (Object.values(counts).some((n) => n > 0)) return undefined;
    }
    return true;
  };

  const articles = () =>
    service.rt.ctx.db.query<StoredRow>(
      'select canonical_url, title, source, relevant from articles order by canonical_url',
    );

  it('stores each new item once, tagged, from the scheduled poll', async () => {
    const rows = await waitFor('four stored articles', async () => {
      const r = await articles();
      return r.length >= 4 ? r : undefined;
    });
    expect(rows).toHaveLength(4);
    const seed = rows.find((r) => r.canonical_url === `${world.site.base}${SEED_URL_PATH}`);
    expect(seed).toMatchObject({ source: 'page', relevant: true });
    expect(seed?.title).toContain('Witkoff');
    // The missing page falls back to the feed's own content.
    expect(rows.find((r) => r.canonical_url.endsWith('/rafah-crossing-mediators'))?.source).toBe('feed');

    const tags = await service.rt.ctx.db.query<{ kind: string; tag_id: string }>(
      `select t.kind, t.tag_id from article_tags t join articles a on a.id = t.article_id
        where a.canonical_url = $1 order by t.kind, t.tag_id`,
      [`${world.site.base}${SEED_URL_PATH}`],
    );
    const actors = tags.filter((t) => t.kind === 'actor').map((t) => t.tag_id);
    expect(tags.filter((t) => t.kind === 'phase').map((t) => t.tag_id)).toEqual(['phase-2']);
    expect(actors).toEqual(
      expect.arrayContaining(['steve-witkoff', 'jared-kushner', 'qatar', 'egypt', 'turkey', 'hamas']),
    );
  });

  it('marks the broken feed failing with its reason, and goes on', async () => {
    const feeds = await waitFor('broken feed marked failing', async () => {
      const rows = await service.rt.ctx.db.query<{ id: string; status: string; last_error: string | null }>(
        'select id, status, last_error from feeds order by id',
      );
      return rows.find((f) => f.id === 'broken-feed')?.status === 'failing' ? rows : undefined;
    });
    expect(feeds.find((f) => f.id === 'broken-feed')?.last_error).toMatch(/broken\/rss\.xml/);
    expect(feeds.find((f) => f.id === 'world-news')?.status).toBe('ok');
  });

  it('delivers Slack and email alerts for the seed article, once each', async () => {
    // Seed: phase-two (slack, email) and witkoff (slack); the Rafah item: phase-two (slack, email).
    await waitFor('slack messages', () => (world.slack.received.length >= 3 ? true : undefined));
    await waitFor('alert emails', () => (world.mail.mails.length >= 2 ? true : undefined));
    await waitFor('queues idle', queuesIdle);
    expect(world.slack.received).toHaveLength(3);
    expect(world.mail.mails).toHaveLength(2);
    const texts = world.slack.received.map((r) => JSON.stringify(r.body));
    expect(
      texts.some(
        (t) => t.includes('Witkoff to hold Miami talks') && t.includes('Phase two of the Gaza plan'),
      ),
    ).toBe(true);
    const body = world.slack.received[0]?.body as { blocks?: unknown[] };
    expect(Array.isArray(body.blocks)).toBe(true);
    // Two alert emails (the seed and the Rafah item), in whichever order their jobs finished.
    const subjects = world.mail.mails
      .filter((m) => m.to.includes('analyst@example.org'))
      .map((m) => /^Subject: (.*)$/m.exec(m.raw.replace(/\r?\n[ \t]+/g, ' '))?.[1] ?? '');
    expect(subjects.filter((s) => s.includes('Witkoff'))).toHaveLength(1);
    expect(subjects.filter((s) => s.includes('Rafah'))).toHaveLength(1);

    // Polling the feed again (and re-running the store step) creates no rows and no second alert.
    const before = { slack: world.slack.received.length, mail: world.mail.mails.length };
    const job = await service.rt.queues.feedFetch.add('refresh', { feedId: 'world-news' });
    await waitFor('manual poll done', async () =>
      (await job.getState()) === 'completed' ? true : undefined,
    );
    const seedRow = (await articles()).find((r) => r.canonical_url.endsWith(SEED_URL_PATH));
    expect(seedRow).toBeDefined();
    const deliveries = await service.rt.ctx.db.query<{ n: string }>(
      "select count(*)::text as n from alert_deliveries where status = 'sent'",
    );
    expect(Number(deliveries[0]?.n)).toBe(before.slack + before.mail);
    expect(await articles()).toHaveLength(4);
    expect(world.slack.received.length).toBe(before.slack);
    expect(world.mail.mails.length).toBe(before.mail);
  });

  it('runs a store job again once its completed job has expired, and nothing changes', async () => {
    const { store } = service.rt.queues;
    const completed = await store.getJobs(['completed']);
    const seedJob = completed.find((j) => JSON.stringify(j.data).includes(SEED_URL_PATH));
    expect(seedJob).toBeDefined();
    if (!seedJob?.id) return;
    // Kept an hour, not a week: completed store and article jobs carry the article's text.
    expect(seedJob.opts.removeOnComplete).toEqual({ age: 3600, count: 1_000 });
    const [articleJob] = await service.rt.queues.article.getJobs(['completed'], 0, 0);
    expect(articleJob?.opts.removeOnComplete).toEqual({ age: 3600, count: 1_000 });
    const before = { slack: world.slack.received.length, mail: world.mail.mails.length };
    // What the hour's expiry does; then a late repeat of the same hand-on (a re-drive, a redelivery).
    await store.remove(seedJob.id);
    // And with the alert jobs gone too, only the ledger stands between the repeat and a second message.
    await service.rt.queues.alert.clean(0, 10_000, 'completed');
    await enqueue(service.rt.queues, world.settings, [{ stage: 'store', data: seedJob.data }]);
    const again = await waitFor('store job run again', async () => {
      const job = await store.getJob(seedJob.id ?? '');
      return job && (await job.getState()) === 'completed' ? job : undefined;
    });
    expect(again.returnvalue).toMatchObject({ stage: 'store', isNew: false });
    // It planned its alerts again (same keys): the alert step's ledger check is what holds them back.
    expect(again.returnvalue.alerts).toBeGreaterThan(0);
    await waitFor('queues idle', queuesIdle);
    await new Promise((resolve) =>
      setTimeout(resolve, Number(world.settings.ALERT_GATHER_SECONDS) * 1000 + 500),
    );
    await waitFor('queues idle', queuesIdle);
    expect(await articles()).toHaveLength(4);
    expect(world.slack.received.length).toBe(before.slack);
    expect(world.mail.mails.length).toBe(before.mail);
  });

  it('measures seen → stored and seen → alert from the ledger, once per version stored', async () => {
    const text = (await metrics?.registry.metrics()) ?? '';
    /** A histogram's `_sum` or `_count` from the exposition, under `labels` (`channel="slack"`). */
    const read = (name: string, labels = '') =>
      Number(new RegExp(`^${name}${labels ? `\\{${labels}\\}` : ''} (\\S+)$`, 'm').exec(text)?.[1]);
    const stored = await service.rt.ctx.db.query<{ seconds: number }>(
      `select extract(epoch from stored_at - pending_since)::float8 as seconds
       from feed_items where stored_at is not null`,
    );
    expect(stored).toHaveLength(4);
    // The re-run store job above stored nothing new: one observation per version stored, each its
    // own seen → stored time from the ledger.
    expect(read('cw_item_seen_to_stored_seconds_count')).toBe(4);
    const expected = stored.reduce((total, r) => total + Number(r.seconds), 0);
    expect(read('cw_item_seen_to_stored_seconds_sum')).toBeCloseTo(expected, 2);
    expect(new Set(stored.map((r) => r.seconds)).size).toBeGreaterThan(1);
    for (const r of stored) expect(r.seconds).toBeGreaterThan(0);
    expect(expected / 4).toBeLessThan(60);
    // Three Slack messages and two emails were sent; each counted once, under its channel.
    expect(read('cw_item_seen_to_alert_seconds_count', 'channel="slack"')).toBe(3);
    expect(read('cw_item_seen_to_alert_seconds_count', 'channel="email"')).toBe(2);
    const slack = read('cw_item_seen_to_alert_seconds_sum', 'channel="slack"');
    expect(slack / 3).toBeGreaterThan(0);
    expect(slack / 3).toBeLessThan(120);
    // The broken feed's failed polls, counted by their reason.
    expect(text).toMatch(
      /^cw_stage_failures_total\{stage="feed-fetch",reason="[a-z_]+",permanent="(true|false)"\} [1-9]\d*$/m,
    );
  });

  it('builds the digest through the digest queue and emails it', async () => {
    const job = await service.rt.queues.digest.add('daily', { day: '2025-12-19' });
    const result = await waitFor('digest job', async () => {
      const state = await job.getState();
      if (state === 'failed')
        throw new Error(
          `digest failed: ${(await service.rt.queues.digest.getJob(job.id ?? ''))?.failedReason}`,
        );
      return state === 'completed'
        ? ((await service.rt.queues.digest.getJob(job.id ?? ''))?.returnvalue as { articles: number })
        : undefined;
    });
    expect(result.articles).toBe(4);
    const digestMail = await waitFor('digest email', () =>
      world.mail.mails.find((m) => m.to.includes('desk@example.org')),
    );
    expect(digestMail.raw).toContain('2025-12-19');

    const weekly = await service.rt.queues.digest.add('weekly', { day: '2025-12-21', period: 'weekly' });
    await waitFor('weekly digest job', async () =>
      (await weekly.getState()) === 'completed' ? true : undefined,
    );
    const weeklyResult = (await service.rt.queues.digest.getJob(weekly.id ?? ''))?.returnvalue as {
      articles: number;
      markdownPath: string;
    };
    // The week ending on the 21st holds the 19th's four articles.
    expect(weeklyResult.articles).toBe(4);
    expect(weeklyResult.markdownPath).toMatch(/digest-week-2025-12-21\.md$/);
  });

  it('schedules every feed and the daily digest in Redis', async () => {
    const schedulers = await service.rt.queues.feedFetch.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual([
      'config-sync',
      'feed-broken-feed',
      'feed-world-news',
    ]);
    const digest = await service.rt.queues.digest.getJobSchedulers();
    expect(service.rt.queues.digest.name).toBe(QueueNames.digest);
    expect(digest.find((d) => d.key === 'digest-daily')).toMatchObject({ pattern: '0 7 * * *', tz: 'UTC' });
    expect(digest.find((d) => d.key === 'digest-weekly')).toMatchObject({ pattern: '0 7 * * 1', tz: 'UTC' });
  });

  it('picks up a feed added to feeds.yaml without a restart', async () => {
    const feedXml = await readFile(fixture('feeds/127.0.0.1--gaza-ceasefire.xml'), 'utf8');
    world.site.set('/second/rss.xml', {
      contentType: 'application/rss+xml',
      body: feedXml.replaceAll('{{BASE}}', world.site.base),
    });
    const { added } = await addFeedsToFile(path.join(world.configDir, 'feeds.yaml'), [
      { url: `${world.site.base}/second/rss.xml`, id: 'second-feed' },
    ]);
    expect(added).toEqual(['second-feed']);
    // The config-sync scheduler runs this every minute; the test does not wait for it.
    const sync = await service.rt.queues.feedFetch.add('sync-feeds', {});
    await waitFor('config sync', async () => ((await sync.getState()) === 'completed' ? true : undefined));
    const schedulers = await service.rt.queues.feedFetch.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('feed-second-feed');
    const polled = await waitFor('second feed polled', async () => {
      const rows = await service.rt.ctx.db.query<{ status: string }>(
        "select status from feeds where id = 'second-feed'",
      );
      return rows[0]?.status === 'ok' ? rows : undefined;
    });
    expect(polled).toEqual([{ status: 'ok' }]);
    await waitFor('queues idle', queuesIdle);
    // Its items are the ones already stored from the first feed: nothing new, nothing twice.
    expect(await articles()).toHaveLength(4);
  });
});
