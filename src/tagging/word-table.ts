/**
 * The watchlist's words, looked up straight from the article text: the tokenizer compares a token with
 * the few words of the same signature (length, first two characters) in place, instead of cutting a
 * string and hashing it for a Map — 60% of an article's words are watchlist words ("the", "said",
 * "Gaza"…), and that lookup was the largest single cost of tagging. Words not in the table get id -1.
 */

export interface WordTable {
  /** Word of each id (lower case, folded). */
  keys: string[];
  byKey: Map<string, number>;
  /** Ids of the words by `wordSignature`. */
  buckets: (readonly number[] | undefined)[];
}

/**
 * Signature of a lower-cased word (15 bits: 5 of length, 5 per character of the first two).
 *
 * @example
 * wordSignature('the gaza', 4, 8) === wordSignature('gaza', 0, 4) // true
 */
export function wordSignature(lowered: string, start: number, end: number): number {
  const length = end - start;
  const c0 = lowered.charCodeAt(start) & 31;
  const c1 = length > 1 ? lowered.charCodeAt(start + 1) & 31 : 0;
  return ((length > 31 ? 31 : length) << 10) | (c0 << 5) | c1;
}

/**
 * Build the table for a set of words (ids in first-seen order).
 *
 * @example
 * const table = buildWordTable(['gaza', 'truce']);
 * lookupWord(table, 'the gaza truce', 4, 8) // 0
 */
export function buildWordTable(words: Iterable<string>): WordTable {
  const keys = [...new Set(words)];
  const buckets: number[][] = [];
  keys.forEach((key, id) => (buckets[wordSignature(key, 0, key.length)] ??= []).push(id));
  return { keys, byKey: new Map(keys.map((k, id) => [k, id])), buckets };
}

/**
 * The id of `lowered.slice(start, end)` in the table, or -1, without making the substring.
 *
 * @example
 * lookupWord(buildWordTable(['gaza']), 'in gaza', 3, 7) // 0
 */
export function lookupWord(table: WordTable, lowered: string, start: number, end: number): number {
  const bucket = table.buckets[wordSignature(lowered, start, end)];
  if (bucket === undefined) return -1;
  const length = end - start;
  for (const id of bucket) {
    const key = table.keys[id] as string;
    if (key.length === length && lowered.startsWith(key, start)) return id;
  }
  return -1;
}
