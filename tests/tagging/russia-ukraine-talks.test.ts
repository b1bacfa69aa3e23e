/**
 * The second shipped watchlist loads and behaves sensibly on the tagging dev set. A sanity check of the
 * format's generality, not a tuned score: no gold set labels Russia–Ukraine talks as relevant.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileWatchlist } from '../../src/tagging/compile-watchlist.ts';
import { tagArticle } from '../../src/tagging/tag-article.ts';
import { parseWatchlist } from '../../src/tagging/watchlist.ts';
import { devRecords, projectRoot } from './shipped-watchlist.ts';

const file = path.join(projectRoot, 'config/watchlists/russia-ukraine-talks.yaml');
const watchlist = parseWatchlist(readFileSync(file, 'utf8'), file);
const matcher = compileWatchlist(watchlist);

describe('russia-ukraine-talks watchlist', () => {
  it('loads with its own actors and phases', () => {
    expect(watchlist.id).toBe('russia-ukraine-talks');
    const ids = watchlist.actors.map((a) => a.id);
    for (const id of [
      'vladimir-putin',
      'volodymyr-zelensky',
      'steve-witkoff',
      'kirill-dmitriev',
      'russia',
      'ukraine',
    ])
      expect(ids).toContain(id);
    expect(watchlist.phases.map((p) => p.id)).toEqual(['peace-plan', 'ceasefire']);
  });

  it.each(
    devRecords
      .filter((r) => r.category !== 'negative')
      .map((r) => ({ name: `${r.id}-${r.category}`, record: r })),
  )('$name', ({ record }) => {
    expect(tagArticle(record, matcher).relevant).toBe(record.category === 'russia-ukraine');
  });

  it('tags the negotiators of a Russia–Ukraine record', () => {
    const record = devRecords.find((r) => r.id === 't035');
    const actors = tagArticle(record ?? { title: '', text: '' }, matcher).actors.map((t) => t.id);
    expect(actors).toEqual(expect.arrayContaining(['jared-kushner', 'steve-witkoff', 'vladimir-putin']));
  });
});
