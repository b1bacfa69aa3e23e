/** The shipped watchlist, parsed and compiled once per test file. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWatchlist } from '../../src/tagging/compile-watchlist.ts';
import { parseWatchlist } from '../../src/tagging/watchlist.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const watchlistPath = path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml');
export const watchlistText = readFileSync(watchlistPath, 'utf8');
export const watchlist = parseWatchlist(watchlistText, watchlistPath);
export const matcher = compileWatchlist(watchlist);

export interface DevRecord {
  id: string;
  title: string;
  text: string;
  published: string | null;
  relevant: boolean;
  actors: string[];
  phases: string[];
  category: string;
}

/** The tagging dev set (../shared/datasets/tagging/dev.jsonl), for agreement and sanity checks. */
export const devRecords: DevRecord[] = readFileSync(
  path.resolve(projectRoot, '../shared/datasets/tagging/dev.jsonl'),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as DevRecord);
