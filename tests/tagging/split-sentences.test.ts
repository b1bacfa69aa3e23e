import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/tagging/split-sentences.ts';
import { tokenizeText } from '../../src/tagging/tokenize-text.ts';

const count = (text: string): number => splitSentences(text, tokenizeText(text)).firstToken.length;

describe('splitSentences', () => {
  it.each([
    { name: 'two-sentences', text: 'Hamas agreed. Israel did too.', expected: 2 },
    { name: 'initials-do-not-split', text: 'The U.S. President spoke. He left.', expected: 2 },
    { name: 'abbreviation-does-not-split', text: 'On Oct. 10 Mr. Trump spoke.', expected: 1 },
    {
      name: 'line-break-splits',
      text: 'Second Phase of the Deal\nUnder the plan, troops leave.',
      expected: 2,
    },
    { name: 'lowercase-after-period-does-not-split', text: 'It cost 1.5 billion. and more', expected: 1 },
    { name: 'question-and-exclamation', text: 'Is it over? Yes! It is.', expected: 3 },
  ])('$name', ({ text, expected }) => {
    expect(count(text)).toBe(expected);
  });
});
