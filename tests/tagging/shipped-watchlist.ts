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
