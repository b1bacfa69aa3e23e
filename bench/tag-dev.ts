/**
 * Tag the tagging dev set with the shipped watchlist through the CLI (`cli tag`, the code path people
 * run), score it with shared/tools/score-tagging.mjs, and print single-thread throughput of the same
 * `tagArticle` in-process. Run: `npx tsx bench/tag-dev.ts` (wired as `npm run bench:tag`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWatchlist } from '../src/tagging/compile-watchlist.ts';
import { tagArticle } from '../src/tagging/tag-article.ts';
import { parseWatchlist } from '../src/tagging/watchlist.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(projectRoot, '../shared');
const devPath = path.join(shared, 'datasets/tagging/dev.jsonl');
const taxonomyPath = path.join(shared, 'datasets/tagging/taxonomy.json');
const watchlistPath = path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml');

/** Untimed passes first, so the figure is the optimised code's (V8 tiers up after a few hundred calls). */
const WARMUP_PASSES = 20;
/** Timed rounds of passes over the dev set (~90 KB each): the best round is reported with the median. */
const ROUNDS = 7;
const PASSES_PER_ROUND = 20;

interface DevRecord {
  id: string;
  title: string;
  text: string;
  published?: string | null;
}

const devText = readFileSync(devPath, 'utf8');
const records = devText
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as DevRecord);

// Scores: `cli tag` over dev.jsonl, as a person would run it.
const tagged = execFileSync(
  path.join(projectRoot, 'node_modules/.bin/tsx'),
  [path.join(projectRoot, 'src/cli.ts'), 'tag', '--watchlist', watchlistPath],
  { input: devText, encoding: 'utf8', cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 },
);
const predictions = tagged
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const r = JSON.parse(line) as { id: string; relevant: boolean; actors: string[]; phases: string[] };
    return { id: r.id, relevant: r.relevant, actors: r.actors, phases: r.phases };
  });

const dir = mkdtempSync(path.join(tmpdir(), 'tag-dev-'));
const predictionsPath = path.join(dir, 'predictions.jsonl');
writeFileSync(predictionsPath, predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');
try {
  const report = execFileSync(
    process.execPath,
    [path.join(shared, 'tools/score-tagging.mjs'), devPath, predictionsPath, '--taxonomy', taxonomyPath],
    { encoding: 'utf8' },
  );
  process.stdout.write(report);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Throughput: the same tagArticle in-process, on one thread.
const matcher = compileWatchlist(parseWatchlist(readFileSync(watchlistPath, 'utf8'), watchlistPath));
const bytes = records.reduce((sum, r) => sum + Buffer.byteLength(r.title) + Buffer.byteLength(r.text), 0);
for (let pass = 0; pass < WARMUP_PASSES; pass++) for (const r of records) tagArticle(r, matcher);
const rates: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < PASSES_PER_ROUND; pass++) for (const r of records) tagArticle(r, matcher);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rates.push((bytes * PASSES_PER_ROUND) / 1e6 / seconds);
}
rates.sort((a, b) => a - b);
const best = rates[rates.length - 1] as number;
const median = rates[Math.floor(rates.length / 2)] as number;
process.stdout.write(
  `throughput: ${best.toFixed(2)} MB/s of title+text on one thread, best of ${ROUNDS} rounds ` +
    `(median ${median.toFixed(2)}; ${records.length} articles, ${(bytes / 1e3).toFixed(1)} KB, ` +
    `${PASSES_PER_ROUND} passes per round after ${WARMUP_PASSES} warm-up passes)\n`,
);
