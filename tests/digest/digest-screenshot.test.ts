/**
 * The HTML digest as a person sees it: rendered by headless Chromium, checked from a screenshot (the
 * page is not blank, the headline is drawn) and from the rendered DOM (an injected script stays text,
 * a heavy day's counts table shows every tag).
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest, type DigestArticle } from '../../src/digest/build-digest.ts';
import { renderDigestHtml } from '../../src/digest/render-digest.ts';
import type { TaggedArticle } from '../../src/model.ts';
import { inkShare, launchChromium } from '../helpers/chromium.ts';
import { fixture } from '../helpers/pipeline-setup.ts';
import { heavyDay } from './sample-days.ts';

describe('HTML digest in headless Chromium', () => {
  let browser: Browser;
  let html: string;

  beforeAll(async () => {
    browser = await launchChromium();
    const seed = JSON.parse(await readFile(fixture('alerts/seed-tagged.json'), 'utf8')) as TaggedArticle;
    const article = (title: string, url: string): DigestArticle => ({
      title,
      url,
      feedId: seed.feedId,
      published: seed.published,
      relevant: true,
      actors: seed.tags.actors,
      phases: seed.tags.phases,
    });
    const digest = buildDigest({
      day: '2025-12-19',
      timezone: 'UTC',
      articles: [
        article(seed.title, seed.url),
        article('<script>window.injected = true</script> & <b>not bold</b>', 'https://example.org/injection'),
      ],
      names: { 'phase-2': 'Phase two of the Gaza plan', 'steve-witkoff': 'Steve Witkoff' },
    });
    html = renderDigestHtml(digest);
  });

  afterAll(async () => {
    await browser.close();
  });

  it('draws the digest: headline visible, page not blank', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    try {
      await page.setContent(html, { waitUntil: 'load' });
      const shot = await page.screenshot({ fullPage: true });
      expect(inkShare(shot)).toBeGreaterThan(0.01);
      const heading = page.locator('h1').first();
      await expect(heading.isVisible()).resolves.toBe(true);
      const box = await heading.boundingBox();
      expect(box?.height).toBeGreaterThan(10);
      expect(inkShare(await heading.screenshot())).toBeGreaterThan(0.02);
      expect(await page.textContent('body')).toContain('Witkoff');
    } finally {
      await page.close();
    }
  });

  it('shows an injected title as text and runs nothing', async () => {
    const page = await browser.newPage();
    try {
      await page.setContent(html, { waitUntil: 'load' });
      expect(
        await page.evaluate(() => (window as unknown as { injected?: boolean }).injected),
      ).toBeUndefined();
      expect(await page.locator('b', { hasText: 'not bold' }).count()).toBe(0);
      expect(await page.textContent('body')).toContain(
        '<script>window.injected = true</script> & <b>not bold</b>',
      );
    } finally {
      await page.close();
    }
  });

  it('heavy day: every tag in the counts table, the cut stated, each story once', async () => {
    const digest = buildDigest(heavyDay());
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    try {
      await page.setContent(renderDigestHtml(digest), { waitUntil: 'load' });
      const rows = await page.locator('table tr').allTextContents();
      for (const g of [...digest.phases, ...digest.actors]) {
        expect(rows.some((r) => r.startsWith(`${g.name}${g.count}`))).toBe(true);
      }
      await expect(page.locator('table').isVisible()).resolves.toBe(true);
      expect(await page.textContent('body')).toMatch(
        /\+\d+ more stories not listed; At a glance counts them all\./,
      );
      const titles = await page.locator('li > a:first-child').allTextContents();
      expect(titles.length).toBeGreaterThan(0);
      expect(new Set(titles).size).toBe(titles.length);
    } finally {
      await page.close();
    }
  });
});
