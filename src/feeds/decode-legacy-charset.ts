/**
 * Which legacy charset undeclared, non-UTF-8 feed bytes are in, when the answer is clear from the
 * bytes alone; otherwise none, and the caller falls back to windows-1252 (what a mislabelled "Latin-1"
 * feed really is, and the rule). Two cheap tests, no frequency tables:
 *
 * 1. Western text has few non-ASCII letters (`café`, `Straße`): a few percent of its letters. A large
 *    share of non-ASCII bytes means a non-Latin script; without it, windows-1252. This gate matters:
 *    French read as windows-1251 gives plausible lower-case Cyrillic (é → й).
 * 2. Each candidate decodes the bytes (strictly: an invalid sequence rules it out); the right one gives
 *    lower-case or caseless letters of one script, the wrong ones give symbols, a mix of scripts, or
 *    capitals (KOI8-R read as windows-1251 is nearly all upper case, and the reverse).
 *
 * Scripts that share a byte range without a case or structure signal cannot be told apart this way
 * (Greek, Hebrew, Arabic against windows-1251; GBK against Big5, both valid on each other's bytes
 * and both all Han), so they are not candidates: that needs character frequency tables.
 */

/** Candidates, most specific first: a tie goes to the earlier one. */
const CANDIDATES: readonly { label: string; euc?: boolean; kana?: boolean; thai?: boolean }[] = [
  // EUC-KR is two bytes per character, both in 0xA1–0xFE. The WHATWG decoder also accepts the wider
  // windows-949 range, which Shift_JIS and Big5 bytes would pass, so the narrow form is checked.
  { label: 'euc-kr', euc: true },
  // Japanese text always mixes kana with kanji; Chinese and Korean bytes read as Japanese give kanji
  // alone, which is how the two Japanese encodings are told from the others.
  { label: 'shift_jis', kana: true },
  { label: 'euc-jp', kana: true },
  { label: 'koi8-r' },
  { label: 'windows-1251' },
  // Thai spelling has a structure bytes in another encoding break: combining vowels and tone marks
  // follow a consonant (or another mark), and the leading vowels เ แ โ ใ ไ come before one.
  { label: 'tis-620', thai: true },
];

const MISPLACED_THAI = /(?:^|[^\u0e01-\u0e2e\p{M}])\p{M}|[\u0e40-\u0e44](?![\u0e01-\u0e2e])/u;

/** Share of kana among the non-ASCII characters of Japanese text: news prose measures 0.3–0.5. */
const MIN_KANA_SHARE = 0.1;

/**
 * Share of non-ASCII characters that must be lower-case or caseless letters of one script: real text
 * in the samples of each candidate scores above 0.9 (punctuation such as « », — and 、 costs the rest);
 * wrong decodings of it score below 0.6. 0.8 sits between.
 */
const MIN_SCRIPT_SHARE = 0.8;

/**
 * Share of non-ASCII bytes among letter bytes above which a document is in a non-Latin script (test
 * 1). Western documents of the feeds corpus that are not UTF-8 measure 0.003–0.04; the Korean,
 * Russian and Thai ones 0.59–0.72, and a small Shift_JIS feed with long ASCII URLs 0.27. Markup and
 * URLs are ASCII, so a real non-Latin feed sits well below its text's share: 0.15 leaves room both ways.
 */
const MIN_HIGH_BYTE_SHARE = 0.15;

/** Detection reads the start of the document: 64 KiB is hundreds of titles and descriptions. */
const SAMPLE_BYTES = 65_536;

const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Thai', 'Hangul', 'Hebrew', 'Arabic'].map(
  (name) => [name, new RegExp(String.raw`\p{Script=${name}}`, 'u')] as const,
);
// Japanese mixes kana and kanji in every sentence: one script for this purpose.
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
/** Half-width katakana is what Shift_JIS makes of EUC bytes; real text almost never uses it. */
const HALFWIDTH_KANA = /[\uff61-\uff9f]/;
const ASCII_LETTER = /^[A-Za-z]$/;
const LOWER_OR_CASELESS = /[\p{Ll}\p{Lo}\p{Lm}\p{M}]/u;

/**
 * The label of the legacy charset `bytes` are in, or null when nothing is clear (use windows-1252).
 *
 * @example
 * decodeLegacyCharset(koi8rBytes); // 'koi8-r'
 * decodeLegacyCharset(Buffer.from('caf\xe9', 'latin1')); // null
 */
export function decodeLegacyCharset(bytes: Uint8Array): string | null {
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  if (highByteShare(sample) < MIN_HIGH_BYTE_SHARE) return null;
  let best: { label: string; score: number } | null = null;
  for (const { label, euc, kana, thai } of CANDIDATES) {
    if (euc && !isEucPairs(sample)) continue;
    let text: string;
    try {
      // `stream` keeps a multi-byte character cut by the sample's end from counting as invalid.
      text = new TextDecoder(label, { fatal: true }).decode(sample, { stream: true });
    } catch {
      continue;
    }
    if (kana && kanaShare(text) < MIN_KANA_SHARE) continue;
    if (thai && MISPLACED_THAI.test(text)) continue;
    const score = scriptShare(text);
    if (score >= MIN_SCRIPT_SHARE && (!best || score > best.score)) best = { label, score };
  }
  return best?.label ?? null;
}

/** Every run of non-ASCII bytes is whole pairs of 0xA1–0xFE (a cut at the sample's end aside). */
function isEucPairs(bytes: Uint8Array): boolean {
  let run = 0;
  for (const b of bytes) {
    if (b < 0x80) {
      if (run % 2 !== 0) return false;
      run = 0;
    } else if (b < 0xa1 || b === 0xff) return false;
    else run++;
  }
  return true;
}

function kanaShare(text: string): number {
  let total = 0;
  let kana = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) continue;
    total++;
    if (/[\u3041-\u309f\u30a0-\u30ff]/.test(ch)) kana++;
  }
  return total === 0 ? 0 : kana / total;
}

/** Non-ASCII bytes as a share of letter bytes (ASCII letters and non-ASCII bytes). */
function highByteShare(bytes: Uint8Array): number {
  let ascii = 0;
  let high = 0;
  for (const b of bytes) {
    if (b >= 0x80) high++;
    else if ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a) ascii++;
  }
  return high + ascii === 0 ? 0 : high / (high + ascii);
}

function scriptShare(text: string): number {
  const chars = [...text];
  const counts = new Map<string, number>();
  let total = 0;
  chars.forEach((ch, i) => {
    if (ch.charCodeAt(0) < 0x80) return;
    total++;
    if (!LOWER_OR_CASELESS.test(ch) || HALFWIDTH_KANA.test(ch)) return;
    // An ASCII letter glued to a non-Latin letter is a trail byte read as ASCII: a wrong decoding.
    if (ASCII_LETTER.test(chars[i - 1] ?? '') || ASCII_LETTER.test(chars[i + 1] ?? '')) return;
    const script = CJK.test(ch) ? 'CJK' : (SCRIPTS.find(([, regex]) => regex.test(ch))?.[0] ?? 'other');
    counts.set(script, (counts.get(script) ?? 0) + 1);
  });
  return total === 0 ? 0 : Math.max(0, ...counts.values()) / total;
}
