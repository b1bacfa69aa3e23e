/**
 * Locality-sensitive hashing over MinHash signatures: the signature is cut into bands, and two
 * articles become candidates when any band is equal. Only candidates are compared with
 * `isSameStory`, so finding a story's copies is an indexed lookup, not a scan of every article.
 */
import { MIN_STORY_SHINGLES } from './is-same-story.ts';
import { SIGNATURE_HASHES, readSignature } from './text-signature.ts';

/**
 * MinHash values per band. Two texts of Jaccard similarity J share a given band with probability J^r,
 * and at least one of b bands with 1 − (1 − J^r)^b. With r = 2, b = 64 (all 128 values): 0.59 at
 * J = 0.117 (the shortest copy measured), 0.79 at J = 0.156, 0.98 at J = 0.25 (a wire story cut to a
 * quarter), ≈ 1 above 0.35; and 0.06 at J = 0.031 (the most similar different stories measured), which
 * `isSameStory` then rejects. With r = 3 a quarter-length copy would be found half the time (0.48 at
 * J = 0.25); with r = 1 nearly every article on the same topic would be a candidate (0.98 at J = 0.031).
 */
export const BAND_ROWS = 2;

/** Number of bands: the whole signature is used. */
export const BANDS = SIGNATURE_HASHES / BAND_ROWS;

/**
 * The LSH bands of a signature: `band` is 0…63, `bucket` the band's MinHash values as 16 hex digits.
 * A signature that cannot match anything (unreadable, another version, or a text shorter than
 * `MIN_STORY_SHINGLES`) has no bands.
 *
 * @example
 * signatureBands(textSignature(articleText)); // [{ band: 0, bucket: '0a1b2c3d4e5f6071' }, … 64 entries]
 */
export function signatureBands(signature: string): { band: number; bucket: string }[] {
  const parsed = readSignature(signature);
  if (!parsed || parsed.shingles < MIN_STORY_SHINGLES) return [];
  const bands: { band: number; bucket: string }[] = [];
  for (let band = 0; band < BANDS; band++) {
    let bucket = '';
    for (let row = 0; row < BAND_ROWS; row++) {
      bucket += (parsed.mins[band * BAND_ROWS + row] as number).toString(16).padStart(8, '0');
    }
    bands.push({ band, bucket });
  }
  return bands;
}
