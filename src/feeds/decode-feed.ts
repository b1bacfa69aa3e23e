/**
 * Bytes → text for a feed document. rss-parser takes a string and never reads the BOM or the XML
 * declaration (FACTS.md), so the charset decision is ours, in the order XML and HTTP define it:
 * byte-order mark, HTTP `charset`, the UTF-16/32 byte patterns of `<?` without a BOM, the XML
 * declaration, then UTF-8 when the bytes are valid UTF-8, else the charset detected from the bytes
 * (windows-1252 when detection is unsure). The decoding itself is shared with pages: decode-text.ts.
 */
import { charsetFromContentType, decodeText, type DecodedText } from './decode-text.ts';

export type DecodedFeed = DecodedText;

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
  const wide = WIDE_PATTERNS.find(([, mark]) => mark.every((b, i) => bytes[i] === b))?.[0];
  const declared = declaredEncoding(bytes);
  // "utf-16"/"utf-32" declared over 8-bit bytes is a lie the byte patterns would have caught.
  const usable = declared && !/^(utf-?16|utf-?32|ucs-?2)/.test(declared) ? declared : undefined;
  return decodeText(bytes, [charsetFromContentType(contentType), wide, usable]);
}

function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, DECLARATION_WINDOW_BYTES));
  const match = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return match?.[1]?.toLowerCase();
}
