import { describe, expect, it } from 'vitest';
import { findPhrases } from '../../src/tagging/find-phrases.ts';
import { tokenizeText } from '../../src/tagging/tokenize-text.ts';
import { matcher } from './shipped-watchlist.ts';

const actor = (id: string) => {
  const found = matcher.actors.find((a) => a.id === id);
  if (!found) throw new Error(`no actor ${id}`);
  return found;
};

describe('findPhrases', () => {
  it('returns every alias occurrence, nested and overlapping ones included', () => {
    const text = 'Israeli Prime Minister Benjamin Netanyahu met Netanyahu allies.';
    const netanyahu = actor('benjamin-netanyahu');
    const hits = findPhrases(text, tokenizeText(text, matcher.words), matcher);
    // "Benjamin Netanyahu", "Netanyahu" (nested), "Netanyahu"; the title is an office, its own set.
    expect(hits[netanyahu.alias]).toEqual([
      { start: 3, end: 5 },
      { start: 4, end: 5 },
      { start: 6, end: 7 },
    ]);
    expect(hits[netanyahu.offices[0]?.set ?? -1]).toEqual([{ start: 0, end: 3 }]);
  });

  it.each([
    { name: 'proper-name-as-written', text: 'Trump', found: true },
    { name: 'proper-name-in-capitals', text: 'TRUMP', found: true },
    { name: 'proper-name-in-lower-case', text: 'trump', found: false },
    { name: 'headline-case-of-lowercase-word', text: 'Board Of Peace', found: true },
    { name: 'lowercase-alias-any-case', text: 'PEACE COUNCIL', found: true },
  ])('applies the case rule: $name', ({ text, found }) => {
    const id = text.toLowerCase().includes('trump') ? 'donald-trump' : 'board-of-peace';
    const hits = findPhrases(text, tokenizeText(text, matcher.words), matcher)[actor(id).alias] ?? [];
    expect(hits.length > 0).toBe(found);
  });

  it('matches a one-word wildcard', () => {
    const text = 'the next critical phase';
    const phase2 = matcher.phases.find((p) => p.id === 'phase-2');
    expect(
      findPhrases(text, tokenizeText(text, matcher.words), matcher)[phase2?.dated[0]?.set ?? -1],
    ).toEqual([{ start: 1, end: 4 }]);
  });
});
