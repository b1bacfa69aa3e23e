/**
 * Feed-parsing figures: our parseFeed against plain rss-parser over the shared feeds corpus, both scored
 * by ../shared/tools/score-feeds.mjs exactly as the `parse-feed --stdin` CLI contract would be.
 *
 *   npx tsx bench/feeds.ts [--fails]      (run from the project directory)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Parser from 'rss-parser';
import { describeError } from '../src/errors.ts';
import { parseFeed } from '../src/feeds/parse-feed.ts';

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

async function ours(input: InputLine): Promise<object> {
  const feed = await parseFeed(readFileSync(input.file), input.url ?? pathToFileURL(input.file).href, {
    contentType: input.contentType,
  });
  return {
    file: input.file,
    feed: { title: feed.title, link: feed.link },
    items: feed.items,
    encoding: feed.encoding,
  };
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

const dir = mkdtempSync(path.join(tmpdir(), 'bench-feeds-'));
for (const [name, run] of [
  ['parseFeed', ours],
  ['rss-parser', baseline],
] as const) {
  const started = performance.now();
  const lines: string[] = [];
  for (const input of inputs) {
    try {
      lines.push(JSON.stringify(await run(input)));
    } catch (error) {
      lines.push(JSON.stringify({ file: input.file, error: describeError(error) }));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const preds = path.join(dir, `${name}.jsonl`);
  writeFileSync(preds, lines.join('\n') + '\n');
  const args = [SCORER, CORPUS, preds, ...process.argv.slice(2)];
  const report = execFileSync('node', args, { encoding: 'utf8' }).trim().split('\n');
  if (process.argv.includes('--fails') && name === 'parseFeed') console.log(report.slice(0, -1).join('\n'));
  console.log(`${name.padEnd(11)} ${report.at(-1)} feeds/s=${(inputs.length / seconds).toFixed(0)}`);
}
