/**
 * The pipeline's runs in issue 12's benchmark, each over the whole local web, as real processes:
 *
 * - `run --once` on PGlite or on a fresh PostgreSQL database (`node --import tsx src/cli.ts run --once`);
 * - the service (`workers/all.ts`) on its own Redis and a fresh PostgreSQL database, with one more
 *   article-worker process (`workers/article-worker.ts`) when asked, and a rule on Steve Witkoff that
 *   posts to a Slack receiver on 127.0.0.1 with the default gather window and pace.
 *
 * Rates count from the first item seen to the last stored (the database's own times), so that process
 * start-up is left out as the ceilings leave out thread start-up; the wall time is printed beside them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDb, type Db } from '../../src/store/db.ts';
import { startWebhookReceiver } from '../../tests/helpers/local-servers.ts';
import { startPrivateRedis } from '../../tests/helpers/private-services.ts';
import type { ExtractionWeb } from './extraction-web.ts';
import {
  cpuSeconds,
  postgresCpuSeconds,
  redisKeyKinds,
  sampleProcess,
  sampleRedisMemory,
  type RedisKeyKind,
} from './measure.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ProcessFigure {
  name: string;
  peakRssMb: number;
  cpuSeconds: number;
}

export interface PipelineFigure {
  what: string;
  articles: number;
  /** First item seen to last item stored. */
  seconds: number;
  wallSeconds: number;
  processes: ProcessFigure[];
  postgresCpuSeconds: number;
  /** What the articles wrote to PostgreSQL (null on PGlite). */
  postgresWrites: PostgresWrites | null;
  /** CPU of the bench process meanwhile: the local web serving feeds and pages. */
  webCpuSeconds: number;
  redis: { startMb: number; peakMb: number; endMb: number; kinds: RedisKeyKind[] } | null;
  /** Of the backlog: every item seen at once, so mostly the wait in the queue. */
  seenToStored: number[];
  seenToAlert: number[];
  /** Of the items published one at a time once the backlog was stored (the service only). */
  live: { items: number; seenToStored: number[]; seenToAlert: number[] } | null;
  alertsPlanned: number;
  gatherSeconds: number;
  /** Peak RSS of the pipeline's processes (summed) as the count of stored articles passed each mark. */
  rssAtMarks: { articles: number; mb: number }[];
}

export const RSS_MARKS = [1_000, 5_000, 10_000];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface PostgresWrites {
  /** WAL written by the whole server meanwhile (nothing else writes on the bench machine). */
  walMb: number;
  commits: number;
  rowsWritten: number;
}

/** A fresh database on the PostgreSQL of `adminUrl`, dropped by `drop()`. */
async function freshDatabase(
  adminUrl: string,
  name: string,
): Promise<{ url: string; writesSoFar(): Promise<PostgresWrites>; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  const lsn = async () =>
    (await admin.query<{ l: string }>('select pg_current_wal_lsn()::text as l')).rows[0]?.l;
  const startLsn = await lsn();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async writesSoFar() {
      // Statistics reach pg_stat_database within a second of a transaction's end.
      await sleep(1_500);
      const { rows } = await admin.query<{ wal: string; commits: string; rows: string }>(
        `select pg_wal_lsn_diff(pg_current_wal_lsn(), $2::pg_lsn)::text as wal, xact_commit::text as commits,
                (tup_inserted + tup_updated + tup_deleted)::text as rows
         from pg_stat_database where datname = $1`,
        [name, startLsn],
      );
      const row = rows[0];
      return {
        walMb: Number(row?.wal ?? 0) / 2 ** 20,
        commits: Number(row?.commits ?? 0),
        rowsWritten: Number(row?.rows ?? 0),
      };
    },
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

interface ItemTimes {
  item: number;
  seen: number;
  stored: number | null;
}

/** When each item was first seen and stored (epoch ms), from the ledger. */
async function itemTimes(db: Db, web: ExtractionWeb): Promise<ItemTimes[]> {
  const rows = await db.query<{ url: string; seen: Date; stored: Date | null }>(
    'select canonical_url as url, first_seen_at as seen, stored_at as stored from feed_items',
  );
  return rows.flatMap((r) => {
    const item = web.itemOf(r.url);
    return item === null ? [] : [{ item, seen: r.seen.getTime(), stored: r.stored?.getTime() ?? null }];
  });
}

/** Stored count, first seen → last stored (s), and each item's seen → stored (s). */
function timing(times: readonly ItemTimes[]): { stored: number; seconds: number; seenToStored: number[] } {
  const stored = times.filter((t) => t.stored !== null) as (ItemTimes & { stored: number })[];
  const seconds = (Math.max(...stored.map((t) => t.stored)) - Math.min(...times.map((t) => t.seen))) / 1000;
  return { stored: stored.length, seconds, seenToStored: stored.map((t) => (t.stored - t.seen) / 1000) };
}

/** Watches stored articles cross each of RSS_MARKS and notes the processes' peak RSS then. */
function marksWatcher(total: () => number): {
  seen(stored: number): void;
  marks: { articles: number; mb: number }[];
} {
  const marks: { articles: number; mb: number }[] = [];
  return {
    marks,
    seen(stored) {
      for (const mark of RSS_MARKS) {
        if (stored >= mark && !marks.some((m) => m.articles === mark))
          marks.push({ articles: mark, mb: total() });
      }
    },
  };
}

/** A counter of the log lines holding `marker`, reading only what was appended since the last call. */
function countLogLines(file: string, marker: string): () => number {
  let offset = 0;
  let count = 0;
  let partial = '';
  return () => {
    const fd = openSync(file, 'r');
    try {
      const chunk = Buffer.alloc(Math.max(0, fstatSync(fd).size - offset));
      offset += readSync(fd, chunk, 0, chunk.length, offset);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      count += lines.filter((line) => line.includes(marker)).length;
    } finally {
      closeSync(fd);
    }
    return count;
  };
}

export interface RunOptions {
  web: ExtractionWeb;
  /** PostgreSQL to create the run's database on (the admin connection). */
  adminUrl: string;
  /** Write V8 CPU profiles of the measured processes here (node --cpu-prof). */
  profileDir?: string;
  logDir: string;
  /** Items of the service's live phase (0: none). @defaultValue 120 */
  liveItems?: number;
  /** EXTRACT_THREAD_HEAP_MB of the pipeline processes; unset: the setting's default. */
  extractHeapMb?: number;
}

function baseEnv(dir: string, opts: RunOptions, live: boolean): NodeJS.ProcessEnv {
  writeFileSync(path.join(dir, 'feeds.yaml'), opts.web.feedsYaml({ live }));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CONFIG_DIR: dir,
    WATCHLIST: path.join(ROOT, 'config/watchlists/gaza-ceasefire.yaml'),
    DATA_DIR: path.join(dir, 'data'),
    DIGEST_DIR: path.join(dir, 'digests'),
    ALLOW_PRIVATE_NETWORKS: 'true',
    // One host serves the whole web: the politeness gate would make it a crawl of hours.
    HOST_MIN_SPACING_MS: '0',
    HOST_MAX_CONCURRENT: '32',
    LOG_LEVEL: 'info',
    ...(opts.extractHeapMb === undefined ? {} : { EXTRACT_THREAD_HEAP_MB: String(opts.extractHeapMb) }),
  };
  return env;
}

function spawnMeasured(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: RunOptions,
  core?: number,
): { child: ChildProcess; sampler: ReturnType<typeof sampleProcess>; exited: Promise<number | null> } {
  const profiling = opts.profileDir
    ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(opts.profileDir, name)]
    : [];
  const fd = openSync(path.join(opts.logDir, `${name}.log`), 'w');
  const command = [process.execPath, ...profiling, '--import', 'tsx', ...args];
  // taskset execs node in place (same pid), which then sees one core: its extraction pool has one thread.
  const pinned = core === undefined ? command : ['taskset', '-c', String(core), ...command];
  const child = spawn(pinned[0] ?? '', pinned.slice(1), {
    cwd: ROOT,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const sampler = sampleProcess(child.pid ?? 0);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, sampler, exited };
}

export async function runOnceRun(opts: RunOptions, store: 'pglite' | 'postgres'): Promise<PipelineFigure> {
  const { web } = opts;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cw-bench-'));
  writeFileSync(path.join(dir, 'alerts.yaml'), 'rules: []\n');
  const database =
    store === 'postgres' ? await freshDatabase(opts.adminUrl, `cw_bench_${process.pid}`) : undefined;
  const env = baseEnv(dir, opts, false);
  if (database) env.DATABASE_URL = database.url;
  try {
    const pgBefore = postgresCpuSeconds();
    const webBefore = cpuSeconds('self')?.[0] ?? 0;
    const started = performance.now();
    const name = `run-once-${store}`;
    const run = spawnMeasured(name, ['src/cli.ts', 'run', '--once'], env, opts);
    // Stored articles, as the run logs them: PGlite cannot be read from outside while it runs.
    const marks = marksWatcher(() => run.sampler.peakMb());
    const logFile = path.join(opts.logDir, `${name}.log`);
    const stored = countLogLines(logFile, '"msg":"article stored"');
    const watch = setInterval(() => marks.seen(stored()), 1_000);
    const code = await run.exited;
    clearInterval(watch);
    run.sampler.stop();
    const wallSeconds = (performance.now() - started) / 1000;
    if (code !== 0 && code !== 3)
      throw new Error(`run --once on ${store} exited with ${code}; see ${logFile}`);
    const db = await openDb(
      database ? { databaseUrl: database.url } : { dataDir: path.join(dir, 'data', 'pglite') },
    );
    const times = await itemTimes(db, web).finally(() => db.close());
    const backlog = timing(times);
    marks.seen(backlog.stored);
    return {
      what: `run --once on ${store === 'pglite' ? 'PGlite' : 'PostgreSQL'}`,
      articles: backlog.stored,
      seconds: backlog.seconds,
      wallSeconds,
      processes: [{ name: 'run --once', peakRssMb: run.sampler.peakMb(), cpuSeconds: run.sampler.cpu() }],
      postgresCpuSeconds: database ? postgresCpuSeconds() - pgBefore : 0,
      postgresWrites: database ? await database.writesSoFar() : null,
      webCpuSeconds: (cpuSeconds('self')?.[0] ?? 0) - webBefore,
      redis: null,
      seenToStored: backlog.seenToStored,
      seenToAlert: [],
      live: null,
      alertsPlanned: 0,
      gatherSeconds: 0,
      rssAtMarks: marks.marks,
    };
  } finally {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The live phase: by default 120 items, one every 1.5 s (3 minutes), every seventh naming Steve Witkoff. */
const LIVE_ITEMS = 120;
const LIVE_EVERY_MS = 1_500;

/**
 * The service: `workers/all.ts`, plus `extraArticleWorkers` processes of `workers/article-worker.ts`.
 * `pinned` puts process k on core k alone (taskset): what each process brings when it has a core of
 * its own, as on machines of their own, where unpinned processes on one machine share its cores.
 */
export async function serviceRun(
  opts: RunOptions,
  extraArticleWorkers: number,
  pinned = false,
): Promise<PipelineFigure> {
  const { web } = opts;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cw-bench-'));
  const gatherSeconds = 60;
  writeFileSync(
    path.join(dir, 'alerts.yaml'),
    [
      'rules:',
      '  - id: witkoff',
      '    actors: [steve-witkoff]',
      '    relevantOnly: false',
      '    channels: [slack]',
    ].join('\n'),
  );
  const [redis, slack] = await Promise.all([startPrivateRedis({ aof: false }), startWebhookReceiver()]);
  const database = await freshDatabase(opts.adminUrl, `cw_bench_service_${process.pid}`);
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(dir, opts, true),
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'bench',
    ALERT_FEEDS_PORT: '0',
    PORT: '0',
    SLACK_WEBHOOK_URL: slack.url,
    ALERT_GATHER_SECONDS: String(gatherSeconds),
  };
  const processes: ReturnType<typeof spawnMeasured>[] = [];
  const db = await openDb({ databaseUrl: database.url });
  const redisMemory = sampleRedisMemory(redis.url);
  try {
    const pgBefore = postgresCpuSeconds();
    const webBefore = cpuSeconds('self')?.[0] ?? 0;
    const started = performance.now();
    const label = `${pinned ? 'pinned' : 'service'}-${1 + extraArticleWorkers}`;
    processes.push(spawnMeasured(`${label}-all`, ['workers/all.ts'], env, opts, pinned ? 0 : undefined));
    for (let k = 0; k < extraArticleWorkers; k++)
      processes.push(
        spawnMeasured(
          `${label}-article-${k + 2}`,
          ['workers/article-worker.ts'],
          env,
          opts,
          pinned ? k + 1 : undefined,
        ),
      );
    let exitedEarly = false;
    for (const p of processes) void p.exited.then(() => (exitedEarly = true));
    const marks = marksWatcher(() => processes.reduce((sum, p) => sum + p.sampler.peakMb(), 0));
    const count = async (sql: string) => {
      try {
        return Number((await db.query<{ n: number }>(sql))[0]?.n ?? 0);
      } catch {
        return 0; // before the service has migrated the database
      }
    };
    // The backlog: until every item is stored. CPU and rates are taken then.
    let backlogCpu: number[] = [];
    let pgCpu = 0;
    let pgWrites: PostgresWrites | null = null;
    let webCpu = 0;
    let backlogWall = 0;
    for (;;) {
      await sleep(1_000);
      if (exitedEarly) throw new Error(`a service process exited early; see ${opts.logDir}`);
      const stored = await count('select count(*) as n from feed_items where stored_at is not null');
      marks.seen(stored);
      if (stored < web.items) continue;
      backlogWall = (performance.now() - started) / 1000;
      backlogCpu = processes.map((p) => p.sampler.cpu());
      pgCpu = postgresCpuSeconds() - pgBefore;
      pgWrites = await database.writesSoFar();
      webCpu = (cpuSeconds('self')?.[0] ?? 0) - webBefore;
      break;
    }
    // The trickle: one item every LIVE_EVERY_MS on the live feeds (polled each minute).
    const liveItems: number[] = [];
    for (let k = 0; k < (opts.liveItems ?? LIVE_ITEMS); k++) {
      liveItems.push(web.publishLive());
      await sleep(LIVE_EVERY_MS);
    }
    // Until every live item is stored and every planned alert is delivered and received.
    for (;;) {
      await sleep(1_000);
      if (exitedEarly) throw new Error(`a service process exited early; see ${opts.logDir}`);
      const stored = await count('select count(*) as n from feed_items where stored_at is not null');
      const pending = await count("select count(*) as n from planned_alerts where state = 'pending'");
      const planned = await count('select count(*) as n from planned_alerts');
      if (stored >= web.items + liveItems.length && pending === 0 && slack.received.length >= planned) break;
    }
    for (const p of processes) p.sampler.stop();
    const endMb = await redisMemory.nowMb();
    const redisKinds = await redisKeyKinds(redis.url);
    const times = await itemTimes(db, web);
    const backlog = timing(times.filter((t) => !web.isLive(t.item)));
    const live = timing(times.filter((t) => web.isLive(t.item)));
    const seenAt = new Map(times.map((t) => [t.item, t.seen]));
    const seenToAlert = (isLive: boolean) =>
      slack.received.flatMap((message) => {
        const item = web.itemOf(JSON.stringify(message.body));
        const at = item === null || web.isLive(item) !== isLive ? undefined : seenAt.get(item);
        return at === undefined ? [] : [(message.at - at) / 1000];
      });
    return {
      what:
        `service, ${1 + extraArticleWorkers} article-worker process${extraArticleWorkers ? 'es' : ''}` +
        (pinned ? `, each alone on a core (taskset)` : ''),
      articles: backlog.stored,
      seconds: backlog.seconds,
      wallSeconds: backlogWall,
      processes: processes.map((p, k) => ({
        name: k === 0 ? 'workers/all.ts' : `article-worker ${k + 1}`,
        peakRssMb: p.sampler.peakMb(),
        cpuSeconds: backlogCpu[k] ?? 0,
      })),
      postgresCpuSeconds: pgCpu,
      postgresWrites: pgWrites,
      webCpuSeconds: webCpu,
      redis: { startMb: redisMemory.startMb(), peakMb: redisMemory.peakMb(), endMb, kinds: redisKinds },
      seenToStored: backlog.seenToStored,
      seenToAlert: seenToAlert(false),
      live:
        liveItems.length > 0
          ? { items: live.stored, seenToStored: live.seenToStored, seenToAlert: seenToAlert(true) }
          : null,
      alertsPlanned: await count('select count(*) as n from planned_alerts'),
      gatherSeconds,
      rssAtMarks: marks.marks,
    };
  } finally {
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => Promise.race([p.exited, sleep(15_000)])));
    for (const p of processes) p.child.kill('SIGKILL');
    await redisMemory.stop();
    await db.close();
    await Promise.all([redis.close(), slack.close(), database.drop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
