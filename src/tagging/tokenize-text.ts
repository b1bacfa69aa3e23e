/**
 * Word tokens over folded text: runs of letters and digits (any script), plus the punctuation that can
 * belong to a name (`'` of possessives, `.` of "U.S.") or end a phrase (`,` `;` `:` `!` `?` `&`).
 * Hyphens, quotes, brackets and spaces only separate tokens, so "el-Sisi" reads as "el Sisi".
 */

export interface Tokens {
  count: number;
  start: Int32Array;
  end: Int32Array;
  /** Lower-cased token text (the trie key). */
  lower: string[];
  /** True for letter/digit tokens. */
  word: Uint8Array;
  /** True when a line break sits between this token and the previous one. */
  newlineBefore: Uint8Array;
}

const PUNCT = new Set(["'", '.', ',', ';', ':', '!', '?', '&']);
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
 * Split folded text into tokens.
 *
 * @example
 * tokenizeText("Turkey's al-Sisi").lower // ['turkey', "'", 's', 'al', 'sisi']
 */
export function tokenizeText(text: string): Tokens {
  const n = text.length;
  const cap = Math.max(16, n >> 2);
  let start = new Int32Array(cap);
  let end = new Int32Array(cap);
  let word = new Uint8Array(cap);
  let newlineBefore = new Uint8Array(cap);
  const lower: string[] = [];
  let count = 0;
  let sawNewline = false;
  const push = (s: number, e: number, isWord: boolean): void => {
    if (count === start.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (len: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      start = grow(start, (l) => new Int32Array(l));
      end = grow(end, (l) => new Int32Array(l));
      word = grow(word, (l) => new Uint8Array(l));
      newlineBefore = grow(newlineBefore, (l) => new Uint8Array(l));
    }
    start[count] = s;
    end[count] = e;
    word[count] = isWord ? 1 : 0;
    newlineBefore[count] = sawNewline ? 1 : 0;
    sawNewline = false;
    lower.push(text.slice(s, e).toLowerCase());
    count++;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWordCode(text, i, c)) {
      const s = i;
      i++;
      while (i < n && isWordCode(text, i, text.charCodeAt(i))) i++;
      push(s, i, true);
    } else {
      if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) sawNewline = true;
      else if (PUNCT.has(text[i] as string)) push(i, i + 1, false);
      i++;
    }
  }
  return {
    count,
    start: start.subarray(0, count),
    end: end.subarray(0, count),
    lower,
    word: word.subarray(0, count),
    newlineBefore: newlineBefore.subarray(0, count),
  };
}
