/**
 * The phase tracker page and its JSON over real HTTP on 127.0.0.1, on the seeded stories: Rafah on
 * 2025-12-17 (phase two, Egypt, a hostile title), the football result on the 18th (no tags), and the
 * Witkoff story on the 19th (two copies: phase two on one, Steve Witkoff on both, Qatar on one).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { CONTENT_SECURITY_POLICY, createDashboard } from '../../src/web/dashboard-server.ts';
import { HOSTILE_TITLE, seedStories } from '../helpers/seed-stories.ts';
import { backends, dropTestDb, openTestDb, truncateAll, uniqueSchema } from '../store/test-db.ts';

const HOSTILE_NAME = 'Qatar <img src=x onerror=alert(1)> "&\'';
const NAMES = {
  'steve-witkoff': 'Steve Witkoff',
  egypt: 'Egypt',
  'phase-two': 'Phase two',
  qatar: HOSTILE_NAME,
};
const RANGE = 'from=2025-12-15&to=2025-12-19';

const pglite = backends.find((b) => b.name === 'pglite') ?? backends[0];
if (!pglite) throw new Error('no test backend');

/** The href of the bar whose tooltip is `tooltip`, as a browser reads it (entities decoded). */
function dayHref(page: string, tooltip: string): string | undefined {
  const escaped = tooltip.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = new RegExp(`<a class="day" href="([^"]+)"><title>${escaped}</title>`).exec(page);
  return found?.[1]?.replaceAll('&amp;', '&');
}

describe('phase tracker over HTTP', () => {
  const schema = uniqueSchema();
  let db: Db;
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    db = await openTestDb(pglite, schema);
    await truncateAll(db);
    await db.exec('truncate stories restart identity cascade');
    await seedStories(db);
    app = createDashboard({
      db,
      settings: { HOST: '127.0.0.1', DASHBOARD_TOKEN: undefined },
      names: () => NAMES,
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.close();
    await dropTestDb(db, schema);
  });

  it('draws a timeline per kind whose day bars lead to that day’s stories', async () => {
    const response = await fetch(`${base}/tracker?${RANGE}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const page = await response.text();
    expect(page).toContain('<a href="/tracker">Tracker</a>');
    expect(page.match(/<svg class="timeline"/g)).toHaveLength(2);
    // Nothing the policy would block: no inline style, no script.
    expect(page).not.toMatch(/<style|style=|<script/i);
    expect(page).toContain('<input type="date" name="from" value="2025-12-15">');

    const rafahDay = dayHref(page, 'Phase two, 2025-12-17: 1 story');
    expect(rafahDay).toBe('/?phase=phase-two&from=2025-12-17&to=2025-12-17');
    const rafah = await (await fetch(`${base}${rafahDay}`)).text();
    expect(rafah).toContain('1 story');
    expect(rafah).toContain('Rafah crossing reopens &lt;img src=x onerror=alert(1)&gt;');
    expect(rafah).not.toContain('Witkoff to hold Miami talks');

    // Two copies on the 19th, one story.
    const witkoffDay = dayHref(page, 'Steve Witkoff, 2025-12-19: 1 story');
    expect(witkoffDay).toBe('/?actor=steve-witkoff&from=2025-12-19&to=2025-12-19');
    const witkoff = await (await fetch(`${base}${witkoffDay}`)).text();
    expect(witkoff).toContain('1 story');
    expect(witkoff).toContain('Witkoff to hold Miami talks');
    // No bar on a day without stories (the 18th: the football result has no tag).
    expect(page).not.toContain('2025-12-18: ');
  });

  it('answers the same numbers as JSON, with display names', async () => {
    const response = await fetch(`${base}/api/tracker?${RANGE}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      from: '2025-12-15',
      to: '2025-12-19',
      relevant: false,
      days: ['2025-12-15', '2025-12-16', '2025-12-17', '2025-12-18', '2025-12-19'],
      series: [
        { kind: 'phase', id: 'phase-two', name: 'Phase two', counts: [0, 0, 1, 0, 1], total: 2 },
        { kind: 'actor', id: 'egypt', name: 'Egypt', counts: [0, 0, 1, 0, 0], total: 1 },
        { kind: 'actor', id: 'qatar', name: HOSTILE_NAME, counts: [0, 0, 0, 0, 1], total: 1 },
        { kind: 'actor', id: 'steve-witkoff', name: 'Steve Witkoff', counts: [0, 0, 0, 0, 1], total: 1 },
      ],
    });
  });

  it('shows a hostile tag name as text', async () => {
    const page = await (await fetch(`${base}/tracker?${RANGE}`)).text();
    expect(page).toContain(
      '<title>Qatar &lt;img src=x onerror=alert(1)&gt; &quot;&amp;&#39;, 2025-12-19: 1 story</title>',
    );
    expect(page).not.toContain('<img');
    expect(page).not.toContain(HOSTILE_TITLE);
  });

  it('keeps relevant-only in the form and in the day links', async () => {
    const page = await (await fetch(`${base}/tracker?${RANGE}&relevant=on`)).text();
    expect(page).toContain('name="relevant" value="true" checked');
    expect(dayHref(page, 'Egypt, 2025-12-17: 1 story')).toBe(
      '/?actor=egypt&from=2025-12-17&to=2025-12-17&relevant=true',
    );
  });

  it('says so when the range holds no story, and defaults to the last 30 days', async () => {
    const empty = await (await fetch(`${base}/tracker?from=2025-11-01&to=2025-11-30`)).text();
    expect(empty).toContain('No stories in this range: 2025-11-01 to 2025-11-30 (UTC).');
    expect(empty).not.toContain('<svg');
    const today = new Date().toISOString().slice(0, 10);
    const json = (await (await fetch(`${base}/api/tracker`)).json()) as { to: string; days: string[] };
    expect(json.to).toBe(today);
    expect(json.days).toHaveLength(30);
  });

  it('names the malformed parameter', async () => {
    const json = await fetch(`${base}/api/tracker?from=19-12-2025`);
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: 'query parameter from: a day, e.g. 2025-12-19' });
    const backwards = await fetch(`${base}/tracker?from=2025-12-20&to=2025-12-19`);
    expect(backwards.status).toBe(400);
    expect(await backwards.text()).toContain('query parameter from: after the last day, 2025-12-19');
    expect((await fetch(`${base}/api/tracker?to=2025-02-30`)).status).toBe(400);
  });

  it('describes /api/tracker in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, { get: { parameters?: { name: string }[] } }>;
    };
    expect(doc.paths['/api/tracker']?.get.parameters?.map((p) => p.name)).toEqual(['from', 'to', 'relevant']);
  });
});
