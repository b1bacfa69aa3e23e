import { describe, expect, it } from 'vitest';
import { compileWatchlist } from '../../src/tagging/compile-watchlist.ts';
import { parseWatchlist } from '../../src/tagging/watchlist.ts';
import { watchlist, watchlistText } from './shipped-watchlist.ts';

describe('compileWatchlist', () => {
  it('compiles every actor and phase of the shipped watchlist', () => {
    const matcher = compileWatchlist(watchlist);
    expect(matcher.actors.map((a) => a.id)).toEqual(watchlist.actors.map((a) => a.id));
    expect(matcher.phases.map((p) => p.id)).toEqual(['phase-1', 'phase-2', 'phase-3']);
    expect(matcher.relevance.anchorActors.length).toBe(watchlist.relevance.anchorActors.length);
  });

  it('indexes aliases by folded lower-case first word', () => {
    const matcher = compileWatchlist(watchlist);
    const id = matcher.words.byKey.get('turkiye');
    expect(id === undefined ? false : matcher.root.next.has(id)).toBe(true);
    expect(matcher.words.byKey.has('Türkiye')).toBe(false);
  });

  it('rejects an actor id that a hand-built watchlist does not define', () => {
    const parsed = parseWatchlist(watchlistText, 'gaza-ceasefire.yaml');
    const broken = { ...parsed, relevance: { ...parsed.relevance, anchorActors: ['nobody'] } };
    expect(() => compileWatchlist(broken)).toThrow(/unknown actor id "nobody"/);
  });

  it('compiles the shipped watchlist quickly enough to rebuild on reload', () => {
    const started = performance.now();
    compileWatchlist(watchlist);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
