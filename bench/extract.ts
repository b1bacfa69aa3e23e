/**
 * Extraction figures over the shared extraction dev set: plain Readability 0.6.0 + jsdom `textContent`
 * (single thread) against our extractArticle, single thread in-process and through the worker-thread
 * pool. Quality is scored by ../shared/tools/score-extraction.mjs; speed is pages/s over several passes
 * after one warm-up pass; memory is the peak RSS of the process (worker threads included: they share it).
 * Each method runs in its own child process, so one method's heap does not inflate the next one's RSS.
 *
 *   npm run bench:extract                 (from the project directory)
 *   npx tsx bench/extract.ts --passes 5 --pool-size 2 --young-mb 192
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Readability } from '@mozilla/readability';
import Table from 'cli-table3';
import { JSDOM, VirtualConsole } from 'jsdom';
import { extractArticle } from '../src/extract/extract-article.ts';
import { createExtractPool } from '../src/extract/extract-pool.ts';

const DATASET = '../shared/datasets/extraction';
const TRUTH = `${DATASET}/ground-truth.json`;
const SCORER = '../shared/tools/score-extraction.mjs';
/** Timed passes over the corpus: one pass of 91 pages takes a few seconds, too short for a steady rate. */
const DEFAULT_PASSES = 3;

const METHODS = ['plain', 'ours', 'ours-pool'] as const;
type Method = (typeof METHODS)[number];
const LABELS: Record<Method, string> = {
  plain: 'Readability+jsdom, 1 thread',
  ours: 'extractArticle, 1 thread',
  'ours-pool': 'extractArticle, pool',
};

const { values: args } = parseArgs({
  options: {
    passes: { type: 'string', default: String(DEFAULT_PASSES) },
    'pool-size': { type: 'string' },
    'young-mb': { type: 'string' },
    /** Internal: run one method in this process and print its result as JSON. */
    run: { type: 'string' },
    preds: { type: 'string' },
  },
});
const passes = Number(args.passes);

interface Page {
  id: string;
  url: string;
  html: string;
}
interface RunResult {
  pagesPerSecond: number;
  peakRssMb: number;
  failed: number;
  threads: number;
}

function loadPages(): Page[] {
  const truth = JSON.parse(readFileSync(TRUTH, 'utf8')) as Record<string, { url: string }>;
  return Object.entries(truth).map(([id, { url }]) => ({
    id,
    url,
    html: readFileSync(path.join(DATASET, `${id}.html`), 'utf8'),
  }));
}

/** jsdom reports every stylesheet it cannot parse on the console; the baseline's output drowns in it. */
const quietConsole = new VirtualConsole();
quietConsole.forwardTo(console, { jsdomErrors: 'none' });

/** Upstream's readability_js: `new Readability(new JSDOM(html, {url}).window.document).parse().textContent`. */
function plain(html: string, url: string): string {
  let dom: JSDOM | undefined;
  try {
    // jsdom 29 throws on SCSS in <style> (FACTS.md): plain Readability then returns nothing for that page.
    dom = new JSDOM(html, { url, virtualConsole: quietConsole });
    return new Readability(dom.window.document).parse()?.textContent ?? '';
  } catch {
    return '';
  } finally {
    dom?.window.close();
  }
}

function ours(html: string, url: string): string {
  try {
    return extractArticle(html, url).text;
  } catch {
    return '';
  }
}

/** One method, in this (child) process: warm-up pass, then `passes` timed passes; predictions of the last. */
async function runMethod(method: Method, pages: Page[], predsPath: string): Promise<RunResult> {
  let texts: string[] = [];
  let seconds: number;
  let threads = 1;
  if (method === 'ours-pool') {
    const size = args['pool-size'] === undefined ? undefined : Number(args['pool-size']);
    const youngMb = args['young-mb'] === undefined ? undefined : Number(args['young-mb']);
    const pool = createExtractPool({ size, maxYoungGenerationSizeMb: youngMb });
    const pass = () =>
      Promise.all(
        pages.map((page) =>
          pool.extract(page.html, page.url).then(
            (a) => a.text,
            () => '',
          ),
        ),
      );
    await pass(); // warm-up: starts the threads and compiles the hot code in each.
    const started = performance.now();
    for (let i = 0; i < passes; i++) texts = await pass();
    seconds = (performance.now() - started) / 1000;
    threads = pool.stats().threads;
    await pool.close();
  } else {
    const extract = method === 'plain' ? plain : ours;
    const pass = async () => {
      const out: string[] = [];
      for (const page of pages) {
        out.push(extract(page.html, page.url));
        // jsdom windows are freed only once the event loop turns (FACTS.md: ~3 MB per page otherwise).
        await turn();
      }
      return out;
    };
    await pass();
    const started = performance.now();
    for (let i = 0; i < passes; i++) texts = await pass();
    seconds = (performance.now() - started) / 1000;
  }
  writeFileSync(
    predsPath,
    pages.map((page, i) => JSON.stringify({ id: page.id, text: texts[i] })).join('\n') + '\n',
  );
  return {
    pagesPerSecond: (pages.length * passes) / seconds,
    // maxRSS is in kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    failed: texts.filter((text) => text === '').length,
    threads,
  };
}

/** The scorer's last line: `f1=0.950 precision=0.920 recall=0.982 n=91 f1_std=0.006 missing=0`. */
function score(predsPath: string): Record<string, number> {
  const lines = execFileSync('node', [SCORER, TRUTH, predsPath], { encoding: 'utf8' }).trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  return Object.fromEntries(
    [...last.matchAll(/(\w+)=([-\d.]+)/g)].map((match) => [match[1] ?? '', Number(match[2])]),
  );
}

if (args.run !== undefined) {
  const method = args.run as Method;
  const result = await runMethod(method, loadPages(), args.preds ?? '');
  console.log(JSON.stringify(result));
} else {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-extract-'));
  const self = fileURLToPath(import.meta.url);
  const forwarded = ['--passes', String(passes)];
  if (args['pool-size'] !== undefined) forwarded.push('--pool-size', args['pool-size']);
  if (args['young-mb'] !== undefined) forwarded.push('--young-mb', args['young-mb']);
  const rows: { method: Method; run: RunResult; scores: Record<string, number> }[] = [];
  for (const method of METHODS) {
    const preds = path.join(dir, `${method}.jsonl`);
    // Same node, same tsx loader (process.execArgv), a fresh heap and a fresh maxRSS.
    const out = execFileSync(
      process.execPath,
      [...process.execArgv, self, '--run', method, '--preds', preds, ...forwarded],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const run = JSON.parse(out.trim().split('\n').pop() ?? '{}') as RunResult;
    const scores = score(preds);
    rows.push({ method, run, scores });
    console.error(`${LABELS[method]}: done`);
  }
  const plainRate = rows.find((row) => row.method === 'plain')?.run.pagesPerSecond ?? NaN;
  const table = new Table({
    style: { head: [], border: [] },
    head: ['method', 'F1', 'precision', 'recall', 'pages/s', '× plain', 'peak RSS MB', 'threads', 'empty'],
  });
  for (const { method, run, scores } of rows) {
    table.push([
      LABELS[method],
      (scores.f1 ?? NaN).toFixed(3),
      (scores.precision ?? NaN).toFixed(3),
      (scores.recall ?? NaN).toFixed(3),
      run.pagesPerSecond.toFixed(1),
      (run.pagesPerSecond / plainRate).toFixed(2),
      run.peakRssMb.toFixed(0),
      String(run.threads),
      String(run.failed),
    ]);
  }
  const pages = rows[0]?.scores.n ?? NaN;
  console.log(`extraction dev set: ${pages} pages, ${passes} timed passes after 1 warm-up pass`);
  console.log(table.toString());
  const pool = rows.find((row) => row.method === 'ours-pool');
  if (pool) {
    console.log(
      `pool pages/s ÷ plain single-thread pages/s = ${(pool.run.pagesPerSecond / plainRate).toFixed(2)} (target ≥ 1.8)`,
    );
  }
}
