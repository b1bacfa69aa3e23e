import { describe, expect, it } from 'vitest';
import { tokenizeText } from '../../src/tagging/tokenize-text.ts';

describe('tokenizeText', () => {
  it.each([
    { name: 'possessive', input: "Turkey's army", tokens: ['turkey', "'s", 'army'] },
    { name: 'possessive-capital-s', input: "TURKEY'S ARMY", tokens: ['turkey', "'s", 'army'] },
    { name: 'possessive-after-final-s', input: "Hamas' chief", tokens: ['hamas', "'s", 'chief'] },
    {
      name: 'opening-quote-is-not-possessive',
      input: "said 'powerful'",
      tokens: ['said', "'", 'powerful', "'"],
    },
    { name: 'contraction-is-not-possessive', input: "it's", tokens: ['it', "'s"] },
    { name: 'apostrophe-inside-a-word', input: "O'Brien", tokens: ['o', "'", 'brien'] },
    { name: 'hyphen-separates', input: 'el-Sisi', tokens: ['el', 'sisi'] },
    { name: 'initials-keep-periods', input: 'U.S. envoy', tokens: ['u', '.', 's', '.', 'envoy'] },
    {
      name: 'quotes-and-brackets-separate',
      input: '"Board of Peace" (BoP)',
      tokens: ['board', 'of', 'peace', 'bop'],
    },
    { name: 'other-scripts-are-words', input: 'Путин said', tokens: ['путин', 'said'] },
  ])('$name', ({ input, tokens }) => {
    expect(tokenizeText(input).lower).toEqual(tokens);
  });

  it('records offsets and line breaks', () => {
    const t = tokenizeText('Gaza\n  truce');
    expect([t.start[1], t.end[1]]).toEqual([7, 12]);
    expect(Array.from(t.newlineBefore)).toEqual([0, 1]);
  });
});
