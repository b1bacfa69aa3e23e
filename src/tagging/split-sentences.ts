/**
 * Sentence boundaries over tokens: a line break, or `.`/`!`/`?` followed by a capital, digit or quote —
 * except after an abbreviation or an initial ("U.S. President", "Mr. Putin", "Oct. 10").
 */
import { tokenText, type Tokens } from './tokenize-text.ts';

/** Abbreviations after which a period does not end a sentence (lower case, without the period). */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'st',
  'jr',
  'sr',
  'gov',
  'gen',
  'lt',
  'col',
  'sgt',
  'capt',
  'rep',
  'sen',
  'prof',
  'jan',
  'feb',
  'mar',
  'apr',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'no',
  'vs',
  'etc',
  'inc',
  'corp',
  'co',
  'ltd',
  'rev',
  'adm',
  'maj',
  'cpl',
  'pvt',
  'dept',
  'est',
  'approx',
]);

export interface Sentences {
  /** Sentence index of each token. */
  ofToken: Int32Array;
  /** Per sentence, its first and last+1 token. */
  firstToken: number[];
  endToken: number[];
}

/**
 * Split a tokenized text into sentences.
 *
 * @example
 * splitSentences(folded, tokenizeText(folded)).firstToken.length // number of sentences
 */
export function splitSentences(text: string, tokens: Tokens): Sentences {
  const ofToken = new Int32Array(tokens.count);
  const firstToken: number[] = [];
  const endToken: number[] = [];
  let current = -1;
  let breakPending = true;
  for (let i = 0; i < tokens.count; i++) {
    if (breakPending || tokens.newlineBefore[i]) {
      if (current >= 0) endToken[current] = i;
      current++;
      firstToken.push(i);
      endToken.push(tokens.count);
    }
    breakPending = false;
    ofToken[i] = current;
    const t = tokens.lower[i];
    if (t === '.' || t === '!' || t === '?') {
      const next = i + 1 < tokens.count ? text.charCodeAt(tokens.start[i + 1] as number) : -1;
      // What follows must open a sentence: a capital or a digit (quotes are separators, so skipped).
      const opens = next === -1 || (next >= 65 && next <= 90) || (next >= 48 && next <= 57) || next > 127;
      // Only a period after a word needs that word's text: an initial ("U.") or an abbreviation.
      let afterAbbreviation = false;
      if (t === '.' && i > 0 && tokens.word[i - 1] === 1) {
        const length = (tokens.end[i - 1] as number) - (tokens.start[i - 1] as number);
        afterAbbreviation = length === 1 || ABBREVIATIONS.has(tokenText(text, tokens, i - 1));
      }
      if (opens && !afterAbbreviation) breakPending = true;
    }
  }
  return { ofToken, firstToken, endToken };
}
