/**
 * Bytes → text for feeds and pages alike, in the order XML and HTML define it: a byte-order mark, then
 * the labels the caller found declared (HTTP `charset`, XML declaration, `<meta charset>`), in its order
 * of precedence, then UTF-8 when the bytes are valid UTF-8, then the charset {@link detectCharset}
 * finds. Labels mean what they mean to browsers (the WHATWG Encoding Standard: `iso-8859-1` and
 * `us-ascii` are windows-1252, `gb2312` is GBK), and `iconv-lite` does the decoding: Node 20's
 * `TextDecoder('windows-1252')` gives C1 controls for 0x80–0x9F (FACTS.md), an em dash becoming U+0097.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { detectCharset } from './detect-charset.ts';

export interface DecodedText {
  text: string;
  /** The charset used, lower-case, as labelled by the source when it named one (e.g. `us-ascii`). */
  encoding: string;
}

/** Byte-order marks, longest first so UTF-32LE's FF FE 00 00 wins over UTF-16LE's FF FE. */
const BOMS: readonly (readonly [string, readonly number[]])[] = [
  ['utf-32be', [0x00, 0x00, 0xfe, 0xff]],
  ['utf-32le', [0xff, 0xfe, 0x00, 0x00]],
  ['utf-8', [0xef, 0xbb, 0xbf]],
  ['utf-16be', [0xfe, 0xff]],
  ['utf-16le', [0xff, 0xfe]],
];

/**
 * Decode `bytes`: by their byte-order mark, else the first of `declared` that names a charset we know,
 * else UTF-8 when they are valid UTF-8, else the detected charset. Never throws: undecodable bytes
 * become U+FFFD.
 *
 * @example
 * decodeText(bytes, ['windows-1252']); // { text: 'Gaza — “truce”', encoding: 'windows-1252' }
 * decodeText(iconv.encode('<title>وقف إطلاق النار في غزة</title>', 'windows-1256'), []).encoding; // 'windows-1256'
 */
export function decodeText(bytes: Uint8Array, declared: readonly (string | null | undefined)[]): DecodedText {
  const bom = BOMS.find(([, mark]) => mark.every((b, i) => bytes[i] === b));
  if (bom) return decodeAs(bytes.subarray(bom[1].length), bom[0]);
  const label = declared.find((candidate) => candidate && encodingFor(candidate));
  if (label) return decodeAs(bytes, label);
  return decodeAs(bytes, isUtf8(bytes) ? 'utf-8' : detectCharset(bytes));
}

/**
 * The `charset` parameter of a Content-Type value, unquoted and lower-case.
 *
 * @example
 * charsetFromContentType("application/rss+xml;charset= 'ISO-8859-1'"); // 'iso-8859-1'
 */
export function charsetFromContentType(contentType: string | null | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

/**
 * The encoding a label names: its WHATWG meaning when it has one, else an iconv-lite name (UTF-32 and a
 * few labels browsers dropped, such as `iso-8859-16`), else null. `TextDecoder` is the only API that
 * resolves WHATWG labels, and it says "unknown" by throwing.
 */
function encodingFor(label: string): string | null {
  const key = label.trim().toLowerCase();
  try {
    return new TextDecoder(key).encoding;
  } catch {
    return iconv.encodingExists(key) ? key : null;
  }
}

function decodeAs(bytes: Uint8Array, label: string): DecodedText {
  const encoding = encodingFor(label) ?? 'utf-8';
  // iconv-lite lacks the two WHATWG encodings that remain (iso-2022-jp, x-mac-cyrillic); Node's are right.
  const text = iconv.encodingExists(encoding)
    ? iconv.decode(bytes, encoding, { stripBOM: false })
    : new TextDecoder(encoding).decode(bytes);
  return { text: demoronize(text), encoding: label.trim().toLowerCase() };
}

/** What windows-1252 has at 0x80–0x9F, from iconv-lite's table (U+FFFD where it has nothing). */
const WINDOWS_1252_HIGH = iconv.decode(
  Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i),
  'windows-1252',
);

/**
 * C1 control characters (U+0080–U+009F) never belong in text; when present they are windows-1252
 * punctuation (’ “ ” –) that went through a Latin-1 → UTF-8 conversion, so map them back. The five
 * bytes windows-1252 leaves unassigned stay as they are.
 */
function demoronize(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (ch) => {
    const mapped = WINDOWS_1252_HIGH[ch.charCodeAt(0) - 0x80];
    return mapped && mapped !== '\ufffd' ? mapped : ch;
  });
}
