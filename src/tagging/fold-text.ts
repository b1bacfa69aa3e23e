/**
 * Folding for matching: diacritics off (Erdoğan → Erdogan, decomposed or composed Türkiye → Turkiye),
 * curly quotes and primes to ASCII quotes, every dash to "-", exotic spaces to " ", invisible characters
 * removed. Applied to both aliases and article text, so offsets must survive: `offsets[i]` is the original
 * UTF-16 offset of folded character `i` (and `offsets[folded.length]` the original length).
 */

export interface FoldedText {
  text: string;
  /** Folded index → original index; null when the folding kept every offset (the common ASCII case). */
  offsets: Int32Array | null;
}

/** Characters NFD does not decompose, or that need a different ASCII stand-in. */
const SPECIAL: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u02BC': "'",
  '\u00B4': "'",
  '`': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u201F': '"',
  '\u2033': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\uFE58': '-',
  '\uFE63': '-',
  '\uFF0D': '-',
  '\u00A0': ' ',
  '\u2007': ' ',
  '\u202F': ' ',
  '\u3000': ' ',
  '\u00AD': '',
  '\u200B': '',
  '\u200C': '',
  '\u200D': '',
  '\u2060': '',
  '\uFEFF': '',
  ı: 'i',
  İ: 'I',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ø: 'o',
  Ø: 'O',
  ß: 'ss',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  þ: 'th',
  Þ: 'Th',
};

const cache = new Map<string, string>();
const COMBINING = /\p{M}/gu;

function foldChar(ch: string): string {
  let out = cache.get(ch);
  if (out !== undefined) return out;
  const special = SPECIAL[ch];
  if (special !== undefined) out = special;
  else if (ch >= '\u2000' && ch <= '\u200A') out = ' ';
  else out = ch.normalize('NFD').replace(COMBINING, '');
  cache.set(ch, out);
  return out;
}

/**
 * Fold a string for matching, keeping a map back to the original offsets.
 *
 * @example
 * foldText('Erdoğan’s') // { text: "Erdogan's", offsets: null }
 * foldText('Tu\u0308rkiye').text // 'Turkiye' (offsets maps 2 → 3)
 */
export function foldText(original: string): FoldedText {
  const n = original.length;
  // Fast path: pure printable ASCII except the backtick needs nothing.
  let i = 0;
  for (; i < n; i++) {
    const c = original.charCodeAt(i);
    if (c > 126 || c === 96) break;
  }
  if (i === n) return { text: original, offsets: null };

  // Copy unchanged runs as slices; most texts only swap curly quotes and dashes one for one, so the
  // offsets map is built only when some folding changed the length.
  // Parts joined once: `+=` would leave a rope that every later charCodeAt walks through.
  const parts: string[] = [];
  let length = 0;
  let runStart = 0;
  let sameLength = true;
  // Original index of each folded character, filled only for the changed characters' positions.
  const changes: { at: number; original: number; width: number; out: string }[] = [];
  for (; i < n; i++) {
    const code = original.charCodeAt(i);
    if (code < 127 && code !== 96) continue;
    let width = 1;
    // Keep surrogate pairs together (they are never folded, but must not be split).
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < n) width = 2;
    const ch = width === 1 ? (original[i] as string) : original.slice(i, i + 2);
    const out = foldChar(ch);
    if (out === ch) {
      i += width - 1;
      continue;
    }
    parts.push(original.slice(runStart, i), out);
    length += i - runStart + out.length;
    if (out.length !== width) sameLength = false;
    changes.push({ at: length - out.length, original: i, width, out });
    i += width - 1;
    runStart = i + 1;
  }
  parts.push(original.slice(runStart));
  const text = parts.join('');
  if (sameLength) return { text, offsets: null };

  const offsets = new Int32Array(text.length + 1);
  let folded = 0;
  let from = 0;
  for (const change of changes) {
    // Unchanged run before the change: one to one.
    const shift = from - folded;
    for (; folded < change.at; folded++) offsets[folded] = folded + shift;
    for (let k = 0; k < change.out.length; k++) offsets[folded++] = change.original;
    from = change.original + change.width;
  }
  const shift = from - folded;
  for (; folded < text.length; folded++) offsets[folded] = folded + shift;
  offsets[text.length] = n;
  return { text, offsets };
}

/** Map a folded [start, end) range back to the original string. */
export function originalRange(folded: FoldedText, start: number, end: number): [number, number] {
  if (!folded.offsets) return [start, end];
  const o = folded.offsets;
  const s = o[start] ?? 0;
  // The end maps to just after the last folded character's original character.
  const lastOriginal = end > start ? (o[end - 1] ?? 0) : s;
  let e = o[end] ?? lastOriginal + 1;
  if (e <= lastOriginal) e = lastOriginal + 1;
  return [s, e];
}
