/**
 * HTML character references, for the places where feeds carry HTML inside XML: HTML entities
 * (`&acirc;`) that strict XML parsers reject, and titles that arrive as escaped HTML. No entity package
 * is a direct dependency, so the HTML5 table comes from jsdom's parser, asked once per name and cached.
 */
import { JSDOM } from 'jsdom';

/** The five entities XML defines itself; everything else must be declared or is an error. */
export const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

const cache = new Map<string, string | null>();

/**
 * The text of the HTML named character reference `&name;`, or null when HTML does not define it.
 *
 * @example
 * htmlEntity('acirc'); // 'â'
 * htmlEntity('doesnotexist'); // null
 */
export function htmlEntity(name: string): string | null {
  let value = cache.get(name);
  if (value === undefined) {
    const reference = `&${name};`;
    const decoded = JSDOM.fragment(reference).textContent ?? reference;
    // HTML also resolves legacy names without the semicolon (`&notit;` → `¬it;`): only a whole match counts.
    value = decoded === reference || decoded.endsWith(';') ? null : decoded;
    cache.set(name, value);
  }
  return value;
}

/**
 * Decode numeric and named character references; unknown names stay as they are, as browsers do.
 *
 * @example
 * decodeEntities('Don&#8217;t &amp; &eacute;t&eacute; &bogus;'); // 'Don’t & été &bogus;'
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g,
    (whole, dec, hex, name) => {
      if (name) return htmlEntity(name) ?? whole;
      const code = dec ? Number(dec) : parseInt(hex, 16);
      const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      return valid ? String.fromCodePoint(code) : '\ufffd';
    },
  );
}
