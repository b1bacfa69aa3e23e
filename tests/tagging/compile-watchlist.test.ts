import { describe, expect, it } from 'vitest';
import { compileWatchlist } from '../../src/tagging/compile-watchlist.ts';
import { findPhrases } from '../../src/tagging/find-phrases.ts';
import { tokenizeText } from '../../src/tagging/tokenize-text.ts';
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
});

describe('case rules', () => {
  const yamlFor = (alias: string, caseRule?: string): string =>
    [
      'version: 1',
      'id: mini',
      'vocabulary:',
      '  governmentNouns: [officials]',
      '  governmentVerbs: [said]',
      'actors:',
      '  - id: someone',
      '    name: Someone',
      '    kind: person',
      `    aliases: [${JSON.stringify(alias)}]`,
      ...(caseRule ? [`    case: ${caseRule}`] : []),
      'phaseContext: [deal]',
      'relevance:',
      '  anchors: [Gaza]',
      '  topics: [deal]',
      '',
    ].join('\n');
  const found = (alias: string, text: string, caseRule?: string): boolean => {
    const matcher = compileWatchlist(parseWatchlist(yamlFor(alias, caseRule), 'mini.yaml'));
    const someone = matcher.actors[0];
    const hits = findPhrases(text, tokenizeText(text, matcher.words), matcher);
    return (hits[someone?.alias ?? -1] ?? []).length > 0;
  };

  it.each([
    { name: 'proper-as-written', alias: 'Hakan Fidan', text: 'Hakan Fidan', expected: true },
    { name: 'proper-in-capitals', alias: 'Hakan Fidan', text: 'HAKAN FIDAN', expected: true },
    { name: 'proper-not-lower-case', alias: 'Hakan Fidan', text: 'hakan fidan', expected: false },
    {
      name: 'proper-particle-any-case',
      alias: 'Mohammed Al Thani',
      text: 'Mohammed al-Thani',
      expected: true,
    },
    { name: 'proper-acronym-only-in-capitals', alias: 'WHO', text: 'Who', expected: false },
    { name: 'proper-acronym-in-capitals', alias: 'WHO', text: 'WHO', expected: true },
    {
      name: 'proper-lower-word-headline-case',
      alias: 'Board of Peace',
      text: 'Board Of Peace',
      expected: true,
    },
    {
      name: 'insensitive-by-default-for-lower-case',
      alias: 'peace council',
      text: 'PEACE Council',
      expected: true,
    },
    { name: 'sensitive-exact-only', alias: 'Bibi', text: 'BIBI', caseRule: 'sensitive', expected: false },
    { name: 'sensitive-as-written', alias: 'Bibi', text: 'Bibi', caseRule: 'sensitive', expected: true },
    { name: 'insensitive-override', alias: 'Trump', text: 'trump', caseRule: 'insensitive', expected: true },
    {
      name: 'possessive-forms-are-one',
      alias: "Hamas's chief negotiator",
      text: "Hamas' chief negotiator",
      expected: true,
    },
    {
      name: 'hyphen-compound-written-solid',
      alias: 'cease-fire monitor',
      text: 'ceasefire monitor',
      expected: true,
    },
    {
      name: 'hyphen-compound-spaced',
      alias: 'cease-fire monitor',
      text: 'cease fire monitor',
      expected: true,
    },
  ])('$name', ({ alias, text, caseRule, expected }) => {
    expect(found(alias, text, caseRule)).toBe(expected);
  });
});
