/**
 * Text from feeds and pages without the characters that break what comes after it. PostgreSQL `text`
 * and `jsonb` reject U+0000 (`invalid byte sequence for encoding "UTF8": 0x00`), which lost the whole
 * item; the other C0 and C1 controls (ESC starts a terminal escape sequence, U+009B is its 8-bit form)
 * and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: a title
 * holding U+202E shows its end reversed, and the rest of an alert line after it) are never text anyone
 * wrote to be read. Tab and line breaks stay where text uses them; the bidi marks (U+200E, U+200F,
 * U+061C), which Hebrew and Arabic text does use, stay everywhere.
 */

/** C0 controls except tab, LF and CR; DEL; C1 controls; bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const UNWANTED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
/** Line breaks and tabs, for text that must stay on one line. */
const LINE_BREAKS = /[\t\n\r\u2028\u2029]+/g;

/**
 * `text` without control characters; with `oneLine`, line breaks and tabs become a space too (titles,
 * which alerts show on one line and email puts in a header).
 *
 * @example
 * stripControlCharacters('Truce\u0000 holds\u001b[31m'); // 'Truce holds[31m'
 * stripControlCharacters('Truce\r\nBcc: x@example.org', { oneLine: true }); // 'Truce Bcc: x@example.org'
 */
export function stripControlCharacters(text: string, opts: { oneLine?: boolean } = {}): string {
  const kept = text.replace(UNWANTED, '');
  return opts.oneLine ? kept.replace(LINE_BREAKS, ' ') : kept;
}
