/**
 * bull-board at `/queues` of the dashboard, over the real Redis under a unique prefix: its JSON API
 * counts the jobs, its page runs in headless Chromium under the `/queues` CSP without a violation,
 * and its writes need the token like every other write. Without queues (`cli serve`) `/queues` says
 * where they are.
 */
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeQueues, openQueues, type Queues } from '../../src/queue/queues.ts';
import { createRedis } from '../../src/queue/redis-connection.ts';
import type { Db } from '../../src/store/db.ts';
import { CONTENT_SECURITY_POLICY, createDashboard } from '../../src/web/dashboard-server.ts';
import { QUEUE_BOARD_CSP } from '../../src/web/queue-board.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { backends, dropTestDb, openTestDb, uniqueSchema } from '../store/test-db.ts';

const TOKEN = 'a-dashboard-token-0123456789';
/** Chromium's start and bull-board's first render; a few seconds on a quiet two-core machine. */
const BROWSER_TEST_MS = 60_000;

const pglite = backends.find((b) => b.name === 'pglite') ?? backends[0];
if (!pglite) throw new Error('no test backend');

interface QueuesApi {
  queues: { name: string; counts: Record<string, number> }[];
}

describe('bull-board at /queues', () => {
  const schema = uniqueSchema();
  const prefix = `test-bull-board-${randomUUID().slice(0, 8)}`;
  const connection = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  let queues: Queues;
  let db: Db;
  let browser: Browser | undefined;
  const servers: FastifyInstance[] = [];

  async function serve(withQueues: boolean): Promise<string> {
    const app = createDashboard({
      db,
      settings: { HOST: '127.0.0.1', DASHBOARD_TOKEN: TOKEN },
      names: () => ({}),
      ...(withQueues ? { queues: Object.values(queues) } : {}),
    });
    servers.push(app);
    return app.listen({ port: 0, host: '127.0.0.1' });
  }

  let base = '';
  beforeAll(async () => {
    db = await openTestDb(pglite, schema);
    queues = openQueues(connection, prefix);
    await queues.feedFetch.add('poll', { feedId: 'world-news' }, { jobId: 'poll-world-news' });
    base = await serve(true);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
    for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
    await closeQueues(queues);
    connection.disconnect();
    await dropTestDb(db, schema);
  });

  it('lists every queue with its job counts in its JSON API', async () => {
    const response = await fetch(`${base}/queues/api/queues`);
    expect(response.status).toBe(200);
    const { queues: listed } = (await response.json()) as QueuesApi;
    expect(listed.map((q) => q.name).sort()).toEqual(['alert', 'article', 'digest', 'feed-fetch', 'store']);
    expect(listed.find((q) => q.name === 'feed-fetch')?.counts).toMatchObject({ waiting: 1, failed: 0 });
    expect(listed.find((q) => q.name === 'store')?.counts).toMatchObject({ waiting: 0 });
  });

  it('serves its page under its own CSP, the rest of the dashboard keeping the strict one', async () => {
    for (const url of [`${base}/queues`, `${base}/queues/`, `${base}/queues/static/images/logo.svg`]) {
      const page = await fetch(url);
      expect(page.status, url).toBe(200);
      expect(page.headers.get('content-security-policy'), url).toBe(QUEUE_BOARD_CSP);
      expect(await page.text(), url).not.toContain('fonts.googleapis.com');
    }
    expect(QUEUE_BOARD_CSP).toContain("script-src 'self';");
    expect(QUEUE_BOARD_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const home = await fetch(`${base}/`);
    expect(home.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it(
    'loads in headless Chromium with no CSP violation and shows the queues',
    async () => {
      browser = await launchChromium();
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      const outside: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(base)) outside.push(request.url());
      });
      await page.goto(`${base}/queues`);
      await page.getByText('feed-fetch').first().waitFor({ timeout: 30_000 });
      await page.goto(`${base}/queues/queue/feed-fetch`);
      await page.getByText('poll-world-news').first().waitFor({ timeout: 30_000 });
      await page.goto(`${base}/queues/queue/feed-fetch/poll-world-news`);
      await page.getByText('world-news').first().waitFor({ timeout: 30_000 });
      expect(problems).toEqual([]);
      expect(outside).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it.each([
    { name: 'no-token-refused', token: null, status: 401, paused: false },
    { name: 'wrong-token-refused', token: 'not-the-token-at-all', status: 401, paused: false },
    { name: 'token-pauses', token: TOKEN, status: 200, paused: true },
  ])('$name: a write (pause a queue) needs the token', async ({ token, status, paused }) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${base}/queues/api/queues/digest/pause`, { method: 'PUT', headers });
    expect(response.status).toBe(status);
    expect(await queues.digest.isPaused()).toBe(paused);
  });

  it('answers a page saying where the queues are when the dashboard has none', async () => {
    const bare = await serve(false);
    for (const [url, status] of [
      [`${bare}/queues`, 200],
      [`${bare}/queues/queue/store`, 404],
    ] as const) {
      const response = await fetch(url);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toContain('<code>npm start</code>');
    }
  });
});
