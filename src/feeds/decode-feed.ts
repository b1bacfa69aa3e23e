/**
 * Bytes → text for a feed document. rss-parser takes a string and never reads the BOM or the XML
 * declaration (FACTS.md), so the charset decision is ours, in the order XML and HTTP define it:
 * byte-order mark, HTTP `charset`, the XML declaration (under UTF-16/32 byte patterns when present), then
 * UTF-8 when the bytes are valid UTF-8, else a legacy charset when the bytes clearly are one
 * ({@link decodeLegacyCharset}: Korean, Japanese, Russian, Thai), else windows-1252 (what a mislabelled
 * "Latin-1" feed really is).
 */
import { decodeLegacyCharset } from './decode-legacy-charset.ts';

export interface DecodedFeed {
  text: string;
  /** The charset used, lower-case, as labelled by the source when it named one (e.g. `us-ascii`). */
  encoding: string;
}

type Utf32 = 'utf-32be' | 'utf-32le';

/** Byte-order marks, longest first so UTF-32LE's FF FE 00 00 wins over UTF-16LE's FF FE. */
const BOMS: readonly (readonly [string, readonly number[]])[] = [
  ['utf-32be', [0x00, 0x00, 0xfe, 0xff]],
  ['utf-32le', [0xff, 0xfe, 0x00, 0x00]],
  ['utf-8', [0xef, 0xbb, 0xbf]],
  ['utf-16be', [0xfe, 0xff]],
  ['utf-16le', [0xff, 0xfe]],
];

/** `<?` in each wide encoding, for documents without a BOM (XML 1.0 Appendix F). */
const WIDE_PATTERNS: readonly (readonly [string, readonly number[]])[] = [
  ['utf-32be', [0x00, 0x00, 0x00, 0x3c]],
  ['utf-32le', [0x3c, 0x00, 0x00, 0x00]],
  ['utf-16be', [0x00, 0x3c, 0x00, 0x3f]],
  ['utf-16le', [0x3c, 0x00, 0x3f, 0x00]],
];

/** How far into the document to look for the XML declaration; it must come first, 1 KiB is generous. */
const DECLARATION_WINDOW_BYTES = 1024;

/**
 * Decode a feed's bytes. Never throws: undecodable bytes become U+FFFD.
 *
 * @example
 * decodeFeed(bytes, 'application/rss+xml; charset=ISO-8859-1'); // { text: '<?xml …', encoding: 'iso-8859-1' }
 * decodeFeed(new TextEncoder().encode('<rss/>')); // { text: '<rss/>', encoding: 'utf-8' }
 */
export function decodeFeed(bytes: Uint8Array, contentType?: string): DecodedFeed {
  const bom = BOMS.find(([, mark]) => startsWith(bytes, mark));
  if (bom) return decodeAs(bytes.subarray(bom[1].length), bom[0]);

  const httpCharset = charsetFromContentType(contentType);
  if (httpCharset && isSupported(httpCharset)) return decodeAs(bytes, httpCharset);

  const wide = WIDE_PATTERNS.find(([, mark]) => startsWith(bytes, mark))?.[0];
  if (wide) return decodeAs(bytes, wide);

  const declared = declaredEncoding(bytes);
  // "utf-16"/"utf-32" declared over 8-bit bytes is a lie the byte patterns above would have caught.
  if (declared && isSupported(declared) && !/^(utf-?16|utf-?32|ucs-?2)/.test(declared)) {
    return decodeAs(bytes, declared);
  }

  try {
    return { text: demoronize(new TextDecoder('utf-8', { fatal: true }).decode(bytes)), encoding: 'utf-8' };
  } catch {
    return decodeAs(bytes, decodeLegacyCharset(bytes) ?? 'windows-1252');
  }
}

/** The `charset` parameter of a Content-Type value, unquoted and lower-case. */
function charsetFromContentType(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, DECLARATION_WINDOW_BYTES));
  const match = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return match?.[1]?.toLowerCase();
}

function isSupported(label: string): boolean {
  if (isUtf32(label)) return true;
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

function decodeAs(bytes: Uint8Array, label: string): DecodedFeed {
  const text = isUtf32(label) ? decodeUtf32(bytes, label) : new TextDecoder(label).decode(bytes);
  return { text: demoronize(text), encoding: label };
}

/**
 * windows-1252's characters at 0x80–0x9F (the five unassigned bytes stay C1), which Unicode has as C1
 * controls. Written out because Node 20's `TextDecoder('windows-1252')` decodes these bytes as Latin-1
 * (0x92 → U+0092, not ’): measured on Node 20.20.
 */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * C1 control characters (U+0080–U+009F) never belong in a feed; when present they are windows-1252
 * punctuation (’ “ ” –) that went through a Latin-1 → UTF-8 conversion, so map them back.
 */
function demoronize(text: string): string {
  return text.replace(
    /[\u0080-\u008c\u008e\u0091-\u009c\u009e\u009f]/g,
    (ch) => WINDOWS_1252_C1[ch.charCodeAt(0) - 0x80] ?? ch,
  );
}

function isUtf32(label: string): label is Utf32 {
  return label === 'utf-32be' || label === 'utf-32le';
}

/** WHATWG TextDecoder has no UTF-32; feedparser's corpus does, so decode it by hand. */
function decodeUtf32(bytes: Uint8Array, label: Utf32): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const littleEndian = label === 'utf-32le';
  const parts: string[] = [];
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) {
    const code = view.getUint32(offset, littleEndian);
    const valid = code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    parts.push(String.fromCodePoint(valid ? code : 0xfffd));
  }
  if (bytes.length % 4 !== 0) parts.push('\ufffd');
  return parts.join('');
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}
