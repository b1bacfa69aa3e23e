/**
 * `npm start` as a person runs it: a real process tree (npm, node, the extraction threads), the JSON
 * log at the default level, and how it ends: SIGTERM to the npm process, or npm killed outright,
 * must leave no process behind. The two cases run at once (each has its own queues and database).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueNames } from '../../src/queue/queues.ts';
import { freePort, waitFor } from '../helpers/local-servers.ts';
import { seedDataDir } from '../helpers/pglite-template.ts';
import { fixture, projectRoot, startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';

/**
 * A whole `npm start`: npm, Node compiling the TypeScript, the database and the first poll, then the
 * shutdown. About 10 s on a quiet two-core machine; the limit leaves room for a busy one.
 */
const PROCESS_TEST_MS = 120_000;

interface LogLine {
  msg?: string;
  signal?: string;
  [key: string]: unknown;
}

interface Started {
  child: ChildProcess;
  logs: LogLine[];
  exited: Promise<number | null>;
}

/** Every process below `pid`, from `ps` (the extraction pool is threads, esbuild a child). */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.concurrent('npm start as a process', () => {
  let world: PipelineWorld;
  const prefixes: string[] = [];

  beforeAll(async () => {
    world = await startPipelineWorld();
  });

  afterAll(async () => {
    for (const prefix of prefixes) {
      for (const name of Object.values(QueueNames)) {
        const queue = new Queue(name, { connection: { url: world.settings.REDIS_URL }, prefix });
        await queue.obliterate({ force: true }).catch(() => undefined);
        await queue.close();
      }
    }
    await world.close();
  });

  function start(prefix: string, port = 0, extraEnv: Record<string, string> = {}): Started {
    prefixes.push(prefix);
    const s = world.settings;
    const dataDir = `${s.DATA_DIR}/${prefix}`;
    seedDataDir(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The default level, as a user gets it: vitest's own variables would silence the log.
    delete env.VITEST;
    delete env.LOG_LEVEL;
    Object.assign(env, {
      REDIS_URL: s.REDIS_URL,
      QUEUE_PREFIX: prefix,
      CONFIG_DIR: s.CONFIG_DIR,
      WATCHLIST: s.WATCHLIST,
      DATA_DIR: dataDir,
      DIGEST_DIR: s.DIGEST_DIR,
      ALLOW_PRIVATE_NETWORKS: 'true',
      HOST_MIN_SPACING_MS: '20',
      ALERT_GATHER_SECONDS: '0',
      ALERT_FEEDS_PORT: '0',
      PORT: String(port),
      SLACK_WEBHOOK_URL: world.slack.url,
      ...extraEnv,
    });
    delete env.DATABASE_URL; // the zero-setup default: embedded PGlite under DATA_DIR
    const child = spawn('npm', ['start'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const logs: LogLine[] = [];
    let rest = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      rest += chunk.toString('utf8');
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{')) logs.push(JSON.parse(line) as LogLine);
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, logs, exited };
  }

  const logged = (s: Started, msg: string) => waitFor(msg, () => s.logs.find((l) => l.msg === msg), 60_000);

  it(
    'says at the default level when an article is stored and an alert sent, and stops on SIGTERM',
    async () => {
      const port = await freePort();
      const service = start(`cw_proc_${process.pid}_term`, port);
      const stored = await logged(service, 'article stored');
      expect(stored).toMatchObject({
        article_url: expect.stringContaining(world.site.base),
        feed_id: 'world-news',
      });
      // The dashboard in the same process, ready while Redis and the database answer.
      expect(await logged(service, 'dashboard served')).toMatchObject({ url: `http://127.0.0.1:${port}/` });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', redis: 'ok', workers: 'ok' },
      });
      const stories = (await (await fetch(`http://127.0.0.1:${port}/api/stories`)).json()) as {
        total: number;
      };
      expect(stories.total).toBeGreaterThan(0);
      // Its metrics: the stages' jobs by outcome, and the queues' depths read from Redis.
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const completed = /^cw_stage_jobs_total\{stage="store",outcome="completed"\} (\d+)$/m.exec(metrics);
      expect(Number(completed?.[1])).toBeGreaterThan(0);
      expect(metrics).toMatch(
        /^cw_stage_job_seconds_bucket\{le="\+Inf",stage="article",outcome="completed"\} \d+$/m,
      );
      expect(metrics).toMatch(/^cw_queue_jobs\{queue="article",state="waiting"\} \d+$/m);
      expect(metrics).toMatch(/^cw_item_seen_to_stored_seconds_count \d+$/m);
      // bull-board over the process's own queues.
      const board = (await (await fetch(`http://127.0.0.1:${port}/queues/api/queues`)).json()) as {
        queues: { name: string }[];
      };
      expect(board.queues.map((q) => q.name).sort()).toEqual(Object.values(QueueNames).sort());
      const sent = await logged(service, 'alert sent');
      expect(sent).toMatchObject({
        rule_id: expect.any(String),
        channel: 'slack',
        story_id: expect.any(Number),
      });

      const npm = service.child.pid as number;
      const tree = descendants(npm);
      expect(tree.length).toBeGreaterThanOrEqual(1);
      service.child.kill('SIGTERM');
      expect(await service.exited).not.toBeNull();
      await waitFor(
        'every process of npm start gone',
        () => (tree.every((p) => !alive(p)) ? true : undefined),
        30_000,
      );
      expect(service.logs.map((l) => l.msg)).toContain('workers closed');
    },
    PROCESS_TEST_MS,
  );

  it(
    'polls a feed added from the dashboard at once, without a restart',
    async () => {
      // A config directory of its own: the feed added here must not reach the other tests' processes.
      const configDir = await mkdtemp(path.join(os.tmpdir(), 'cw-proc-add-'));
      for (const file of ['feeds.yaml', 'alerts.yaml']) {
        await copyFile(path.join(world.settings.CONFIG_DIR, file), path.join(configDir, file));
      }
      // Items of their own, whose pages are gone: stored from the feed's text.
      const feedXml = await readFile(fixture('feeds/127.0.0.1--gaza-ceasefire.xml'), 'utf8');
      world.site.set('/added/rss.xml', {
        contentType: 'application/rss+xml',
        body: feedXml.replaceAll('{{BASE}}/', `${world.site.base}/added/`),
      });
      const token = 'service-process-token-0123456789';
      const port = await freePort();
      const service = start(`cw_proc_${process.pid}_add`, port, {
        CONFIG_DIR: configDir,
        DASHBOARD_TOKEN: token,
        FEED_POLL_SPREAD_SECONDS: '0',
      });
      await logged(service, 'dashboard served');
      const added = await fetch(`http://127.0.0.1:${port}/api/feeds`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${world.site.base}/added/rss.xml`, id: 'added-feed' }),
      });
      expect(added.status).toBe(201);
      const stored = await waitFor(
        'an article of the added feed stored',
        () => service.logs.find((l) => l.msg === 'article stored' && l.feed_id === 'added-feed'),
        60_000,
      );
      expect(stored.article_url).toContain('/added/');
      const feeds = (await (await fetch(`http://127.0.0.1:${port}/api/feeds`)).json()) as {
        feeds: { id: string; status: string }[];
      };
      expect(feeds.feeds.find((f) => f.id === 'added-feed')?.status).toBe('ok');
      service.child.kill('SIGTERM');
      await service.exited;
      await rm(configDir, { recursive: true, force: true });
    },
    PROCESS_TEST_MS,
  );

  it(
    'stops when npm itself is killed and cannot pass a signal on',
    async () => {
      const service = start(`cw_proc_${process.pid}_kill`);
      await logged(service, 'workers started');
      const npm = service.child.pid as number;
      const tree = descendants(npm);
      service.child.kill('SIGKILL');
      await waitFor(
        'the orphaned workers gone',
        () => (tree.every((p) => !alive(p)) ? true : undefined),
        30_000,
      );
    },
    PROCESS_TEST_MS,
  );
});
