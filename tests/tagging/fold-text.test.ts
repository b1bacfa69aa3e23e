import { describe, expect, it } from 'vitest';
import { foldText, originalRange } from '../../src/tagging/fold-text.ts';

describe('foldText', () => {
  it.each([
    { name: 'ascii-untouched', input: 'Hamas said.', folded: 'Hamas said.', identity: true },
    { name: 'breve-and-umlaut', input: 'Erdoğan, Türkiye', folded: 'Erdogan, Turkiye', identity: true },
    {
      name: 'curly-quotes-and-dashes',
      input: '“Trump’s” – plan',
      folded: `"Trump's" - plan`,
      identity: true,
    },
    { name: 'decomposed-umlaut', input: 'Tu\u0308rkiye', folded: 'Turkiye', identity: false },
    { name: 'soft-hyphen-removed', input: 'Wit\u00ADkoff', folded: 'Witkoff', identity: false },
    { name: 'sharp-s-expands', input: 'Straße', folded: 'Strasse', identity: false },
    { name: 'dotless-i', input: 'Kırıkkale', folded: 'Kirikkale', identity: true },
  ])('$name', ({ input, folded, identity }) => {
    const result = foldText(input);
    expect(result.text).toBe(folded);
    expect(result.offsets === null).toBe(identity);
  });

  it.each([
    { name: 'after-combining-mark', input: 'Tu\u0308rkiye said', word: 'said' },
    { name: 'word-with-combining-mark', input: 'the Tu\u0308rkiye envoy', word: 'Turkiye' },
    { name: 'after-expansion', input: 'Straße Hamas', word: 'Hamas' },
  ])('maps folded ranges back to the original: $name', ({ input, word }) => {
    const folded = foldText(input);
    const at = folded.text.indexOf(word);
    const [start, end] = originalRange(folded, at, at + word.length);
    expect(input.slice(start, end).normalize('NFD').replace(/\p{M}/gu, '').replace('ß', 'ss')).toBe(word);
  });
});
