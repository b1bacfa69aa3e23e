/**
 * Whether two article signatures belong to one story: syndicated copies of the same wire text, as
 * opposed to two outlets' own reports of the same event.
 *
 * Calibration: `storySimilarity` over every pair of the six texts of one story in
 * tests/fixtures/stories (the seed and five copies built from it, see the README there), and over
 * every pair of 40 different stories (the seed and the 39 dev articles of
 * /work/shared/datasets/tagging/dev.jsonl, 22 of them on the Gaza ceasefire), with a throwaway script;
 * the fixture pairs, and ten Gaza stories of the dev set, are pinned in tests/stories/is-same-story.test.ts:
 *
 * | pairs                                              | containment   | Jaccard       |
 * | -------------------------------------------------- | ------------- | ------------- |
 * | 15 pairs of copies (3 rewrites, 2 wire briefs)     | 0.747 – 1.000 | 0.117 – 0.828 |
 * | 780 pairs of different stories                     | 0 – 0.106     | 0 – 0.031     |
 *
 * Containment (shared shingles over the smaller text's) is the deciding measure: an outlet that runs
 * only the first paragraphs of a wire story shares almost all of its text with the full version,
 * while its Jaccard similarity falls with the cut. The Jaccard floor guards the one weak spot of the
 * containment estimate: it is derived from the Jaccard estimate times the size ratio, so between a
 * very short and a very long text the estimator's noise is multiplied too.
 */
import { readSignature } from './text-signature.ts';

/**
 * Containment at or above which two texts are one story. Copies measured ≥ 0.747, different
 * stories ≤ 0.106: 0.5 sits in the gap, so a copy may lose half its text to rewriting, and an
 * unrelated pair may share nearly five times the worst measured, before either is misjudged.
 */
export const SAME_STORY_CONTAINMENT = 0.5;

/**
 * Jaccard estimate below which containment is not trusted. Different stories: ≤ 0.031 estimated
 * (0.026 exact); the shortest copy (a two-paragraph brief, 143 shingles, against an 877-shingle copy):
 * 0.117 estimated (0.156 exact). The estimate's standard error √(J(1−J)/128) is 0.015 at J = 0.03 and
 * 0.032 at J = 0.156, so 0.08 is 3.3 standard errors above the different-story maximum and 2.4 below
 * the shortest copy's true value. A teaser of a sentence or
 * two against the full article falls below it, which is the price of not merging on noise.
 */
export const SAME_STORY_MIN_JACCARD = 0.08;

/**
 * Fewer distinct shingles than this (about 20 words, one sentence) is too little text to call two
 * articles copies of each other: a shared standfirst or a stock line would be enough.
 */
export const MIN_STORY_SHINGLES = 20;

/**
 * The estimated Jaccard similarity and containment of the texts behind two signatures, or null when
 * either is unreadable or of another signature version.
 *
 * @example
 * const a = textSignature(wireStory);
 * storySimilarity(a, a); // { jaccard: 1, containment: 1 }
 */
export function storySimilarity(a: string, b: string): { jaccard: number; containment: number } | null {
  const sa = readSignature(a);
  const sb = readSignature(b);
  if (!sa || !sb) return null;
  let equal = 0;
  for (let i = 0; i < sa.mins.length; i++) if (sa.mins[i] === sb.mins[i]) equal++;
  const jaccard = equal / sa.mins.length;
  const smaller = Math.min(sa.shingles, sb.shingles);
  if (smaller === 0) return { jaccard, containment: 0 };
  // |A ∩ B| = J·(|A| + |B|) / (1 + J), since |A ∪ B| = |A| + |B| − |A ∩ B|.
  const shared = (jaccard * (sa.shingles + sb.shingles)) / (1 + jaccard);
  return { jaccard, containment: Math.min(1, shared / smaller) };
}

/**
 * True when two signatures are copies of one story (see the calibration above).
 *
 * @example
 * isSameStory(textSignature(apCopy), textSignature(trimmedReprint)); // true
 * isSameStory(textSignature(apCopy), textSignature(otherOutletsReport)); // false
 */
export function isSameStory(a: string, b: string): boolean {
  const sa = readSignature(a);
  const sb = readSignature(b);
  if (!sa || !sb || Math.min(sa.shingles, sb.shingles) < MIN_STORY_SHINGLES) return false;
  const similarity = storySimilarity(a, b);
  return (
    similarity !== null &&
    similarity.containment >= SAME_STORY_CONTAINMENT &&
    similarity.jaccard >= SAME_STORY_MIN_JACCARD
  );
}
