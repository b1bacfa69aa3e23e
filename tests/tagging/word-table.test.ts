import { describe, expect, it } from 'vitest';
import { buildWordTable, lookupWord } from '../../src/tagging/word-table.ts';

describe('word table', () => {
  const words = ['gaza', 'truce', 'the', 'hamas', "'s", ',', 'ga', 'g'];
  const table = buildWordTable(words);

  it.each([
    { name: 'known-word', text: 'the gaza truce', start: 4, end: 8, expected: words.indexOf('gaza') },
    {
      name: 'prefix-of-a-word-is-another-word',
      text: 'gaza',
      start: 0,
      end: 2,
      expected: words.indexOf('ga'),
    },
    { name: 'single-letter', text: 'g', start: 0, end: 1, expected: words.indexOf('g') },
    { name: 'unknown-word', text: 'the gaze', start: 4, end: 8, expected: -1 },
    { name: 'same-signature-other-word', text: 'gazz', start: 0, end: 4, expected: -1 },
    { name: 'punctuation', text: 'a, b', start: 1, end: 2, expected: words.indexOf(',') },
  ])('$name', ({ text, start, end, expected }) => {
    expect(lookupWord(table, text, start, end)).toBe(expected);
  });

  it('gives each distinct word one id', () => {
    const twice = buildWordTable(['gaza', 'gaza', 'truce']);
    expect(twice.keys).toEqual(['gaza', 'truce']);
    expect(twice.byKey.get('truce')).toBe(1);
  });
});
