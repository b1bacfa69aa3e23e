/**
 * Tag the tagging dev set with the shipped watchlist, score it with shared/tools/score-tagging.mjs and
 * print single-thread throughput. Run: `npx tsx bench/tag-dev.ts` (wired as `npm run bench:tag`).
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

/** Timed passes over the dev set: enough for a stable MB/s on ~90 KB of text. */
const THROUGHPUT_PASSES = 50;

interface DevRecord {
  id: string;
  title: string;
  text: string;
  published?: string | null;
}

const records = readFileSync(devPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as DevRecord);
const matcher = compileWatchlist(parseWatchlist(readFileSync(watchlistPath, 'utf8'), watchlistPath));

const predictions = records.map((r) => {
  const result = tagArticle({ title: r.title, text: r.text, published: r.published ?? null }, matcher);
  return {
    id: r.id,
    relevant: result.relevant,
    actors: result.actors.map((t) => t.id),
    phases: result.phases.map((t) => t.id),
  };
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

const bytes = records.reduce((sum, r) => sum + Buffer.byteLength(r.title) + Buffer.byteLength(r.text), 0);
for (const r of records) tagArticle(r, matcher); // warm-up
const started = process.hrtime.bigint();
for (let pass = 0; pass < THROUGHPUT_PASSES; pass++) for (const r of records) tagArticle(r, matcher);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const mbPerSecond = (bytes * THROUGHPUT_PASSES) / 1e6 / seconds;
process.stdout.write(
  `throughput: ${mbPerSecond.toFixed(2)} MB/s of title+text on one thread ` +
    `(${records.length} articles, ${(bytes / 1e3).toFixed(1)} KB, ${THROUGHPUT_PASSES} passes)\n`,
);
