/**
 * A compact signature of an article's text, so that syndicated copies of one wire story (the same
 * paragraphs under another outlet's intro, headline and boilerplate) can be found and grouped.
 *
 * Why MinHash over word 3-shingles, not SimHash. Measured on the fixtures in tests/fixtures/stories
 * (the seed article, three syndicated copies built from it, two wire briefs of its first 2 and 3
 * paragraphs: 15 pairs) and the seed with the 39 dev articles of /work/shared/datasets/tagging/dev.jsonl,
 * 22 of them on the Gaza ceasefire (780 pairs of different stories):
 *
 * | measure over word 3-shingles          | copies of one story | different stories |
 * | ------------------------------------- | ------------------- | ----------------- |
 * | 64-bit SimHash Hamming distance       | 8 – 28              | 20 – 43           |
 * | Jaccard similarity                    | 0.156 – 0.847       | 0 – 0.026         |
 * | containment (shared / smaller set)    | 0.831 – 1.000       | 0 – 0.085         |
 *
 * SimHash's ranges overlap (a trimmed copy is as far as an unrelated article), because it summarises
 * a whole text into one vector and a copy cut to a third of its length moves most bits. MinHash
 * estimates the Jaccard similarity of the shingle sets directly, and with the shingle count kept in
 * the signature it also estimates containment, which is what separates a trimmed wire copy from a
 * different story with a tenfold margin.
 */
import { foldText } from '../tagging/fold-text.ts';

/**
 * Number of MinHash values. The standard error of the Jaccard estimate is √(J(1−J)/k): 0.032 at
 * J = 0.15 with 128 values, small enough beside the gap measured above; 128 is also what the LSH
 * banding of `signatureBands` needs (64 bands of 2) to find copies down to J ≈ 0.15.
 */
export const SIGNATURE_HASHES = 128;

/**
 * Words per shingle. On the pairs above, 2-word shingles ("the gaza", "said on") are shared by any two
 * articles on the topic (different-story Jaccard up to 0.082, against 0.026 with 3); 4 and 5 words
 * separate a little more (0.014, 0.008) but every word a copy editor changes ("Turkey" → "Türkiye")
 * then breaks 4 or 5 shingles instead of 3. Copies' smallest Jaccard: 0.176, 0.156, 0.149, 0.145.
 */
export const SHINGLE_WORDS = 3;

/** Version tag at the start of every signature: signatures of another scheme are never compared. */
export const SIGNATURE_VERSION = 'mh1';

/** A parsed signature: the number of distinct shingles and the minimum of each hash function. */
export interface MinHashSignature {
  shingles: number;
  mins: Uint32Array;
}

const EMPTY_MIN = 0xffffffff;

/**
 * The MinHash signature of a text, as `mh1.<shingle count>.<128 × 8 hex digits>`. Words are runs of
 * letters and digits after folding (diacritics, curly quotes) and lower-casing, so typography and
 * case do not separate two copies. Give it the article body; the headline is the part outlets rewrite.
 *
 * @example
 * const sig = textSignature('Hamas released three hostages to the Red Cross in Gaza on Sunday.');
 * sig.startsWith('mh1.10.'); // true: 12 words, 10 shingles
 */
export function textSignature(text: string): string {
  const words =
    foldText(text)
      .text.toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const shingles = new Set<string>();
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) {
    shingles.add(words.slice(i, i + SHINGLE_WORDS).join(' '));
  }
  // A text shorter than one shingle still gets a signature (of its words), so it can match itself.
  if (shingles.size === 0 && words.length > 0) shingles.add(words.join(' '));

  const mins = new Uint32Array(SIGNATURE_HASHES).fill(EMPTY_MIN);
  for (const shingle of shingles) {
    // Kirsch–Mitzenmacher double hashing: h_i = h1 + i·h2 from two independent string hashes, each
    // then mixed by the murmur3 finaliser, stands in for 128 independent hash functions.
    const h1 = fnv1a(shingle, 0x811c9dc5);
    const h2 = fnv1a(shingle, 0x050c5d1f) | 1;
    for (let i = 0; i < SIGNATURE_HASHES; i++) {
      const h = fmix32((h1 + Math.imul(i, h2)) >>> 0);
      if (h < (mins[i] as number)) mins[i] = h;
    }
  }
  let hex = '';
  for (const m of mins) hex += m.toString(16).padStart(8, '0');
  return `${SIGNATURE_VERSION}.${shingles.size}.${hex}`;
}

/**
 * Reads a signature written by `textSignature`; null when it is malformed or of another version.
 *
 * @example
 * readSignature(textSignature('a b c d'))?.shingles; // 2
 * readSignature('simhash:ffee'); // null
 */
export function readSignature(signature: string): MinHashSignature | null {
  const [version, count, hex, ...rest] = signature.split('.');
  if (version !== SIGNATURE_VERSION || count === undefined || hex === undefined || rest.length > 0)
    return null;
  if (!/^\d{1,9}$/.test(count) || !/^[0-9a-f]+$/.test(hex) || hex.length !== SIGNATURE_HASHES * 8)
    return null;
  const mins = new Uint32Array(SIGNATURE_HASHES);
  for (let i = 0; i < SIGNATURE_HASHES; i++) mins[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  return { shingles: Number(count), mins };
}

/** 32-bit FNV-1a over UTF-16 code units, with a chosen offset basis to get a second hash. */
function fnv1a(text: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The murmur3 32-bit finaliser: every input bit flips each output bit with probability ≈ ½. */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
