/**
 * Make HTML-flavoured XML acceptable to a strict XML parser without changing its meaning, and say what
 * was changed: junk before the XML declaration (a PHP warning, a blank line, a stray comment) is
 * dropped, HTML named entities (`&eacute;`) become numeric references, undefined ones and bare `&`
 * become literal text (`&amp;`). CDATA sections, comments and the DOCTYPE are left alone. DOCTYPE-declared
 * entities with plain-text values are substituted, never expanded recursively, which also defuses
 * billion-laughs documents, and only up to a budget, which defuses one large entity referenced many
 * times; external entities (XXE) are never read.
 */
import { htmlEntity, XML_ENTITIES } from './decode-entities.ts';

export interface RepairedXml {
  text: string;
  /** One phrase per kind of repair applied, in the order applied; empty when the text was fine. */
  repairs: string[];
}

/** The DOCTYPE comes before the root element; 64 KiB covers any real internal subset. */
const DOCTYPE_WINDOW_CHARS = 65_536;

/**
 * Most characters declared entities may add to a document in all: as many as the document holds, and
 * at least 64 KiB. Real feeds declare short values (`tag:example.com,`) used once per item, far below.
 * Without a budget one entity of 60,000 characters referenced 5,000 times (a 75 KB feed, the
 * "quadratic blowup") expanded to 300 MB and took 2.5 GB of memory in `run --once` (measured:
 * tests/hostile/bombs.test.ts). libxml2 refuses an amplification above 5 by default, expat above 100
 * past 8 MiB; past this budget a reference stays literal text, like an undefined one.
 */
const MIN_ENTITY_EXPANSION_CHARS = 65_536;

/**
 * Repair `text` (see the file comment).
 *
 * @example
 * repairXml('\n<?xml version="1.0"?><rss><title>Caf&eacute; & bar</title></rss>');
 * // { text: '<?xml version="1.0"?><rss><title>Caf&#233; &amp; bar</title></rss>',
 * //   repairs: ['HTML entities replaced', 'bare & escaped'] }
 */
export function repairXml(text: string): RepairedXml {
  const repairs = new Set<string>();
  let body = text.trimStart();
  const declaration = body.search(/<\?xml\s/);
  // Only a declaration before the root element counts: `<?xml` quoted in an item's text does not.
  const root = body.search(/<(?:[\w.-]+:)?(?:rss|feed|RDF)[\s>]/i);
  if (declaration > 0 && (root === -1 || declaration < root)) {
    // Anything before the declaration is not XML; whitespace alone is not worth reporting.
    repairs.add('junk before XML declaration');
    body = body.slice(declaration);
  }
  const declared = declaredEntities(body);
  let budget = Math.max(MIN_ENTITY_EXPANSION_CHARS, body.length);
  body = body.replace(
    /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>|&(#\d+;|#x[0-9a-f]+;|[A-Za-z][\w.-]*;)?/gi,
    (match, ref: string | undefined) => {
      if (!match.startsWith('&')) return match;
      if (ref === undefined) {
        repairs.add('bare & escaped');
        return '&amp;';
      }
      if (ref.startsWith('#')) return match;
      const name = ref.slice(0, -1);
      if (XML_ENTITIES.has(name)) return match;
      const own = declared.get(name);
      if (own !== undefined) {
        const value = escapeXml(own);
        budget -= value.length;
        if (budget >= 0) return value;
        repairs.add('entity expansion capped');
        return `&amp;${ref}`;
      }
      const value = htmlEntity(name);
      if (value === null) {
        repairs.add('undefined entity escaped');
        return `&amp;${ref}`;
      }
      repairs.add('HTML entities replaced');
      return [...value].map((ch) => `&#${ch.codePointAt(0)};`).join('');
    },
  );
  return { text: body, repairs: [...repairs] };
}

/**
 * Internal-subset entities with plain-text values (`<!ENTITY id "tag:example.com,">`). Values holding
 * references are skipped, so nothing expands recursively: a billion-laughs document stays small.
 */
function declaredEntities(text: string): Map<string, string> {
  const entities = new Map<string, string>();
  const doctype = /<!DOCTYPE[^[>]*\[([\s\S]*?)\]\s*>/i.exec(text.slice(0, DOCTYPE_WINDOW_CHARS));
  if (!doctype?.[1]) return entities;
  for (const m of doctype[1].matchAll(/<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(["'])([^"'&%<]*)\2\s*>/g)) {
    if (m[1] && m[3] !== undefined) entities.set(m[1], m[3]);
  }
  return entities;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
