import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import { createAlertFeedServer } from '../../src/web/serve-alert-feeds.ts';
import type { AlertFeedEntry } from '../../src/web/serve-alert-feeds.ts';

const alert = (n: number, over: Partial<AlertFeedEntry> = {}): AlertFeedEntry => ({
  url: `https://www.example.com/story-${n}`,
  canonicalUrl: `https://www.example.com/story-${n}`,
  title: `Story ${n}`,
  feedId: 'aljazeera',
  published: null,
  sentAt: `2025-12-18T1${n}:00:00.000Z`,
  reasons: ['actor: steve-witkoff'],
  evidence: `Evidence ${n}.`,
  ...over,
});

describe('createAlertFeedServer', () => {
  /** The store stand-in: what listAlerts returns, per rule; a test changes it to simulate a new alert. */
  let alerts: Record<string, AlertFeedEntry[]> = {};
  let failing = false;
  const asked: string[] = [];
  const errors: unknown[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createAlertFeedServer({
      rules: ['witkoff', 'phase-2'],
      baseUrl: 'https://cw.example.org/',
      descriptions: { witkoff: 'Steve Witkoff' },
      listAlerts: async (ruleId) => {
        asked.push(ruleId);
        if (failing) throw new Error('connect ECONNREFUSED postgres://postgres:pw@db/cw');
        return alerts[ruleId] ?? [];
      },
      onError: (error) => errors.push(error),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    alerts = { witkoff: [alert(1), alert(2)] };
    failing = false;
    asked.length = 0;
    errors.length = 0;
  });

  it('serves-atom-for-a-rule', async () => {
    const res = await fetch(`${base}/alerts/witkoff.atom?utm=x`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const body = await res.text();
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    expect(body).toContain(
      '<link rel="self" type="application/atom+xml" href="https://cw.example.org/alerts/witkoff.atom"/>',
    );
    expect(body).toContain('<subtitle type="text">Steve Witkoff</subtitle>');
    const feed = await parseFeed(body, `${base}/alerts/witkoff.atom`);
    expect(feed.items.map((i) => i.title)).toEqual(['Story 2', 'Story 1']);
    expect(asked).toEqual(['witkoff']);
  });

  it.each([
    { name: 'same-etag', ifNoneMatch: (etag: string) => etag, status: 304 },
    { name: 'weak-form-of-etag', ifNoneMatch: (etag: string) => `W/${etag}`, status: 304 },
    { name: 'etag-in-a-list', ifNoneMatch: (etag: string) => `"old", ${etag}`, status: 304 },
    { name: 'star', ifNoneMatch: () => '*', status: 304 },
    { name: 'other-etag', ifNoneMatch: () => '"stale"', status: 200 },
  ])('conditional-get-$name', async ({ ifNoneMatch, status }) => {
    const first = await fetch(`${base}/alerts/witkoff.atom`);
    const etag = first.headers.get('etag') ?? '';
    await first.text();
    const res = await fetch(`${base}/alerts/witkoff.atom`, {
      headers: { 'if-none-match': ifNoneMatch(etag) },
    });
    expect(res.status).toBe(status);
    expect(res.headers.get('etag')).toBe(etag);
    const body = await res.text();
    if (status === 304) expect(body).toBe('');
    else expect(body).toContain('<feed');
  });

  it('new-alert-changes-etag', async () => {
    const first = await fetch(`${base}/alerts/witkoff.atom`);
    const etag = first.headers.get('etag') ?? '';
    await first.text();
    alerts.witkoff = [...(alerts.witkoff ?? []), alert(3)];
    const res = await fetch(`${base}/alerts/witkoff.atom`, { headers: { 'if-none-match': etag } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(etag);
    expect(await res.text()).toContain('Story 3');
  });

  it.each([
    { name: 'unknown-rule', path: '/alerts/unknown.atom' },
    { name: 'rule-without-extension', path: '/alerts/witkoff' },
    { name: 'path-traversal', path: '/alerts/../alerts/witkoff.atom%00' },
    { name: 'encoded-rule-id', path: '/alerts/%77itkoff.atom' },
    { name: 'root', path: '/' },
  ])('not-found-$name', async ({ path }) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(404);
    await res.text();
    expect(asked).toEqual([]);
  });

  it('rule-with-no-alerts-is-an-empty-feed', async () => {
    const res = await fetch(`${base}/alerts/phase-2.atom`);
    expect(res.status).toBe(200);
    const feed = await parseFeed(await res.text(), `${base}/alerts/phase-2.atom`);
    expect(feed.items).toEqual([]);
  });

  it('head-has-headers-no-body', async () => {
    const res = await fetch(`${base}/alerts/witkoff.atom`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"/);
    expect(await res.text()).toBe('');
  });

  it('post-not-allowed', async () => {
    const res = await fetch(`${base}/alerts/witkoff.atom`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    await res.text();
  });

  it('store-failure-is-a-bare-500', async () => {
    failing = true;
    const res = await fetch(`${base}/alerts/witkoff.atom`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain('postgres');
    expect(errors).toHaveLength(1);
  });

  it('host-header-used-without-base-url', async () => {
    const local = createAlertFeedServer({ rules: ['witkoff'], listAlerts: async () => [alert(1)] });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    try {
      const localBase = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
      const res = await fetch(`${localBase}/alerts/witkoff.atom`);
      expect(await res.text()).toContain(`href="${localBase}/alerts/witkoff.atom"`);
    } finally {
      local.closeAllConnections();
      await new Promise<void>((resolve) => local.close(() => resolve()));
    }
  });
});
