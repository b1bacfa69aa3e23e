/**
 * Which legacy charset undeclared, non-UTF-8 bytes are in, by character frequency: `chardet` (ICU's
 * detector: n-gram models for single-byte charsets, common-character tables for the CJK ones). Only
 * called once nothing was declared and the bytes are not UTF-8 (decode-text.ts); on short or mostly
 * ASCII input it can guess wrong, so it is fed the text that carries evidence and its answer is taken
 * only above {@link MIN_CONFIDENCE}, else windows-1252.
 *
 * What chardet reads (ICU has the same filter for markup, `enableInputFilter`; chardet does not):
 * - ASCII reads the same in every candidate, so only the non-ASCII bytes can tell charsets apart, but
 *   the Latin-alphabet n-gram models score English markup and ASCII words as evidence: Thai text with a
 *   few English words scored ISO-8859-1 above Thai on its whole bytes. So the script is decided on the
 *   words that hold a non-ASCII byte, markup and ASCII-only words left out.
 * - Latin charsets differ only in accented letters, which those words alone do not place in a language
 *   (Spanish "mañana Según Hamás" scored ISO-8859-2 first); when the words say Latin, the choice among
 *   Latin charsets is made on the whole text nodes holding them.
 */
import { analyse, type Match } from 'chardet';

/**
 * chardet's confidence (0–100) below which its answer is not taken. Its multi-byte recognisers report
 * exactly 10 when they have no evidence (at most ten valid double-byte pairs), and that is what a few
 * Western words looked like to Shift_JIS or Big5. Swept 0–30 over 2,232 windows (12–400 characters) of
 * news sentences in 13 charsets (14 Western, Central European and Turkish languages; Russian twice,
 * Greek, Thai, Hebrew, Arabic, Chinese twice, Japanese, Korean), each in a minimal RSS document: at 10
 * and below, 85 of 831 Western windows were read as another script; from 11 to 14 none were and 1,129
 * or 1,130 of the 1,401 others were read right (every miss shorter than 140 characters, Thai aside:
 * chardet's Thai model rarely wins); from 15 up, more of them fall back (1,114 at 20, 1,017 at 30).
 * 12 sits inside that plateau. The dev feeds corpus agrees: its KOI8-R, EUC-KR and TIS-620 feeds score
 * 69, 100 and 15.
 */
const MIN_CONFIDENCE = 12;

/** What an undecidable or Western document is: a mislabelled "Latin-1" is really windows-1252. */
const FALLBACK = 'windows-1252';

/** chardet's Latin-alphabet recognisers (Western, Central European, Turkish, Baltic, Vietnamese). */
const LATIN = new Set([
  'ISO-8859-1',
  'ISO-8859-2',
  'ISO-8859-9',
  'windows-1250',
  'windows-1252',
  'windows-1254',
  'windows-1257',
  'windows-1258',
]);

/** UTF-8/16/32 are decided before detection runs; ISO-2022 is 7-bit, so never what non-ASCII bytes are. */
const NOT_LEGACY = /^(?:UTF-|ASCII|ISO-2022|ISO_2022)/;

/**
 * Detection reads the start of the document (1 MiB gets past a page's head and scripts) and at most
 * 64 KiB of its text: thousands of words, where in the calibration above every window of 140
 * characters or more (Thai aside) was already read right.
 */
const SCAN_BYTES = 1 << 20;
const SAMPLE_CHARS = 1 << 16;

/**
 * The label of the charset `bytes` are most likely in (lower-case), or `windows-1252` when chardet is
 * not confident. Labels follow chardet's convention (the ISO name unless bytes 0x80–0x9F are used), with
 * two changes so the label is the charset decoding really uses: ISO-8859-8 becomes windows-1255 (its
 * superset, which Hebrew sites use: 0xA4 is ₪ there, ¤ in ISO-8859-8), and windows-874 is TIS-620 when
 * none of the bytes Microsoft added (0x80–0xA0) occur, the same convention chardet applies to the others.
 *
 * @example
 * detectCharset(iconv.encode('<title>הפסקת האש בעזה נכנסה לתוקף הבוקר</title>', 'windows-1255')); // 'windows-1255'
 * detectCharset(Buffer.from('<title>L\u00e9t\u00e9</title>', 'latin1')); // 'windows-1252' (too little to tell)
 */
export function detectCharset(bytes: Uint8Array): string {
  const nodes = textNodes(bytes.subarray(0, SCAN_BYTES));
  // Words end at ASCII space and punctuation below 0x40: never the second byte of a CJK character.
  const words = nodes.match(/[^ -/:-?]*[\x80-\xff][^ -/:-?]*/g) ?? [];
  const best = candidates(words.join(' '))[0];
  if (!best || best.confidence < MIN_CONFIDENCE) return FALLBACK;
  if (!LATIN.has(best.name)) return label(best.name, bytes);
  const latin = candidates(nodes).find((match) => LATIN.has(match.name));
  return latin && latin.confidence >= MIN_CONFIDENCE ? label(latin.name, bytes) : FALLBACK;
}

/**
 * The text between tags that holds a non-ASCII byte, one character per byte (latin1) so it can go back to
 * bytes unchanged. CDATA markers go first (an RSS description is often all CDATA), then comments, tags
 * and character references. `<`, `>`, `&` and `;` are never the second byte of a Shift_JIS, Big5, GBK or
 * EUC character (those start at 0x40), so no character is cut.
 */
function textNodes(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const withoutMarkup = text.replace(/<!\[CDATA\[|\]\]>/g, ' ').replace(/<!--[\s\S]*?-->/g, ' ');
  return (
    withoutMarkup
      .split(/<[^>]*>/)
      .filter((node) => /[\x80-\xff]/.test(node))
      // Not `\s`: it matches U+00A0, which is byte 0xA0 here, part of many legacy characters.
      .map((node) => node.replace(/&#?\w+;/g, ' ').replace(/[\t\n\v\f\r ]+/g, ' '))
      .join(' ')
      .slice(0, SAMPLE_CHARS)
  );
}

function candidates(sample: string): Match[] {
  if (!/[\x80-\xff]/.test(sample)) return [];
  return analyse(Buffer.from(sample, 'latin1')).filter((match) => !NOT_LEGACY.test(match.name));
}

function label(name: string, bytes: Uint8Array): string {
  if (name === 'ISO-8859-8') return 'windows-1255';
  if (name === 'windows-874' && !bytes.some((b) => b >= 0x80 && b <= 0xa0)) return 'tis-620';
  return name.toLowerCase();
}
