/**
 * Feed actions and the login that guards them, over real HTTP on 127.0.0.1 on an embedded database:
 * who may pause, resume and add, how a browser is sent to the login form, and that the session
 * cookie does not carry a write from another site. Adding a real feed end to end is in
 * tests/cli/serve-command.test.ts.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddFeedOutcome } from '../../src/pipeline/add-feed.ts';
import type { Db } from '../../src/store/db.ts';
import { getFeed, recordFeedFailure } from '../../src/store/feeds.ts';
import { createDashboard, type DashboardDeps } from '../../src/web/dashboard-server.ts';
import { seedStories } from '../helpers/seed-stories.ts';
import { backends, dropTestDb, openTestDb, truncateAll, uniqueSchema } from '../store/test-db.ts';

const TOKEN = 'feed-routes-token-0123456789';
const pglite = backends.find((b) => b.name === 'pglite') ?? backends[0];
if (!pglite) throw new Error('no test backend');

describe('feed actions over HTTP', () => {
  const schema = uniqueSchema();
  let db: Db;
  const servers: FastifyInstance[] = [];
  const added: string[] = [];

  async function serve(overrides: Partial<DashboardDeps> = {}): Promise<string> {
    const app = createDashboard({
      db,
      settings: { HOST: '127.0.0.1', DASHBOARD_TOKEN: TOKEN },
      names: () => ({}),
      addFeed: async (url): Promise<AddFeedOutcome> => {
        if (url.includes('nothing')) throw new Error('no feed found: the page announces no feed');
        added.push(url);
        return { status: 'added', id: 'new-feed', url, title: null, items: 3 };
      },
      ...overrides,
    });
    servers.push(app);
    return app.listen({ port: 0, host: '127.0.0.1' });
  }

  const form = (fields: Record<string, string>) => ({
    'content-type': 'application/x-www-form-urlencoded',
    body: new URLSearchParams(fields).toString(),
  });

  async function logIn(base: string, token = TOKEN): Promise<Response> {
    const { body, ...headers } = form({ token, next: '/feeds' });
    return fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers, body });
  }

  let base = '';
  beforeAll(async () => {
    db = await openTestDb(pglite, schema);
    await truncateAll(db);
    await seedStories(db);
    await recordFeedFailure(db, 'regional', { error: 'http: 503 <b>down</b>', at: '2025-12-19T10:00:00Z' });
    base = await serve();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await dropTestDb(db, schema);
  });

  it('pauses and resumes with the bearer token, and refuses without it', async () => {
    expect((await fetch(`${base}/api/feeds/wire/pause`, { method: 'POST' })).status).toBe(401);
    const bearer = { authorization: `Bearer ${TOKEN}` };
    const paused = await fetch(`${base}/api/feeds/wire/pause`, { method: 'POST', headers: bearer });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ id: 'wire', status: 'paused', nextPollAt: null });
    const firstPause = (await getFeed(db, 'wire'))?.pausedAt;
    expect(firstPause).toMatch(/^\d{4}-/);
    // Pausing again keeps the first pause's time.
    await fetch(`${base}/api/feeds/wire/pause`, { method: 'POST', headers: bearer });
    expect((await getFeed(db, 'wire'))?.pausedAt).toBe(firstPause);
    const feeds = (await (await fetch(`${base}/api/feeds`)).json()) as {
      feeds: { id: string; status: string }[];
    };
    expect(feeds.feeds.map((f) => `${f.id}:${f.status}`)).toEqual(
      expect.arrayContaining(['wire:paused', 'regional:failing']),
    );
    const page = await (await fetch(`${base}/feeds`)).text();
    expect(page).toMatch(/<tr class="feed-paused" data-feed="wire">/);
    expect(page).toContain('action="/feeds/wire/resume"');
    expect(page).toContain('action="/feeds/regional/pause"');
    expect(page).toContain('http: 503 &lt;b&gt;down&lt;/b&gt;');

    const resumed = await fetch(`${base}/api/feeds/wire/resume`, { method: 'POST', headers: bearer });
    expect(await resumed.json()).toMatchObject({ id: 'wire', status: 'new' });
    expect((await getFeed(db, 'wire'))?.pausedAt).toBeNull();
    const unknown = await fetch(`${base}/api/feeds/no-such-feed/pause`, { method: 'POST', headers: bearer });
    expect(unknown.status).toBe(404);
    const malformed = await fetch(`${base}/api/feeds`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: '{"url": ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/JSON/);
  });

  it('sends a browser without a session to the login form, and back after it', async () => {
    const { body, ...headers } = form({ feed: 'wire' });
    const refused = await fetch(`${base}/feeds/wire/pause`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, accept: 'text/html' },
      body,
    });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/login?next=%2Ffeeds');
    expect((await getFeed(db, 'wire'))?.pausedAt).toBeNull();

    const loginPage = await (await fetch(`${base}/login?next=/feeds`)).text();
    expect(loginPage).toContain('<input type="hidden" name="next" value="/feeds">');
    expect(loginPage).toContain('type="password" name="token"');

    const wrong = await logIn(base, 'not-the-token-at-all');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('That is not the dashboard token.');

    const right = await logIn(base);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/feeds');
    const setCookie = right.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0] ?? '';

    const done = await fetch(`${base}/feeds/wire/pause`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, cookie, origin: base },
      body,
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/feeds?done=paused%20wire');
    expect(await (await fetch(`${base}${done.headers.get('location') ?? ''}`)).text()).toContain(
      '<p class="notice" role="status">paused wire</p>',
    );
    expect((await getFeed(db, 'wire'))?.pausedAt).not.toBeNull();

    // The same cookie on a form posted from another site does nothing.
    const crossSite = await fetch(`${base}/feeds/wire/resume`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, cookie, origin: 'https://evil.example' },
      body,
    });
    expect(crossSite.status).toBe(403);
    expect((await getFeed(db, 'wire'))?.pausedAt).not.toBeNull();
    const others: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ];
    for (const from of others) {
      const refused = await fetch(`${base}/feeds/wire/resume`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...headers, cookie, ...from },
        body,
      });
      expect(refused.status).toBe(403);
    }
    expect((await getFeed(db, 'wire'))?.pausedAt).not.toBeNull();

    const logout = await fetch(`${base}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie } });
    expect(logout.headers.get('set-cookie')).toMatch(/^cw_session=; .*Max-Age=0/);
  });

  it('a session from another token is no session', async () => {
    const other = await serve({
      settings: { HOST: '127.0.0.1', DASHBOARD_TOKEN: 'another-token-0123456789' },
    });
    const cookie = ((await logIn(base)).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const refused = await fetch(`${other}/api/feeds/wire/resume`, { method: 'POST', headers: { cookie } });
    expect(refused.status).toBe(401);
  });

  it('never sends the login form on to another site', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const { body, ...headers } = form({ token: TOKEN, next });
      const response = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers, body });
      expect(response.headers.get('location')).toBe('/');
    }
  });

  it('adds a feed from the form, and shows why when there is none', async () => {
    const cookie = ((await logIn(base)).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const post = (fields: Record<string, string>) => {
      const { body, ...headers } = form(fields);
      return fetch(`${base}/feeds`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...headers, cookie },
        body,
      });
    };
    const ok = await post({ url: 'https://news.example/rss', id: '', intervalMinutes: '' });
    expect(ok.status).toBe(303);
    expect(decodeURIComponent(ok.headers.get('location') ?? '')).toBe(
      '/feeds?done=added new-feed: https://news.example/rss (3 items)',
    );
    expect(added).toEqual(['https://news.example/rss']);

    const none = await post({ url: 'https://nothing.example/' });
    expect(none.status).toBe(422);
    expect(await none.text()).toContain('no feed found: the page announces no feed');
    const bad = await post({ url: 'javascript:alert(1)' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('url: an http(s) URL');
    const badInterval = await post({ url: 'https://news.example/x', intervalMinutes: '0' });
    expect(badInterval.status).toBe(400);
    expect(await badInterval.text()).toContain('intervalMinutes:');
    expect(added).toHaveLength(1);
  });

  it('without DASHBOARD_TOKEN, writes are off and the login page says so', async () => {
    const open = await serve({ settings: { HOST: '127.0.0.1', DASHBOARD_TOKEN: undefined } });
    const refused = await fetch(`${open}/api/feeds/wire/resume`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(await (await fetch(`${open}/login`)).text()).toContain('Writes are off');
    expect((await logIn(open)).status).toBe(403);
  });
});
