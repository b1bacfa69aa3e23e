/**
 * Feed-parsing figures: our parser through the real CLI contract (`npm run --silent cli -- parse-feed
 * --stdin`, fed the scorer's `--emit-input` lines) against plain rss-parser in-process, over the shared
 * feeds corpus, both scored by ../shared/tools/score-feeds.mjs. feeds/s for ours includes the CLI's
 * start-up (tsx compiling, one process), so it understates the parser alone.
 *
 *   npx tsx bench/feeds.ts [--fails]      (run from the project directory)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Parser from 'rss-parser';
import { describeError } from '../src/errors.ts';

const CORPUS = '../shared/datasets/feeds';
const SCORER = '../shared/tools/score-feeds.mjs';

interface InputLine {
  file: string;
  url?: string;
  contentType?: string;
}

const inputs: InputLine[] = execFileSync('node', [SCORER, '--emit-input', CORPUS], { encoding: 'utf8' })
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as InputLine);

/** One run of the CLI over every input: its stdout is the predictions file, line for line. */
function ours(): string[] {
  const stdin = inputs.map((input) => JSON.stringify(input)).join('\n') + '\n';
  return execFileSync('npm', ['run', '--silent', 'cli', '--', 'parse-feed', '--stdin'], {
    input: stdin,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  })
    .split('\n')
    .filter((line) => line.trim());
}

async function baseline(input: InputLine): Promise<object> {
  const feed = await new Parser().parseString(readFileSync(input.file, 'utf8'));
  return {
    file: input.file,
    feed: { title: feed.title, link: feed.link ?? null },
    items: feed.items.map((item) => ({
      title: item.title ?? '',
      link: item.link ?? null,
      id: item.guid ?? (item as { id?: string }).id ?? null,
      published: item.isoDate ?? null,
      summary: (item as { summary?: string }).summary ?? item.content ?? '',
      content: (item as { 'content:encoded'?: string })['content:encoded'] ?? item.content ?? '',
    })),
  };
}

async function baselineLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const input of inputs) {
    try {
      lines.push(JSON.stringify(await baseline(input)));
    } catch (error) {
      lines.push(JSON.stringify({ file: input.file, error: describeError(error) }));
    }
  }
  return lines;
}

const dir = mkdtempSync(path.join(tmpdir(), 'bench-feeds-'));
for (const [name, run] of [
  ['parse-feed', () => Promise.resolve(ours())],
  ['rss-parser', baselineLines],
] as const) {
  const started = performance.now();
  const lines = await run();
  const seconds = (performance.now() - started) / 1000;
  const preds = path.join(dir, `${name}.jsonl`);
  writeFileSync(preds, lines.join('\n') + '\n');
  const args = [SCORER, CORPUS, preds, ...process.argv.slice(2)];
  const report = execFileSync('node', args, { encoding: 'utf8' }).trim().split('\n');
  if (process.argv.includes('--fails') && name === 'parse-feed') console.log(report.slice(0, -1).join('\n'));
  console.log(`${name.padEnd(11)} ${report.at(-1)} feeds/s=${(inputs.length / seconds).toFixed(0)}`);
}
