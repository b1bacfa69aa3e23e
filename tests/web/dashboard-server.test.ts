/**
 * The dashboard and its JSON API over real HTTP on 127.0.0.1, on a seeded embedded database.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import {
  CONTENT_SECURITY_POLICY,
  createDashboard,
  type DashboardDeps,
} from '../../src/web/dashboard-server.ts';
import path from 'node:path';
import { loadWatchlist } from '../../src/pipeline/open-context.ts';
import { claimDelivery, markDeliverySent } from '../../src/store/deliveries.ts';
import { compileWatchlist } from '../../src/tagging/compile-watchlist.ts';
import { explainArticle } from '../../src/tagging/explain-article.ts';
import { projectRoot } from '../helpers/pipeline-setup.ts';
import { HOSTILE_TITLE, seedStories } from '../helpers/seed-stories.ts';
import { backends, dropTestDb, openTestDb, truncateAll, uniqueSchema } from '../store/test-db.ts';

const NAMES = { 'steve-witkoff': 'Steve Witkoff', egypt: 'Egypt', 'phase-two': 'Phase two', qatar: 'Qatar' };
const TOKEN = 'a-dashboard-token-0123456789';

const pglite = backends.find((b) => b.name === 'pglite') ?? backends[0];
if (!pglite) throw new Error('no test backend');

describe('dashboard over HTTP', () => {
  const schema = uniqueSchema();
  let db: Db;
  const servers: FastifyInstance[] = [];

  /** Starts a dashboard on a free loopback port and returns its base URL. */
  async function serve(overrides: Partial<DashboardDeps> = {}): Promise<string> {
    const app = createDashboard({
      db,
      settings: { HOST: '127.0.0.1', DASHBOARD_TOKEN: undefined },
      names: () => NAMES,
      ...overrides,
    });
    servers.push(app);
    return app.listen({ port: 0, host: '127.0.0.1' });
  }

  let base = '';
  beforeAll(async () => {
    db = await openTestDb(pglite, schema);
    await truncateAll(db);
    await db.exec('truncate stories restart identity cascade');
    await seedStories(db);
    base = await serve();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await dropTestDb(db, schema);
  });

  it('lists the stories with their sources, and shows a hostile title as text', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src|unsafe-inline/);
    const page = await response.text();
    expect(page).toContain('3 stories');
    expect(page).toContain('Witkoff to hold Miami talks');
    expect(page).toContain('Rafah crossing reopens &lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain(HOSTILE_TITLE);
    expect(page).not.toMatch(/<script/i);
    // The filter form offers the tags found, by name, with their story counts.
    expect(page).toContain('<option value="steve-witkoff">Steve Witkoff (1)</option>');
  });

  it('filters by actor and phase and searches, with the matched words marked', async () => {
    const page = await (await fetch(`${base}/?phase=phase-two&q=negotiating+Rafah`)).text();
    expect(page).toContain('1 story, best match first');
    expect(page).toContain('<mark>Rafah</mark>');
    expect(page).toContain('<mark>negotiators</mark>');
    expect(page).not.toContain('Witkoff to hold Miami talks');
    const egypt = await (await fetch(`${base}/?actor=egypt`)).text();
    expect(egypt).toContain('<option value="egypt" selected>');
    expect(egypt).toContain('1 story');
  });

  it('shows an article with its mentions marked and each tag with its evidence', async () => {
    const list = (await (await fetch(`${base}/api/stories?actor=egypt`)).json()) as {
      stories: { sources: { articleId: number }[] }[];
    };
    const id = list.stories[0]?.sources[0]?.articleId;
    const response = await fetch(`${base}/articles/${id}`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain(
      '<mark class="actor" data-tag="egypt" title="Egypt">Egypt</mark> reopened the Rafah',
    );
    expect(page).toContain(
      'the <mark class="phase" data-tag="phase-two" title="Phase two">second phase</mark> of',
    );
    expect(page).toContain(
      '<blockquote>Egypt reopened the Rafah crossing on Tuesday as negotiators in Cairo discussed the second phase of the ceasefire.</blockquote>',
    );
    expect(page).toContain(
      '<title>Rafah crossing reopens &lt;img src=x onerror=alert(1)&gt; · ceasefire-watch</title>',
    );
    expect(page).not.toContain(HOSTILE_TITLE);

    const json = (await (await fetch(`${base}/api/articles/${id}`)).json()) as {
      article: { mentions: unknown[] };
      copies: unknown[];
    };
    expect(json.article.mentions).toHaveLength(2);
    expect(json.copies).toEqual([]);
    // The seed story's page lists its other copy.
    const seed = (await (await fetch(`${base}/api/stories?actor=steve-witkoff`)).json()) as {
      stories: { sources: { articleId: number }[] }[];
    };
    const [first, second] = seed.stories[0]?.sources ?? [];
    expect(await (await fetch(`${base}/articles/${first?.articleId}`)).text()).toContain(
      `<a href="/articles/${second?.articleId}">Witkoff to hold Miami talks`,
    );
    expect((await fetch(`${base}/articles/999999`)).status).toBe(404);
    expect((await fetch(`${base}/articles/abc`)).status).toBe(404);
    expect((await fetch(`${base}/api/articles/0`)).status).toBe(404);
  });

  it('shows feed health, the failing feed with its error as text', async () => {
    await db.query(
      `update feeds set status = 'failing', failure_score = 7, last_error = $1,
         last_fetched_at = '2025-12-19T10:00:00Z', next_poll_at = '2025-12-19T14:00:00Z' where id = 'sport'`,
      ['http: https://sport.example/rss: answered 503 <b>Service Unavailable</b>'],
    );
    await db.query(
      `update feeds set status = 'ok', last_success_at = '2025-12-19T10:00:00Z', last_fetched_at = '2025-12-19T10:00:00Z'
       where id = 'wire'`,
    );
    const page = await (await fetch(`${base}/feeds`)).text();
    expect(page).toContain('answered 503 &lt;b&gt;Service Unavailable&lt;/b&gt;');
    expect(page).toMatch(/<tr class="feed-failing" data-feed="sport">[\s\S]*?<td>7\/6<\/td>/);
    expect(page).toContain('<time datetime="2025-12-19T14:00:00.000Z">2025-12-19 14:00 UTC</time>');
    const { feeds } = (await (await fetch(`${base}/api/feeds`)).json()) as {
      feeds: { id: string; status: string; nextPollAt: string | null; failureScore: number }[];
    };
    expect(feeds.find((f) => f.id === 'sport')).toMatchObject({ status: 'failing', failureScore: 7 });
    // An interval (15 min) after the last fetch when it is not backing off.
    expect(feeds.find((f) => f.id === 'wire')?.nextPollAt).toBe('2025-12-19T10:15:00.000Z');
  });

  it('answers the same data as JSON', async () => {
    const response = await fetch(`${base}/api/stories?phase=phase-two&limit=1`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      total: number;
      stories: { title: string; sources: unknown[] }[];
    };
    expect(body.total).toBe(2);
    expect(body.stories).toHaveLength(1);
    expect(body.stories[0]?.title).toMatch(/^Witkoff/);
    expect(body.stories[0]?.sources).toHaveLength(2);
    const tags = (await (await fetch(`${base}/api/tags`)).json()) as { tags: { id: string; name: string }[] };
    expect(tags.tags.find((t) => t.id === 'egypt')?.name).toBe('Egypt');
  });

  it('names the malformed parameter', async () => {
    const json = await fetch(`${base}/api/stories?from=19-12-2025`);
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: 'query parameter from: a day, e.g. 2025-12-19' });
    const page = await fetch(`${base}/?limit=0`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('query parameter limit');
  });

  it('describes the API in an OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, { get: { parameters?: { name: string }[] } }>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/stories']?.get.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['actor', 'phase', 'feed', 'from', 'to', 'relevant', 'q', 'limit', 'offset']),
    );
  });

  it('says on the article page why each tag was given or refused, and which alerts it set off', async () => {
    const matcher = compileWatchlist(
      await loadWatchlist(path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml')),
    );
    const explained = await serve({ explain: (article) => explainArticle(article, matcher) });
    const list = (await (await fetch(`${explained}/api/stories?actor=egypt`)).json()) as {
      stories: { sources: { articleId: number }[] }[];
    };
    const id = list.stories[0]?.sources[0]?.articleId ?? 0;
    const claim = await claimDelivery(
      db,
      { ruleId: 'mediators', articleId: id, channel: 'slack' },
      { at: '2025-12-17T09:05:00.000Z', leaseMs: 60_000 },
    );
    if (claim.state === 'claimed') await markDeliverySent(db, claim.deliveryId, '2025-12-17T09:05:00.000Z');
    const page = await (await fetch(`${explained}/articles/${id}`)).text();
    // The stored egypt tag, with the rule the current watchlist gives its mention.
    expect(page).toMatch(
      /<li class="tag-evidence" data-tag="egypt">[\s\S]*?<ul class="why"><li>“Egypt” in the text: <span class="rule">alias<\/span>/,
    );
    expect(page).toMatch(/Relevant: 1 of 2 text sentences on\s+topic/);
    expect(page).toContain(
      '<a href="/rules#rule-mediators">mediators</a> to slack: <span class="status status-sent">sent</span>',
    );
    // Without the explainer (or for another article) no such sections.
    expect(await (await fetch(`${base}/articles/${id}`)).text()).not.toContain('class="why"');
  });

  it('refuses writes without a token, and takes them only with the right one', async () => {
    const noToken = await fetch(`${base}/api/stories`, { method: 'POST' });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: string }).error).toMatch(/DASHBOARD_TOKEN/);

    const guarded = await serve({ settings: { HOST: '127.0.0.1', DASHBOARD_TOKEN: TOKEN } });
    expect((await fetch(`${guarded}/api/stories`, { method: 'POST' })).status).toBe(401);
    const wrong = { authorization: 'Bearer not-the-token-at-all-000' };
    expect((await fetch(`${guarded}/api/stories`, { method: 'POST', headers: wrong })).status).toBe(401);
    const right = { authorization: `Bearer ${TOKEN}` };
    // Past the token: no such write endpoint yet, so Fastify's 404.
    expect((await fetch(`${guarded}/api/stories`, { method: 'POST', headers: right })).status).toBe(404);
    expect((await fetch(`${guarded}/`)).status).toBe(200);
  });

  it('needs the token for every read when it listens beyond loopback', async () => {
    // Listening on loopback for the test; the setting is what decides.
    const exposed = await serve({ settings: { HOST: '0.0.0.0', DASHBOARD_TOKEN: TOKEN } });
    expect((await fetch(`${exposed}/api/stories`)).status).toBe(401);
    const ok = await fetch(`${exposed}/api/stories`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect((await fetch(`${exposed}/healthz`)).status).toBe(200);
  });

  it('is ready while its checks pass, and says which one fails', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });

    const failing = await serve({
      checks: [
        {
          name: 'redis',
          check: () => Promise.reject(new Error('Redis does not answer at redis://127.0.0.1:1')),
        },
      ],
    });
    const notReady = await fetch(`${failing}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'not ready',
      checks: { database: 'ok', redis: 'Redis does not answer at redis://127.0.0.1:1' },
    });
    expect((await fetch(`${failing}/healthz`)).status).toBe(200);
  });

  it('serves the metrics it is given, and has no /metrics without them', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const withMetrics = await serve({
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'cw_up 1\n' }),
    });
    const response = await fetch(`${withMetrics}/metrics`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe('cw_up 1\n');
  });

  it('answers 404 with a page, or JSON under /api', async () => {
    const page = await fetch(`${base}/nowhere`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Nothing at /nowhere');
    const api = await fetch(`${base}/api/nowhere`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'no such endpoint: GET /api/nowhere' });
  });
});
