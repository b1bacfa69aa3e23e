/**
 * The dashboard's alert pages over real HTTP on 127.0.0.1, on a seeded embedded database: the delivery
 * log and its filters, the digest archive, the rules, and the rule Atom feeds compared with the
 * standalone feed server's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRule } from '../../src/model.ts';
import { ruleFeedOptions } from '../../src/pipeline/alert-feeds.ts';
import { upsertArticle } from '../../src/store/articles.ts';
import type { Db } from '../../src/store/db.ts';
import {
  claimDelivery,
  markDeliveryFailed,
  markDeliveryHeld,
  markDeliverySent,
} from '../../src/store/deliveries.ts';
import { recordDigest } from '../../src/store/digests.ts';
import { DIGEST_CONTENT_SECURITY_POLICY } from '../../src/web/alert-routes.ts';
import { CONTENT_SECURITY_POLICY, createDashboard } from '../../src/web/dashboard-server.ts';
import { createAlertFeedServer } from '../../src/web/serve-alert-feeds.ts';
import {
  backends,
  dropTestDb,
  openTestDb,
  seedFeed,
  taggedArticle,
  truncateAll,
  uniqueSchema,
} from '../store/test-db.ts';

const HOSTILE_TITLE = 'Talks stall <img src=x onerror=alert(1)>';
const HOSTILE_DESCRIPTION = 'Truce news <script>alert(2)</script>';
const HOSTILE_ERROR = 'email: 550 <b>rejected</b>';

const rule = (id: string, description?: string): AlertRule => ({
  id,
  description,
  actors: ['hamas'],
  phases: [],
  keywords: [],
  relevantOnly: true,
  channels: ['slack', 'email'],
});
const RULES = [rule('ceasefire', HOSTILE_DESCRIPTION), rule('hostages')];

const pglite = backends.find((b) => b.name === 'pglite') ?? backends[0];
if (!pglite) throw new Error('no test backend');

/** A GET over node:http, which (unlike fetch) lets the test choose the Host header. */
function get(
  base: string,
  target: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${target}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

interface DeliveriesJson {
  total: number;
  deliveries: { id: number; ruleId: string; channel: string; status: string; attempts: number }[];
  counts: { ruleId: string; channel: string; counts: Record<string, number>; total: number }[];
}

describe('alert routes over HTTP', () => {
  const schema = uniqueSchema();
  const digestDir = mkdtempSync(path.join(tmpdir(), 'cw-digests-'));
  let db: Db;
  let app: FastifyInstance;
  let feedServer: Server;
  let base = '';
  let feedBase = '';
  const articles: Record<'truce' | 'hostile' | 'hostages', number> = { truce: 0, hostile: 0, hostages: 0 };

  beforeAll(async () => {
    db = await openTestDb(pglite, schema);
    await truncateAll(db);
    await seedFeed(db);
    const store = async (slug: string, title: string) =>
      (
        await upsertArticle(
          db,
          taggedArticle({
            url: `https://news.example/${slug}`,
            canonicalUrl: `https://news.example/${slug}`,
            title,
          }),
        )
      ).articleId;
    articles.truce = await store('truce', 'Truce holds in Gaza');
    articles.hostile = await store('hostile', HOSTILE_TITLE);
    articles.hostages = await store('hostages', 'Three hostages released');

    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const lease = { at: new Date().toISOString(), leaseMs: 60_000 };
    const claim = async (ruleId: string, channel: string, articleId: number) => {
      const c = await claimDelivery(db, { ruleId, channel, articleId }, lease);
      if (c.state !== 'claimed') throw new Error(`not claimed: ${c.state}`);
      return c.deliveryId;
    };
    // ceasefire: slack sent twice, email failed once and held once; hostages: slack sent and failed
    // twice over, email still sending.
    await markDeliverySent(db, await claim('ceasefire', 'slack', articles.truce), hourAgo);
    await markDeliveryFailed(db, await claim('ceasefire', 'email', articles.truce), HOSTILE_ERROR);
    await markDeliverySent(db, await claim('ceasefire', 'slack', articles.hostile), hourAgo);
    await markDeliveryHeld(db, await claim('ceasefire', 'email', articles.hostile), hourAgo);
    await markDeliverySent(db, await claim('hostages', 'slack', articles.hostages), hourAgo);
    await claim('hostages', 'email', articles.hostages);
    const retried = await claim('hostages', 'slack', articles.truce);
    await markDeliveryFailed(db, retried, 'slack: 500');
    await claim('hostages', 'slack', articles.truce);
    await markDeliveryFailed(db, retried, 'slack: 503');

    // A digest as buildDailyDigest stores it: three files side by side, the HTML styled inline.
    const file = (ext: string) => path.join(digestDir, `digest-2025-12-18.${ext}`);
    writeFileSync(
      file('html'),
      '<!doctype html><html><body style="color:#222"><h1 style="font-size:22px">Digest 18 December</h1></body></html>',
    );
    writeFileSync(file('md'), '# Digest 18 December\n');
    writeFileSync(
      file('json'),
      JSON.stringify({ schema: 'ceasefire-watch/digest@2', day: '2025-12-18', total: 12, relevant: 9 }),
    );
    await recordDigest(db, {
      day: '2025-12-18',
      timezone: 'Europe/London',
      markdownPath: file('md'),
      htmlPath: file('html'),
      emailed: true,
    });
    await recordDigest(db, {
      day: '2025-12-17',
      timezone: 'Europe/London',
      markdownPath: path.join(digestDir, 'digest-2025-12-17.md'),
      htmlPath: path.join(digestDir, 'digest-2025-12-17.html'),
      emailed: false,
    });

    app = createDashboard({
      db,
      settings: { HOST: '127.0.0.1', DASHBOARD_TOKEN: undefined },
      names: () => ({}),
      rules: () => RULES,
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    feedServer = createAlertFeedServer(ruleFeedOptions(db, RULES));
    await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
    feedBase = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    feedServer.closeAllConnections();
    await new Promise<void>((resolve) => feedServer.close(() => resolve()));
    await app.close();
    await dropTestDb(db, schema);
    rmSync(digestDir, { recursive: true, force: true });
  });

  it.each([
    { name: 'no-filter', query: '', total: 7 },
    { name: 'by-rule', query: 'rule=ceasefire', total: 4 },
    { name: 'by-channel', query: 'channel=email', total: 3 },
    { name: 'by-status', query: 'status=sent', total: 3 },
    { name: 'rule-and-channel', query: 'rule=hostages&channel=slack', total: 2 },
    { name: 'all-three', query: 'rule=hostages&channel=slack&status=failed', total: 1 },
    { name: 'empty-form-fields-are-no-filter', query: 'rule=&channel=&status=', total: 7 },
    { name: 'nothing-matches', query: 'rule=ceasefire&status=sending', total: 0 },
  ])('deliveries-filter-$name', async ({ query, total }) => {
    const body = (await (await fetch(`${base}/api/deliveries?${query}`)).json()) as DeliveriesJson;
    expect(body.total).toBe(total);
    expect(body.deliveries).toHaveLength(total);
    const wanted = new URLSearchParams(query);
    for (const d of body.deliveries) {
      if (wanted.get('rule')) expect(d.ruleId).toBe(wanted.get('rule'));
      if (wanted.get('channel')) expect(d.channel).toBe(wanted.get('channel'));
      if (wanted.get('status')) expect(d.status).toBe(wanted.get('status'));
    }
    const page = await (await fetch(`${base}/alerts?${query}`)).text();
    expect(page).toContain(`${total} ${total === 1 ? 'delivery' : 'deliveries'}, newest first`);
    expect(page.match(/<tr data-delivery=/g) ?? []).toHaveLength(total);
  });

  it('deliveries-newest-first-paginated-with-counts-by-status', async () => {
    const all = (await (await fetch(`${base}/api/deliveries`)).json()) as DeliveriesJson;
    const ids = all.deliveries.map((d) => d.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const second = (await (await fetch(`${base}/api/deliveries?limit=3&offset=3`)).json()) as DeliveriesJson;
    expect(second.total).toBe(7);
    expect(second.deliveries.map((d) => d.id)).toEqual(ids.slice(3, 6));
    expect(all.deliveries.find((d) => d.status === 'failed' && d.ruleId === 'hostages')?.attempts).toBe(2);
    expect(all.counts).toEqual([
      {
        ruleId: 'ceasefire',
        channel: 'email',
        counts: { pending: 0, sending: 0, sent: 0, failed: 1, held: 1 },
        total: 2,
      },
      {
        ruleId: 'ceasefire',
        channel: 'slack',
        counts: { pending: 0, sending: 0, sent: 2, failed: 0, held: 0 },
        total: 2,
      },
      {
        ruleId: 'hostages',
        channel: 'email',
        counts: { pending: 0, sending: 1, sent: 0, failed: 0, held: 0 },
        total: 1,
      },
      {
        ruleId: 'hostages',
        channel: 'slack',
        counts: { pending: 0, sending: 0, sent: 1, failed: 1, held: 0 },
        total: 2,
      },
    ]);
    const page = await (await fetch(`${base}/alerts?limit=3`)).text();
    expect(page).toContain('<a rel="next" href="/alerts?limit=3&amp;offset=3">older</a>');
    expect(page).toContain(
      '<td class="n"><a href="/alerts?rule=hostages&amp;channel=slack&amp;status=failed">1</a></td>',
    );
  });

  it('deliveries-page-escapes-titles-and-errors-and-links-articles', async () => {
    const response = await fetch(`${base}/alerts?rule=ceasefire`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const page = await response.text();
    expect(page).toContain(
      `<a href="/articles/${articles.hostile}">Talks stall &lt;img src=x onerror=alert(1)&gt;</a>`,
    );
    expect(page).not.toContain(HOSTILE_TITLE);
    expect(page).toContain('email: 550 &lt;b&gt;rejected&lt;/b&gt;');
    expect(page).not.toContain(HOSTILE_ERROR);
    expect(page).toContain('<option value="ceasefire" selected>ceasefire</option>');
    expect(page).toContain(
      '<link rel="alternate" type="application/atom+xml" title="Alerts: ceasefire" href="/alerts/ceasefire.atom">',
    );
  });

  it.each([
    { name: 'unknown-status', query: 'status=lost' },
    { name: 'limit-too-large', query: 'limit=100000' },
  ])('deliveries-bad-query-$name', async ({ query }) => {
    const json = await fetch(`${base}/api/deliveries?${query}`);
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toMatch(/^query parameter (status|limit):/);
    expect((await fetch(`${base}/alerts?${query}`)).status).toBe(400);
  });

  it('atom-on-the-dashboard-is-the-standalone-servers-document', async () => {
    const headers = { host: 'feeds.example.org' };
    const standalone = await get(feedBase, '/alerts/ceasefire.atom', headers);
    const dashboard = await get(base, '/alerts/ceasefire.atom', headers);
    expect(dashboard.status).toBe(200);
    expect(dashboard.body).toBe(standalone.body);
    expect(dashboard.body).toContain(
      '<title type="text">Talks stall &lt;img src=x onerror=alert(1)&gt;</title>',
    );
    expect(dashboard.body).toContain('Truce news &lt;script&gt;alert(2)&lt;/script&gt;');
    for (const name of [
      'etag',
      'content-type',
      'cache-control',
      'content-length',
      'x-content-type-options',
    ]) {
      expect(dashboard.headers[name], name).toBe(standalone.headers[name]);
    }
    expect(dashboard.headers['content-type']).toBe('application/atom+xml; charset=utf-8');

    const etag = String(dashboard.headers.etag);
    const again = await get(base, '/alerts/ceasefire.atom', { ...headers, 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    const head = await get(base, '/alerts/ceasefire.atom', headers, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(standalone.headers['content-length']);
  });

  it.each([
    { name: 'unknown-rule', target: '/alerts/unknown.atom' },
    { name: 'encoded-rule-id', target: '/alerts/%63easefire.atom' },
    { name: 'no-extension', target: '/alerts/ceasefire' },
  ])('atom-not-found-$name', async ({ target }) => {
    expect((await get(base, target)).status).toBe(404);
    expect((await get(feedBase, target)).status).toBe(404);
  });

  it('digest-archive-lists-and-opens-a-stored-digest', async () => {
    const api = (await (await fetch(`${base}/api/digests`)).json()) as {
      total: number;
      digests: {
        day: string;
        period: string;
        emailed: boolean;
        articles: number | null;
        links: Record<string, string | null>;
      }[];
    };
    expect(api.total).toBe(2);
    expect(api.digests.map((d) => d.day)).toEqual(['2025-12-18', '2025-12-17']);
    expect(api.digests[0]).toMatchObject({
      period: 'daily',
      emailed: true,
      articles: 12,
      links: {
        html: '/digests/daily/2025-12-18?timezone=Europe%2FLondon',
        markdown: '/digests/daily/2025-12-18.md?timezone=Europe%2FLondon',
        json: '/digests/daily/2025-12-18.json?timezone=Europe%2FLondon',
      },
    });
    // Recorded, but its files were removed: listed, with nothing to open.
    expect(api.digests[1]).toMatchObject({
      articles: null,
      links: { html: null, markdown: null, json: null },
    });

    const page = await (await fetch(`${base}/digests`)).text();
    expect(page).toContain('<a href="/digests/daily/2025-12-18?timezone=Europe%2FLondon">2025-12-18</a>');
    expect(page).toContain('<td class="n">12</td>');

    const digest = await fetch(`${base}/digests/daily/2025-12-18?timezone=Europe%2FLondon`);
    expect(digest.status).toBe(200);
    expect(digest.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(digest.headers.get('content-security-policy')).toBe(DIGEST_CONTENT_SECURITY_POLICY);
    expect(DIGEST_CONTENT_SECURITY_POLICY).not.toMatch(/script/);
    expect(await digest.text()).toContain('<h1 style="font-size:22px">Digest 18 December</h1>');
    // Without a zone: the day's only digest.
    const markdown = await fetch(`${base}/digests/daily/2025-12-18.md`);
    expect(markdown.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(markdown.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await markdown.text()).toBe('# Digest 18 December\n');
    expect(
      ((await (await fetch(`${base}/digests/daily/2025-12-18.json`)).json()) as { total: number }).total,
    ).toBe(12);
  });

  it.each([
    { name: 'no-digest-that-day', target: '/digests/daily/2025-12-01' },
    { name: 'other-period', target: '/digests/weekly/2025-12-18' },
    { name: 'other-zone', target: '/digests/daily/2025-12-18?timezone=UTC' },
    { name: 'file-gone', target: '/digests/daily/2025-12-17' },
    { name: 'not-a-day', target: '/digests/daily/..%2F..%2Fetc%2Fpasswd' },
    { name: 'unknown-period', target: '/digests/monthly/2025-12-18' },
  ])('digest-not-found-$name', async ({ target }) => {
    const response = await fetch(`${base}${target}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('rules-show-atom-links-sent-counts-and-escaped-descriptions', async () => {
    const response = await fetch(`${base}/rules`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Truce news &lt;script&gt;alert(2)&lt;/script&gt;');
    expect(page).not.toContain(HOSTILE_DESCRIPTION);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('<a href="/alerts/ceasefire.atom" type="application/atom+xml">Atom feed</a>');
    expect(page).toContain(
      '<link rel="alternate" type="application/atom+xml" title="Alerts: hostages" href="/alerts/hostages.atom">',
    );
    // ceasefire sent two articles (over one channel), hostages one.
    expect(page).toMatch(/data-rule="ceasefire"[\s\S]*?2 sent in 7 days/);
    expect(page).toMatch(/data-rule="hostages"[\s\S]*?1 sent in 7 days/);

    const { rules } = (await (await fetch(`${base}/api/rules`)).json()) as {
      rules: {
        id: string;
        atom: string;
        channels: string[];
        sentRecently: number;
        description: string | null;
      }[];
    };
    expect(rules.map((r) => [r.id, r.atom, r.sentRecently])).toEqual([
      ['ceasefire', '/alerts/ceasefire.atom', 2],
      ['hostages', '/alerts/hostages.atom', 1],
    ]);
    expect(rules[0]?.description).toBe(HOSTILE_DESCRIPTION);
    expect(rules[0]?.channels).toEqual(['slack', 'email']);
  });

  it('nav-links-and-openapi-list-the-new-pages', async () => {
    const page = await (await fetch(`${base}/rules`)).text();
    for (const href of ['/alerts', '/digests', '/rules']) expect(page).toContain(`<a href="${href}">`);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/deliveries', '/api/digests', '/api/rules', '/alerts/{ruleId}.atom']),
    );
  });
});
