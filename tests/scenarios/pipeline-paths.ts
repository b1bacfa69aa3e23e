/**
 * The two ways people run the pipeline, side by side against one news site and one config: the
 * service (the real BullMQ workers on the real Redis and PostgreSQL) and `run --once` (in-process on
 * embedded PGlite, a fresh process-like context each round, as cron runs it). Each path has its own
 * Slack, webhook and SMTP receivers, so what each sent is counted where it arrived.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { loadSettings, type Settings } from '../../src/config/settings.ts';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce, type RunSummary } from '../../src/pipeline/run-once.ts';
import { buildDailyDigest, type PipelineContext } from '../../src/pipeline/steps.ts';
import { enqueue } from '../../src/queue/stage-worker.ts';
import type { Db } from '../../src/store/db.ts';
import { setFeedPaused } from '../../src/store/feeds.ts';
import { createAlertWorker } from '../../workers/alert-worker.ts';
import { createArticleWorker } from '../../workers/article-worker.ts';
import { createFeedWorker } from '../../workers/feed-worker.ts';
import { startWorkers } from '../../workers/service.ts';
import { createStoreWorker } from '../../workers/store-worker.ts';
import { startMailCatcher, startWebhookReceiver, waitFor } from '../helpers/local-servers.ts';
import { projectRoot } from '../helpers/pipeline-setup.ts';
import { freshDataDir } from '../helpers/pglite-template.ts';
import { NewsSite } from './news-site.ts';
import { takeSnapshot, type Receivers, type Snapshot } from './snapshot.ts';

export const SCENARIO_FEEDS = [
  { id: 'wire', title: 'Wire Service' },
  { id: 'regional', title: 'Regional Daily' },
  { id: 'aggregator', title: 'News Aggregator' },
];

/** The rules every scenario starts with: a phase, the mediators, an envoy; Slack, email and webhook. */
export const SCENARIO_RULES = [
  '  - id: phase-two',
  '    phases: [phase-2]',
  '    channels: [slack, email]',
  '  - id: mediators',
  '    when: actor:qatar OR actor:egypt OR actor:turkey',
  '    channels: [slack, webhook]',
  '  - id: witkoff',
  '    actors: [steve-witkoff]',
  '    channels: [webhook]',
];

/** The rule a timeline adds while the service runs. */
export const ADDED_RULE = [
  '  - id: stabilization-force',
  '    actors: [international-stabilization-force]',
  '    channels: [slack, email]',
];

/** The digest day: every item is published on it (news-site.ts). */
export const DIGEST_DAY = '2025-12-19';

/**
 * Timings that keep the semantics and the suite quick: a 0.2 s gather window, 60 ms between two
 * messages (the production pace is 1 s; the check is that a pace is kept, against the 5 ms gaps of
 * the report, not its size), 100 ms before a retry.
 */
export const PACE_MS = 60;

export interface ScenarioWorld {
  site: NewsSite;
  configDir: string;
  /** When the run began: times after it are the run's clock, not the news (snapshot.ts). */
  startedAt: number;
  addRule(lines: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startScenarioWorld(): Promise<ScenarioWorld> {
  const site = new NewsSite(SCENARIO_FEEDS);
  await site.start();
  const configDir = await mkdtemp(path.join(os.tmpdir(), 'cw-scenario-'));
  await writeFile(
    path.join(configDir, 'feeds.yaml'),
    [
      'feeds:',
      ...SCENARIO_FEEDS.flatMap((f) => [
        `  - id: ${f.id}`,
        `    title: ${f.title}`,
        `    url: ${site.feedUrl(f.id)}`,
        '    intervalMinutes: 60',
      ]),
    ].join('\n'),
  );
  const rules = [...SCENARIO_RULES];
  const writeAlerts = () =>
    writeFile(
      path.join(configDir, 'alerts.yaml'),
      ['rules:', ...rules, 'digest:', "  time: '07:00'", '  timezone: UTC'].join('\n'),
    );
  await writeAlerts();
  return {
    site,
    configDir,
    startedAt: Date.now(),
    async addRule(lines) {
      rules.push(...lines);
      await writeAlerts();
      // A person edits the file, then the news comes: running workers look at the file at most once a
      // second (src/config/reloading-file.ts).
      await new Promise((r) => setTimeout(r, 1_100));
    },
    async close() {
      await site.close();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

export interface StepResult {
  snapshot: Snapshot;
  /** The day's digest as Markdown, with the run's clock taken out. */
  digest: string;
}

export interface PipelinePath {
  name: 'service' | 'once';
  receivers: Receivers;
  /** One polling round of every feed, to the end of everything it set off; then the rows and digest. */
  step(): Promise<StepResult>;
  /** Pauses exactly these feeds in this path's database and resumes the others (the dashboard's buttons). */
  setPaused(feedIds: ReadonlySet<string>): Promise<void>;
  close(): Promise<void>;
}

const WEBHOOK_SECRET = 'scenario-webhook-secret-0123456789';

async function startReceivers(): Promise<Receivers> {
  const [slack, webhook, mail] = await Promise.all([
    startWebhookReceiver(),
    startWebhookReceiver(),
    startMailCatcher(),
  ]);
  return { slack, webhook, mail };
}

async function closeReceivers(r: Receivers): Promise<void> {
  await Promise.all([r.slack.close(), r.webhook.close(), r.mail.close()]);
}

function pathSettings(
  world: ScenarioWorld,
  receivers: Receivers,
  dataDir: string,
  extra: Record<string, string>,
): Settings {
  return loadSettings({
    CONFIG_DIR: world.configDir,
    WATCHLIST: path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'),
    DATA_DIR: dataDir,
    DIGEST_DIR: path.join(dataDir, 'digests'),
    ALLOW_PRIVATE_NETWORKS: 'true',
    FETCH_TIMEOUT_MS: '10000',
    HOST_MIN_SPACING_MS: '10',
    ALERT_GATHER_SECONDS: '0.2',
    ALERT_MIN_SPACING_MS: String(PACE_MS),
    RETRY_BACKOFF_MS: '100',
    SLACK_WEBHOOK_URL: receivers.slack.url,
    WEBHOOK_URL: receivers.webhook.url,
    WEBHOOK_SECRET,
    SMTP_URL: receivers.mail.url,
    EMAIL_FROM: 'ceasefire-watch <alerts@example.org>',
    ALERT_EMAIL_TO: 'analyst@example.org',
    ...extra,
  });
}

async function digestOf(ctx: PipelineContext, startedAt: number): Promise<string> {
  // Written, not emailed: the digest is compared as text after every step.
  const outcome = await buildDailyDigest({ ...ctx, mailer: null }, DIGEST_DAY);
  const markdown = await readFile(outcome.markdownPath, 'utf8');
  return markdown.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, (iso) =>
    Date.parse(iso) >= startedAt - 3_600_000 ? '<now>' : iso,
  );
}

/** Pauses the scenario feeds in `feedIds` (keeping an earlier pause's time) and resumes the others. */
async function pauseOnly(db: Db, feedIds: ReadonlySet<string>): Promise<void> {
  for (const feed of SCENARIO_FEEDS) {
    await setFeedPaused(db, feed.id, feedIds.has(feed.id) ? new Date().toISOString() : null);
  }
}

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Jobs not yet finished in a queue, whatever their state. */
async function unfinished(queue: Queue): Promise<number> {
  // A paused queue keeps its waiting jobs in 'waiting' (BullMQ 6 has no separate paused state).
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The service: feed, article, store and alert workers on Redis and PostgreSQL, one namespace. */
export async function startServicePath(world: ScenarioWorld): Promise<PipelinePath> {
  const receivers = await startReceivers();
  const namespace = `cw_scn_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cw-scenario-service-'));
  const settings = pathSettings(world, receivers, dataDir, {
    REDIS_URL: TEST_REDIS_URL,
    DATABASE_URL: TEST_DATABASE_URL,
    QUEUE_PREFIX: namespace,
  });
  const service = await startWorkers(
    [createFeedWorker, createArticleWorker, createStoreWorker, createAlertWorker],
    { settings, schema: namespace },
  );
  const { queues, ctx } = service.rt;
  const idle = (list: Queue[], what: string) =>
    waitFor(
      what,
      async () => ((await Promise.all(list.map(unfinished))).every((n) => n === 0) ? true : undefined),
      120_000,
    );
  return {
    name: 'service',
    receivers,
    async step() {
      // The round's copies all arrive within the gather window, whatever the machine's load: the
      // alert queue waits until the feeds, pages and stores of the round are done (an operator's
      // pause, not a stand-in), then the gather delay and the pace run as configured.
      await queues.alert.pause();
      await enqueue(
        queues,
        settings,
        [...ctx.feeds.keys()].map((feedId) => ({
          stage: 'feed' as const,
          data: { feedId, ignoreBackoff: true },
        })),
      );
      await idle([queues.feedFetch, queues.article, queues.store], 'service: feeds, articles, stores done');
      await queues.alert.resume();
      await idle([queues.alert], 'service: alerts done');
      return {
        snapshot: await takeSnapshot(ctx.db, receivers, world.startedAt),
        digest: await digestOf(ctx, world.startedAt),
      };
    },
    async setPaused(feedIds) {
      await pauseOnly(ctx.db, feedIds);
    },
    async close() {
      await Promise.all(service.workers.map((w) => w.close()));
      await Promise.all(Object.values(queues).map((q: Queue) => q.obliterate({ force: true })));
      await ctx.db.exec(`drop schema if exists ${namespace} cascade`);
      await service.rt.close();
      await closeReceivers(receivers);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `run --once` each round, on an embedded PGlite database kept between rounds. The database stays
 * open across rounds (reopening PGlite costs ~0.7 s a round); each round is a fresh `runOnce`, whose
 * executor keeps nothing from the round before, and config changes are read as the CLI reads them.
 */
export async function startOncePath(
  world: ScenarioWorld,
): Promise<PipelinePath & { summaries: RunSummary[] }> {
  const receivers = await startReceivers();
  const dataDir = freshDataDir();
  const settings = pathSettings(world, receivers, dataDir, {});
  const summaries: RunSummary[] = [];
  const ctx = await openContext({ settings });
  return {
    name: 'once',
    receivers,
    summaries,
    async step() {
      ctx.reloadConfig();
      summaries.push(await runOnce(ctx));
      return {
        snapshot: await takeSnapshot(ctx.db, receivers, world.startedAt),
        digest: await digestOf(ctx, world.startedAt),
      };
    },
    async setPaused(feedIds) {
      await pauseOnly(ctx.db, feedIds);
    },
    async close() {
      await ctx.close();
      await closeReceivers(receivers);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
