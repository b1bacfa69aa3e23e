/**
 * `cli serve` as a real process over an embedded database that `run --once` would have filled: it
 * serves the dashboard on the port it is given, and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.ts';
import { freePort, startFixtureSite } from '../helpers/local-servers.ts';
import { fixture, projectRoot } from '../helpers/pipeline-setup.ts';
import { seedDataDir } from '../helpers/pglite-template.ts';
import { cliInProcess } from '../helpers/run-cli.ts';
import { seedStories } from '../helpers/seed-stories.ts';

describe('cli serve', () => {
  let env: Record<string, string>;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cw-serve-'));
    const db = await openDb({ dataDir: seedDataDir(path.join(dir, 'data')) });
    await seedStories(db);
    await db.close();
    await writeFile(
      path.join(dir, 'feeds.yaml'),
      'feeds:\n  - id: wire\n    url: https://wire.example/rss\n',
    );
    await writeFile(path.join(dir, 'alerts.yaml'), 'rules: []\n');
    env = {
      CONFIG_DIR: dir,
      WATCHLIST: path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'),
      DATA_DIR: path.join(dir, 'data'),
      LOG_LEVEL: 'silent',
    };
  });

  const children: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  /** `cli serve` as a process on a free port; resolves once it listens, with what stops it. */
  async function startServe(extraEnv: Record<string, string> = {}) {
    const port = await freePort();
    const child = spawn(path.join(projectRoot, 'node_modules/.bin/tsx'), ['src/cli.ts', 'serve'], {
      cwd: projectRoot,
      env: { ...process.env, ...env, ...extraEnv, PORT: String(port) },
    });
    children.push(child);
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('dashboard on')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening`)));
    });
    const stop = async () => {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    };
    return { port, stdout, base: `http://127.0.0.1:${port}`, stop };
  }

  it('serves the stories of the embedded database until SIGTERM', { timeout: 30_000 }, async () => {
    const { port, stdout, stop } = await startServe();
    expect(stdout).toBe(`dashboard on http://127.0.0.1:${port}/ (Ctrl-C stops it)\n`);

    const page = await (await fetch(`http://127.0.0.1:${port}/?q=Rafah`)).text();
    expect(page).toContain('1 story, best match first');
    expect(page).toContain('Rafah crossing reopens &lt;img src=x onerror=alert(1)&gt;');
    // Names come from the configured watchlist.
    expect(page).toContain('Steve Witkoff (1)');
    expect(await stop()).toBe(0);
  });

  it(
    'adds a feed and pauses it from a logged-in browser form, and run --once then leaves it alone until resumed',
    { timeout: 120_000 },
    async () => {
      const feedXml = await readFile(fixture('feeds/127.0.0.1--gaza-ceasefire.xml'));
      const site = await startFixtureSite(() => ({
        '/': {
          body: '<!doctype html><html><head><title>Site</title></head><body>no feed here</body></html>',
        },
        '/news/rss.xml': { body: feedXml, contentType: 'application/rss+xml' },
      }));
      const token = 'serve-test-token-0123456789';
      const extraEnv = { DASHBOARD_TOKEN: token, ALLOW_PRIVATE_NETWORKS: 'true' };
      try {
        const serve = await startServe(extraEnv);
        const feedUrl = `${site.base}/news/rss.xml`;
        const anonymous = await fetch(`${serve.base}/api/feeds`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: feedUrl }),
        });
        expect(anonymous.status).toBe(401);

        const added = await fetch(`${serve.base}/api/feeds`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ url: feedUrl, intervalMinutes: 30 }),
        });
        expect(added.status).toBe(201);
        const { id } = (await added.json()) as { id: string };
        expect(id).toBe('127-0-0-1-news-rss');
        expect(await readFile(path.join(env.CONFIG_DIR ?? '', 'feeds.yaml'), 'utf8')).toContain(feedUrl);
        const noFeed = await fetch(`${serve.base}/api/feeds`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ url: `${site.base}/` }),
        });
        expect(noFeed.status).toBe(422);
        expect(((await noFeed.json()) as { error: string }).error).toMatch(
          /no feed found: the page announces no feed/,
        );

        // A browser logs in with the form and pauses the feed with the page's button.
        const login = await fetch(`${serve.base}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, next: '/feeds' }).toString(),
        });
        expect(login.status).toBe(303);
        expect(login.headers.get('location')).toBe('/feeds');
        const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
        expect(cookie).toMatch(/^cw_session=[\w-]{20,}$/);
        expect(cookie).not.toContain(token);
        const feedsPage = await (await fetch(`${serve.base}/feeds`, { headers: { cookie } })).text();
        expect(feedsPage).toContain(`action="/feeds/${id}/pause"`);
        const paused = await fetch(`${serve.base}/feeds/${id}/pause`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, origin: serve.base, 'content-type': 'application/x-www-form-urlencoded' },
          body: `feed=${id}`,
        });
        expect(paused.status).toBe(303);
        const health = (await (await fetch(`${serve.base}/api/feeds`)).json()) as {
          feeds: { id: string; status: string; nextPollAt: string | null }[];
        };
        expect(health.feeds.find((f) => f.id === id)).toMatchObject({ status: 'paused', nextPollAt: null });
        expect(await serve.stop()).toBe(0);

        // run --once, the other path, honours the pause: the feed is not fetched at all.
        const hitsBefore = site.hits.filter((h) => h === '/news/rss.xml').length;
        const whilePaused = await cliInProcess(['run', '--once'], { env: { ...env, ...extraEnv } });
        expect(whilePaused.stdout).toMatch(/\(1 paused\)/);
        expect(site.hits.filter((h) => h === '/news/rss.xml').length).toBe(hitsBefore);
        const listed = await cliInProcess(['feeds'], { env: { ...env, ...extraEnv } });
        expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+paused\\s`, 'm'));

        expect((await cliInProcess(['feeds', 'resume', id], { env: { ...env, ...extraEnv } })).stdout).toBe(
          `resumed ${id}\n`,
        );
        const resumed = await cliInProcess(['run', '--once'], { env: { ...env, ...extraEnv } });
        expect(resumed.stdout).not.toMatch(/paused/);
        expect(site.hits.filter((h) => h === '/news/rss.xml').length).toBe(hitsBefore + 1);
      } finally {
        await site.close();
      }
    },
  );

  it('says in one line why it cannot serve', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const busy = await cliInProcess(['serve'], { env: { ...env, PORT: String(port) } });
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`^serve: 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\n$`));
    } finally {
      blocker.close();
    }
    const exposed = await cliInProcess(['serve'], { env: { ...env, HOST: '0.0.0.0' } });
    expect(exposed.code).not.toBe(0);
    expect(exposed.stderr).toMatch(/HOST: 0\.0\.0\.0 is not loopback: set DASHBOARD_TOKEN/);
  });
});
