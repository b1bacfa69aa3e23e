import { describe, expect, it } from 'vitest';
import {
  MIN_STORY_SHINGLES,
  SAME_STORY_CONTAINMENT,
  SAME_STORY_MIN_JACCARD,
  isSameStory,
  storySimilarity,
} from '../../src/stories/is-same-story.ts';
import { textSignature } from '../../src/stories/text-signature.ts';
import { otherStories, seedText, storyCopies } from './story-fixtures.ts';

const copyNames = Object.keys(storyCopies);
const copyPairs = copyNames.flatMap((a, i) => copyNames.slice(i + 1).map((b) => ({ a, b })));

const others = [{ id: 'seed', text: seedText }, ...otherStories];
const otherPairs = others.flatMap((a, i) => others.slice(i + 1).map((b) => ({ a: a.id, b: b.id })));
const otherText = new Map(others.map((s) => [s.id, s.text]));

describe('isSameStory', () => {
  it.each(copyPairs)('copies-$a-and-$b-are-one-story', ({ a, b }) => {
    const sa = textSignature(storyCopies[a] as string);
    const sb = textSignature(storyCopies[b] as string);
    expect(isSameStory(sa, sb)).toBe(true);
    expect(isSameStory(sb, sa)).toBe(true);
  });

  it.each(otherPairs)('different-stories-$a-and-$b-stay-apart', ({ a, b }) => {
    expect(
      isSameStory(textSignature(otherText.get(a) as string), textSignature(otherText.get(b) as string)),
    ).toBe(false);
  });

  it('copies-clear-the-thresholds-with-margin', () => {
    // The pinned calibration: the hardest copy pair and the closest different pair, as measured.
    const hardest = storySimilarity(
      textSignature(seedText),
      textSignature(storyCopies['copy--wire-brief-first-two-paragraphs'] as string),
    );
    expect(hardest?.containment).toBeGreaterThan(SAME_STORY_CONTAINMENT + 0.2);
    expect(hardest?.jaccard).toBeGreaterThan(SAME_STORY_MIN_JACCARD);
    const closestOther = storySimilarity(
      textSignature(seedText),
      textSignature(otherText.get('t036') as string),
    );
    expect(closestOther?.containment).toBeLessThan(SAME_STORY_CONTAINMENT / 2);
    expect(closestOther?.jaccard).toBeLessThan(SAME_STORY_MIN_JACCARD / 2);
  });

  it.each([
    {
      name: 'one-sentence-each-too-short',
      a: 'Hamas released three hostages to the Red Cross in Gaza on Sunday.',
      b: 'Hamas released three hostages to the Red Cross in Gaza on Sunday.',
    },
    { name: 'empty-texts', a: '', b: '' },
  ])('$name-is-not-a-story', ({ a, b }) => {
    expect(isSameStory(textSignature(a), textSignature(b))).toBe(false);
  });

  it.each([
    { name: 'unreadable-first', a: 'simhash:ffee', b: textSignature(seedText) },
    { name: 'unreadable-second', a: textSignature(seedText), b: 'mh2.1.00' },
  ])('$name-is-not-a-story', ({ a, b }) => {
    expect(isSameStory(a, b)).toBe(false);
    expect(storySimilarity(a, b)).toBeNull();
  });

  it('identical-long-texts-are-one-story', () => {
    const signature = textSignature(seedText);
    expect(storySimilarity(signature, signature)).toEqual({ jaccard: 1, containment: 1 });
    expect(isSameStory(signature, signature)).toBe(true);
  });

  it('a-paragraph-of-min-length-matches-itself', () => {
    const words = Array.from({ length: MIN_STORY_SHINGLES + 2 }, (_, i) => `word${i}`).join(' ');
    expect(isSameStory(textSignature(words), textSignature(words))).toBe(true);
  });
});
