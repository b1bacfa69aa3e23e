/**
 * Relative URLs inside feed HTML made absolute: a summary or content is shown, stored and extracted
 * away from the document it came from, where `href="/news/1"` means nothing. `href`, `src`, `poster`
 * and each candidate of `srcset` are resolved against the base in force (`xml:base`, else the document
 * URL). Absolute URLs and fragments-only references are left as written.
 */

const URL_ATTRIBUTE = /(\s(?:href|src|poster)\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi;
const SRCSET_ATTRIBUTE = /(\ssrcset\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi;

/**
 * `html` with its relative `href`/`src`/`poster`/`srcset` URLs resolved against `base`.
 *
 * @example
 * repairRelativeUrls('<a href="/a">x</a><img srcset="s.jpg 1x, l.jpg 2x">', 'https://ex.com/n/');
 * // '<a href="https://ex.com/a">x</a><img srcset="https://ex.com/n/s.jpg 1x, https://ex.com/n/l.jpg 2x">'
 */
export function repairRelativeUrls(html: string, base: string): string {
  if (!/\s(?:href|src|poster|srcset)\s*=/i.test(html)) return html;
  return html
    .replace(URL_ATTRIBUTE, (whole, prefix: string, double?: string, single?: string) => {
      const value = double ?? single ?? '';
      const quote = double === undefined ? "'" : '"';
      return `${prefix}${quote}${resolveReference(value, base)}${quote}`;
    })
    .replace(SRCSET_ATTRIBUTE, (whole, prefix: string, double?: string, single?: string) => {
      const value = double ?? single ?? '';
      const quote = double === undefined ? "'" : '"';
      // Candidates are "URL descriptor?" separated by commas; a URL itself may hold commas only
      // when followed by a non-space, which is why the split wants ", " or a comma before a URL.
      const candidates = value.split(/,(?=\s|$)/).map((candidate) => {
        const match = /^(\s*)(\S+)(.*)$/s.exec(candidate);
        if (!match) return candidate;
        return `${match[1] ?? ''}${resolveReference(match[2] ?? '', base)}${match[3] ?? ''}`;
      });
      return `${prefix}${quote}${candidates.join(',')}${quote}`;
    });
}

/**
 * A relative reference resolved; absolute ones, fragments and unparseable ones as written. Characters
 * the author wrote unescaped (`À`) stay unescaped, as an IRI: the HTML is read by people and browsers,
 * and `new URL()` would percent-encode them.
 */
function resolveReference(value: string, base: string): string {
  const trimmed = value.trim();
  if (!trimmed || trimmed.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return value;
  let resolved: string;
  try {
    resolved = new URL(trimmed, base).href;
  } catch {
    return value;
  }
  if (!/[^\p{ASCII}]/u.test(trimmed) || trimmed.includes('%')) return resolved;
  return resolved.replace(/(?:%[89A-F][0-9A-F])+/gi, (escaped) => {
    try {
      return decodeURIComponent(escaped);
    } catch {
      return escaped;
    }
  });
}
