/**
 * The dashboard as a person uses it, in headless Chromium (playwright-core) over a seeded embedded
 * database: stories, filters, search, an article with its marks, the phase tracker, and pausing a
 * feed through the login form. Every page is checked for what a browser would refuse or run: no
 * Content-Security-Policy violation in the console, and no dialog from the hostile title. Screenshots
 * are saved under test-output/dashboard/ for a person to look at.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWatchlist } from '../../src/pipeline/open-context.ts';
import type { Db } from '../../src/store/db.ts';
import { getFeed } from '../../src/store/feeds.ts';
import { compileWatchlist } from '../../src/tagging/compile-watchlist.ts';
import { explainArticle } from '../../src/tagging/explain-article.ts';
import { createDashboard } from '../../src/web/dashboard-server.ts';
import { inkShare, launchChromium } from '../helpers/chromium.ts';
import { projectRoot } from '../helpers/pipeline-setup.ts';
import { HOSTILE_TITLE, seedStories } from '../helpers/seed-stories.ts';
import { backends, dropTestDb, openTestDb, truncateAll, uniqueSchema } from '../store/test-db.ts';

const NAMES = { 'steve-witkoff': 'Steve Witkoff', egypt: 'Egypt', 'phase-two': 'Phase two', qatar: 'Qatar' };
const TOKEN = 'browser-test-token-0123456789';
const SHOTS = path.join(projectRoot, 'test-output', 'dashboard');

const pglite = backends.find((b) => b.name === 'pglite') ?? backends[0];
if (!pglite) throw new Error('no test backend');

describe('dashboard in headless Chromium', () => {
  const schema = uniqueSchema();
  let db: Db;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base = '';
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];

  async function screenshot(name: string): Promise<Buffer> {
    const shot = await page.screenshot({ fullPage: true });
    await writeFile(path.join(SHOTS, `${name}.png`), shot);
    return shot;
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    db = await openTestDb(pglite, schema);
    await truncateAll(db);
    await seedStories(db);
    const matcher = compileWatchlist(
      await loadWatchlist(path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml')),
    );
    app = createDashboard({
      db,
      settings: { HOST: '127.0.0.1', DASHBOARD_TOKEN: TOKEN },
      names: () => NAMES,
      explain: (article) => explainArticle(article, matcher),
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await dropTestDb(db, schema);
  });

  it('lists the stories, with the hostile title as text and no dialog', async () => {
    await page.goto(`${base}/`);
    expect(await page.locator('li.story').count()).toBe(3);
    const titles = await page.locator('li.story h3').allInnerTexts();
    expect(titles).toContain(HOSTILE_TITLE);
    // The title's <img> stayed text: no image was made of it anywhere on the page.
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(inkShare(await screenshot('stories'))).toBeGreaterThan(0.02);
    expect(dialogs).toEqual([]);
  });

  it('filters by actor, then by phase, with the form', async () => {
    await page.goto(`${base}/`);
    await page.selectOption('select[name="actor"]', 'steve-witkoff');
    await page.click('form.filters button[type="submit"]');
    await page.waitForURL(/actor=steve-witkoff/);
    expect(await page.locator('li.story h3').allInnerTexts()).toEqual([
      'Witkoff to hold Miami talks on next phase of Gaza ceasefire',
    ]);

    await page.selectOption('select[name="actor"]', '');
    await page.selectOption('select[name="phase"]', 'phase-two');
    await page.click('form.filters button[type="submit"]');
    await page.waitForURL(/phase=phase-two/);
    const phaseTitles = await page.locator('li.story h3').allInnerTexts();
    expect(phaseTitles).toContain(HOSTILE_TITLE);
    expect(phaseTitles).not.toContain('Home side wins in the rain');
  });

  it('searches the stored text, with the matched words marked', async () => {
    await page.goto(`${base}/`);
    await page.fill('input[name="q"]', 'Rafah crossing');
    await page.press('input[name="q"]', 'Enter');
    await page.waitForURL(/q=Rafah/);
    expect(await page.locator('li.story').count()).toBe(1);
    const marked = await page.locator('li.story .snippet mark').allInnerTexts();
    expect(marked.map((m) => m.toLowerCase())).toEqual(expect.arrayContaining(['rafah', 'crossing']));
    await screenshot('search');
  });

  it('opens an article from its story, with its mentions marked', async () => {
    await page.goto(`${base}/?actor=egypt`);
    await page.click('li.story h3 a');
    await page.waitForURL(/\/articles\/\d+$/);
    expect(await page.locator('h1').innerText()).toBe(HOSTILE_TITLE);
    expect(await page.locator('.article-text mark.actor[data-tag="egypt"]').allInnerTexts()).toEqual([
      'Egypt',
    ]);
    expect(await page.locator('.article-text mark.phase[data-tag="phase-two"]').allInnerTexts()).toEqual([
      'second phase',
    ]);
    expect(await page.locator('mark.actor').first().isVisible()).toBe(true);
    // Why Egypt was given, as `cli explain` says it, in the page.
    expect(await page.locator('li.tag-evidence[data-tag="egypt"] ul.why li').first().innerText()).toBe(
      '“Egypt” in the text: alias',
    );
    await screenshot('article');
  });

  it('draws the phase tracker, and a day bar leads to that day’s stories', async () => {
    await page.goto(`${base}/tracker?from=2025-12-15&to=2025-12-21`);
    expect(await page.locator('svg').first().isVisible()).toBe(true);
    expect(inkShare(await screenshot('tracker'))).toBeGreaterThan(0.02);
    await page.locator('svg a[href*="phase=phase-two"][href*="from=2025-12-17"]').first().click();
    await page.waitForURL(/phase=phase-two/);
    expect(await page.locator('li.story h3').allInnerTexts()).toEqual([HOSTILE_TITLE]);
  });

  it('pauses a feed: the button asks for the token once, then pauses it', async () => {
    await page.goto(`${base}/feeds`);
    await page.click('tr[data-feed="wire"] button');
    await page.waitForURL(/\/login\?next=%2Ffeeds/);
    await page.fill('input[name="token"]', TOKEN);
    await page.click('form.login button[type="submit"]');
    await page.waitForURL(`${base}/feeds`);
    expect((await getFeed(db, 'wire'))?.pausedAt).toBeNull();

    await page.click('tr[data-feed="wire"] button');
    await page.waitForURL(/\/feeds\?done=/);
    expect(await page.locator('p.notice').innerText()).toBe('paused wire');
    expect(await page.locator('tr[data-feed="wire"] td').nth(1).innerText()).toBe('paused');
    expect((await getFeed(db, 'wire'))?.pausedAt).not.toBeNull();
    await screenshot('feeds');
  });

  it('opens every other page from the navigation', async () => {
    await page.goto(`${base}/`);
    for (const [link, heading] of [
      ['Alerts', 'Alert deliveries'],
      ['Digests', 'Digest archive'],
      ['Rules', 'Alert rules'],
      ['Queues', 'Queues'],
    ] as const) {
      await page.click(`header nav a:text-is("${link}")`);
      await page.waitForLoadState();
      expect(await page.locator('h1').innerText(), link).toBe(heading);
    }
    await screenshot('queues-elsewhere');
  });

  it('ran no script and broke no policy on any page', () => {
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
