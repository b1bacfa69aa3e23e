/**
 * Page bytes → text, as the HTML standard's encoding sniffing does it: a byte-order mark, then the HTTP
 * `charset`, then a `<meta charset>` (or http-equiv) within the first 1024 bytes, then UTF-8 when the
 * bytes are valid UTF-8, else the charset detected from the bytes (windows-1252 when detection is
 * unsure). Unknown labels are skipped; bad bytes become U+FFFD and never throw. The decoding is shared
 * with feeds (src/feeds/decode-text.ts), where the same charsets arrive the same ways.
 */
import { charsetFromContentType, decodeText } from '../feeds/decode-text.ts';

const PRESCAN_BYTES = 1024; // the HTML standard's encoding prescan window

function charsetFromMeta(head: string): string | undefined {
  const label = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1]?.toLowerCase();
  // The standard reads a UTF-16 label found in ASCII-compatible bytes as UTF-8: the bytes disprove it.
  return label && /^(utf-?16|ucs-?2)/.test(label) ? 'utf-8' : label;
}

/**
 * @example
 * decodePage(bytes, 'text/html; charset=windows-1252'); // '<html>… Gaza — “truce” …'
 */
export function decodePage(bytes: Uint8Array, contentType?: string): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, PRESCAN_BYTES));
  return decodeText(bytes, [charsetFromContentType(contentType), charsetFromMeta(head)]).text;
}
