/**
 * Extraction figures: our extractArticle against plain Readability + jsdom `textContent` over the shared
 * extraction dev set, both scored by ../shared/tools/score-extraction.mjs.
 *
 *   npx tsx bench/extract.ts      (run from the project directory)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { Readability } from '@mozilla/readability';
import { JSDOM } from 'jsdom';
import { extractArticle } from '../src/extract/extract-article.ts';

const DATASET = '../shared/datasets/extraction';
const TRUTH = `${DATASET}/ground-truth.json`;
const SCORER = '../shared/tools/score-extraction.mjs';

const truth = JSON.parse(readFileSync(TRUTH, 'utf8')) as Record<string, { url: string }>;
const pages = Object.entries(truth).map(([id, { url }]) => ({
  id,
  url,
  html: readFileSync(path.join(DATASET, `${id}.html`), 'utf8'),
}));

function ours(html: string, url: string): string {
  try {
    return extractArticle(html, url).text;
  } catch {
    return '';
  }
}

function baseline(html: string, url: string): string {
  let dom: JSDOM | undefined;
  try {
    // Plain jsdom throws on SCSS in <style> (FACTS.md): that page then scores as empty.
    dom = new JSDOM(html, { url });
    return new Readability(dom.window.document).parse()?.textContent ?? '';
  } catch {
    return '';
  } finally {
    dom?.window.close();
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'bench-extract-'));
for (const [name, run] of [
  ['extractArticle', ours],
  ['readability', baseline],
] as const) {
  const lines: string[] = [];
  const started = performance.now();
  for (const page of pages) {
    lines.push(JSON.stringify({ id: page.id, text: run(page.html, page.url) }));
    // jsdom windows are freed only once the event loop turns (FACTS.md: ~3 MB per page otherwise).
    await turn();
  }
  const seconds = (performance.now() - started) / 1000;
  const preds = path.join(dir, `${name}.jsonl`);
  writeFileSync(preds, lines.join('\n') + '\n');
  const summary = JSON.parse(
    execFileSync('node', [SCORER, TRUTH, preds], { encoding: 'utf8' }).split('\n')[0] ?? '{}',
  ) as {
    f1: number;
    precision: number;
    recall: number;
  };
  console.log(
    `${name.padEnd(15)} f1=${summary.f1.toFixed(3)} precision=${summary.precision.toFixed(3)} ` +
      `recall=${summary.recall.toFixed(3)} pages/s=${(pages.length / seconds).toFixed(1)} n=${pages.length}`,
  );
}
