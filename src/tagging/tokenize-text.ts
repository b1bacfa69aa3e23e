/**
 * Word tokens over folded text: runs of letters and digits (any script), plus the punctuation that can
 * belong to a name (`.` of "U.S.") or end a phrase (`,` `;` `:` `!` `?` `&`).
 * Hyphens, quotes, brackets and spaces only separate tokens, so "el-Sisi" reads as "el Sisi".
 *
 * Possessives are folded into one token `'s`: "Turkey's", "Hamas's" and "Hamas'" all read as
 * `<name> 's`, so a watchlist writes one spelling of a possessive title and matches all three.
 * A lone apostrophe that is not a possessive (an opening quote) is the token `'`.
 */

import { lookupWord, type WordTable } from './word-table.ts';

export interface Tokens {
  count: number;
  start: readonly number[];
  end: readonly number[];
  /**
   * Lower-cased token text. Tokenized with a word table, a word the table does not know is '' (read
   * it with `tokenText`): nothing compares it, and cutting a string per word cost a tenth of tagging.
   */
  lower: string[];
  /** Word-table id of each token (-1: not in the table, or no table given). */
  id: readonly number[];
  /** True for letter/digit tokens. */
  word: readonly number[];
  /** True when a line break sits between this token and the previous one. */
  newlineBefore: readonly number[];
}

/** The possessive token ("'s", "s'" endings). */
export const POSSESSIVE = "'s";

/** Punctuation kept as tokens (by char code): ' . , ; : ! ? & */
const PUNCT = new Uint8Array(128);
for (const c of "'.,;:!?&") PUNCT[c.charCodeAt(0)] = 1;
const APOSTROPHE = 39;

const letterCache = new Map<number, boolean>();
const LETTER = /[\p{L}\p{N}]/u;

function isWordCode(text: string, i: number, c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  let known = letterCache.get(c);
  if (known === undefined) {
    known = LETTER.test(text[i] as string);
    letterCache.set(c, known);
  }
  return known;
}

/**
 * The lower-cased text of token `i`, whatever the tokenizing mode.
 *
 * @example
 * tokenText('in Gaza', tokenizeText('in Gaza', table), 0) // 'in' (even if `lower[0]` is '')
 */
export function tokenText(text: string, tokens: Tokens, i: number): string {
  if (i < 0 || i >= tokens.count) return '';
  return tokens.lower[i] || text.slice(tokens.start[i], tokens.end[i]).toLowerCase();
}

const PUNCT_STRINGS: string[] = [];
for (const c of "'.,;:!?&") PUNCT_STRINGS[c.charCodeAt(0)] = c;

/**
 * Split folded text into tokens; with a word table, also look up each word's id.
 *
 * @example
 * tokenizeText("Turkey's al-Sisi").lower // ['turkey', "'s", 'al', 'sisi']
 * tokenizeText('in Gaza', table).id // [-1, table.byKey.get('gaza')]
 */
export function tokenizeText(text: string, table?: WordTable): Tokens {
  const n = text.length;
  // Lower-case once for the whole text; per-token toLowerCase was a fifth of the tagging time. A
  // character whose lower case has another length (rare outside Turkish İ, folded already) falls back.
  const lowered = text.toLowerCase();
  const sameLength = lowered.length === n;
  // Plain arrays, not typed ones: allocating five zero-filled typed arrays per field cost more than
  // the whole scan of a short title. No per-token closure either: V8 did not inline it.
  const start: number[] = [];
  const end: number[] = [];
  const word: number[] = [];
  const newlineBefore: number[] = [];
  const ids: number[] = [];
  const lower: string[] = [];
  let count = 0;
  let sawNewline = false;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const s = i;
    let e: number;
    let key: string | null = null;
    let isWord = false;
    let id = -1;
    if (isWordCode(text, i, c)) {
      i++;
      while (i < n && isWordCode(text, i, text.charCodeAt(i))) i++;
      e = i;
      isWord = true;
    } else if (c === APOSTROPHE && i > 0 && isWordCode(text, i - 1, text.charCodeAt(i - 1))) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
      const afterNext = i + 2 < n ? text.charCodeAt(i + 2) : -1;
      const prev = text.charCodeAt(i - 1);
      if ((next === 115 || next === 83) && (afterNext === -1 || !isWordCode(text, i + 2, afterNext))) {
        // "Turkey's": the apostrophe, an s, and no further letter ("Turkey'sx" is not a possessive).
        e = i + 2;
        key = POSSESSIVE;
      } else if ((prev === 115 || prev === 83) && (next === -1 || !isWordCode(text, i + 1, next))) {
        // "Hamas'": an apostrophe after a final s, not followed by a letter.
        e = i + 1;
        key = POSSESSIVE;
      } else {
        e = i + 1;
        key = "'";
      }
      i = e;
    } else {
      i++;
      if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) sawNewline = true;
      if (c >= 128 || PUNCT[c] !== 1) continue;
      e = i;
      key = PUNCT_STRINGS[c] as string;
    }
    start.push(s);
    end.push(e);
    word.push(isWord ? 1 : 0);
    newlineBefore.push(sawNewline ? 1 : 0);
    sawNewline = false;
    if (table !== undefined && isWord && sameLength) {
      // Compare in place with the table's words of the same signature: no string cut, no hashing.
      id = lookupWord(table, lowered, s, e);
      if (id >= 0) key = table.keys[id] as string;
    }
    if (table !== undefined && isWord && sameLength) {
      // A word the watchlist does not know is never compared: leave it unspelled (see `lower`).
      lower.push(key ?? '');
    } else {
      const lowerText = key ?? (sameLength ? lowered.slice(s, e) : text.slice(s, e).toLowerCase());
      lower.push(lowerText);
      if (table !== undefined) id = table.byKey.get(lowerText) ?? -1;
    }
    ids.push(id);
    count++;
  }
  return { count, start, end, lower, word, newlineBefore, id: ids };
}
