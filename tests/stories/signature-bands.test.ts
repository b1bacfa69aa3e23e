import { describe, expect, it } from 'vitest';
import { BANDS, BAND_ROWS, signatureBands } from '../../src/stories/signature-bands.ts';
import { textSignature } from '../../src/stories/text-signature.ts';
import { otherStories, seedText, storyCopies } from './story-fixtures.ts';

function sharedBands(a: string, b: string): number {
  const bucketsA = new Set(signatureBands(a).map((x) => `${x.band}:${x.bucket}`));
  return signatureBands(b).filter((x) => bucketsA.has(`${x.band}:${x.bucket}`)).length;
}

describe('signatureBands', () => {
  it('sixty-four-bands-of-two-values', () => {
    const bands = signatureBands(textSignature(seedText));
    expect(BANDS * BAND_ROWS).toBe(128);
    expect(bands.map((b) => b.band)).toEqual([...Array(BANDS).keys()]);
    for (const b of bands) expect(b.bucket).toMatch(/^[0-9a-f]{16}$/);
  });

  it('buckets-are-the-signature-values-in-order', () => {
    const signature = textSignature(seedText);
    const hex = signature.split('.')[2];
    expect(
      signatureBands(signature)
        .map((b) => b.bucket)
        .join(''),
    ).toBe(hex);
  });

  it.each([
    { name: 'too-short-to-cluster', signature: textSignature('Ceasefire holds in Gaza, mediators say.') },
    { name: 'empty-text', signature: textSignature('') },
    { name: 'unreadable', signature: 'simhash:ffee' },
  ])('$name-has-no-bands', ({ signature }) => {
    expect(signatureBands(signature)).toEqual([]);
  });

  it.each(Object.keys(storyCopies).filter((name) => name.startsWith('copy--')))(
    'copy-%s-is-a-candidate-of-the-original',
    (name) => {
      expect(
        sharedBands(textSignature(seedText), textSignature(storyCopies[name] as string)),
      ).toBeGreaterThan(0);
    },
  );

  it('different-stories-rarely-candidates', () => {
    // At most 0.06 per pair (the band-collision probability at the highest different-story Jaccard
    // measured), so at most about 3 of these 55 pairs; measured: 0.
    const texts = [seedText, ...otherStories.map((s) => s.text)].map(textSignature);
    let candidates = 0;
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++)
        if (sharedBands(texts[i] as string, texts[j] as string) > 0) candidates++;
    }
    expect(candidates).toBeLessThanOrEqual(3);
  });
});
