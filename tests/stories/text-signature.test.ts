import { describe, expect, it } from 'vitest';
import { SIGNATURE_HASHES, readSignature, textSignature } from '../../src/stories/text-signature.ts';
import { seedText } from './story-fixtures.ts';

describe('textSignature', () => {
  it.each([
    {
      name: 'twelve-words-ten-shingles',
      text: 'Hamas released three hostages to the Red Cross in Gaza on Sunday.',
      shingles: 10,
    },
    {
      name: 'repeated-shingles-counted-once',
      text: 'the truce holds the truce holds the truce holds',
      shingles: 3,
    },
    { name: 'two-words-one-shingle-of-both', text: 'Truce holds', shingles: 1 },
    { name: 'empty-text-no-shingles', text: '  \n ', shingles: 0 },
    { name: 'punctuation-only-no-shingles', text: '— … !', shingles: 0 },
  ])('$name', ({ text, shingles }) => {
    const signature = textSignature(text);
    expect(signature).toMatch(new RegExp(`^mh1\\.${shingles}\\.[0-9a-f]{${SIGNATURE_HASHES * 8}}$`));
    expect(readSignature(signature)?.shingles).toBe(shingles);
  });

  it.each([
    {
      name: 'case-and-typography-ignored',
      a: 'Erdoğan’s envoy — in Türkiye — said “the truce holds”.',
      b: 'ERDOGAN\'S envoy - in Turkiye - said "the truce holds"',
    },
    {
      name: 'whitespace-and-line-breaks-ignored',
      a: 'The truce\n\nholds in  Gaza today',
      b: 'The truce holds in Gaza today',
    },
  ])('$name', ({ a, b }) => {
    expect(textSignature(a)).toBe(textSignature(b));
  });

  it('deterministic-across-calls', () => {
    expect(textSignature(seedText)).toBe(textSignature(seedText));
  });

  it('word-order-matters', () => {
    expect(textSignature('Israel strikes Hamas commander in Gaza')).not.toBe(
      textSignature('Hamas commander strikes Israel in Gaza'),
    );
  });

  it('empty-text-mins-are-all-ones', () => {
    const parsed = readSignature(textSignature(''));
    expect(parsed?.mins.every((m) => m === 0xffffffff)).toBe(true);
  });
});

describe('readSignature', () => {
  const valid = textSignature('The truce holds in Gaza today');
  it.each([
    { name: 'other-version', signature: valid.replace(/^mh1/, 'mh2') },
    { name: 'simhash-like', signature: 'simhash:ffee00112233' },
    { name: 'hex-too-short', signature: valid.slice(0, -8) },
    { name: 'upper-case-hex', signature: valid.toUpperCase().replace(/^MH1/, 'mh1') },
    { name: 'extra-part', signature: `${valid}.00` },
    { name: 'count-not-a-number', signature: valid.replace(/^mh1\.\d+/, 'mh1.x') },
    { name: 'empty', signature: '' },
  ])('$name-is-null', ({ signature }) => {
    expect(readSignature(signature)).toBeNull();
  });

  it('round-trips-the-mins', () => {
    const parsed = readSignature(valid);
    expect(parsed?.mins).toHaveLength(SIGNATURE_HASHES);
    const hex = [...(parsed?.mins ?? [])].map((m) => m.toString(16).padStart(8, '0')).join('');
    expect(valid.endsWith(`.${hex}`)).toBe(true);
  });
});
