/**
 * Namespace-aware element names for a parser that is not (xml2js reads `r:item` as a name, not as
 * `item` in the RSS namespace). A feed may bind RSS, Atom, Dublin Core, … to any prefix
 * (`<r:rss xmlns:r="http://backend.userland.com/rss2">`); this rewrites element and attribute names
 * in the namespaces a feed parser reads to the prefixes it expects, following the scoping rules of
 * Namespaces in XML, so `<szf:description>` in another namespace stays out of the way.
 */
import { parseXmlTags } from './parse-xml-tags.ts';

const ATOM = new Set(['http://www.w3.org/2005/Atom', 'http://purl.org/atom/ns#']);

/** Namespace URI → the prefix rss-parser and parse-feed read it under ('' = none). */
const CANONICAL_PREFIXES = new Map<string, string>([
  // RSS 0.90, 1.0 and the namespaced 2.0 variants: their elements are read unprefixed.
  ['http://my.netscape.com/rdf/simple/0.9/', ''],
  ['http://channel.netscape.com/rdf/simple/0.9/', ''],
  ['http://purl.org/rss/1.0/', ''],
  ['http://backend.userland.com/rss2', ''],
  ['http://backend.userland.com/rss', ''],
  ['http://blogs.law.harvard.edu/tech/rss', ''],
  ['http://purl.org/rss/1.0/modules/content/', 'content'],
  ['http://purl.org/dc/elements/1.1/', 'dc'],
  ['http://purl.org/dc/terms/', 'dcterms'],
  ['http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'rdf'],
  // Inline XHTML content is serialised back as HTML, which has no prefixes.
  ['http://www.w3.org/1999/xhtml', ''],
]);

const DECLARATION = /\sxmlns(?::([^\s=]+))?\s*=\s*["']([^"']*)["']/g;

/**
 * `text` with names in known namespaces under their canonical prefixes; `text` itself (no scan) when
 * every known namespace is already bound to its canonical prefix, which is nearly every feed.
 *
 * @example
 * repairNamespacePrefixes('<r:rss xmlns:r="http://backend.userland.com/rss2"><r:channel/></r:rss>');
 * // '<rss xmlns:r="http://backend.userland.com/rss2"><channel/></rss>'
 */
export function repairNamespacePrefixes(text: string): string {
  const needed = [...text.matchAll(DECLARATION)].some(([, prefix = '', uri = '']) => {
    const canonical = canonicalPrefix(uri, ATOM.has(uri) ? prefix === '' : false);
    return canonical !== undefined && canonical !== prefix;
  });
  if (!needed) return text;

  const { tags } = parseXmlTags(text);
  const scopes: { name: string; bindings: Map<string, string> }[] = [];
  const edits: { at: number; length: number; value: string }[] = [];
  let atomRoot: boolean | undefined;
  const rename = (qname: string, bindings: Map<string, string>, isAttribute: boolean): string => {
    const colon = qname.indexOf(':');
    const prefix = colon === -1 ? '' : qname.slice(0, colon);
    // Unprefixed attributes are in no namespace, whatever the default namespace is.
    if (prefix === 'xmlns' || qname === 'xmlns' || (isAttribute && colon === -1)) return qname;
    const uri = bindings.get(prefix);
    const canonical = uri === undefined ? undefined : canonicalPrefix(uri, atomRoot ?? false);
    if (canonical === undefined || canonical === prefix) return qname;
    const local = colon === -1 ? qname : qname.slice(colon + 1);
    return canonical ? `${canonical}:${local}` : local;
  };
  for (const tag of tags) {
    if (tag.kind === 'end') {
      const index = scopes.findLastIndex((scope) => scope.name === tag.name);
      if (index === -1) continue;
      const scope = scopes[index];
      const renamed = scope ? rename(tag.name, scope.bindings, false) : tag.name;
      if (renamed !== tag.name) edits.push({ at: tag.nameStart, length: tag.name.length, value: renamed });
      scopes.length = index;
      continue;
    }
    const inherited = scopes.at(-1)?.bindings ?? new Map<string, string>();
    let bindings = inherited;
    for (const [name, value] of tag.attributes) {
      if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
      if (bindings === inherited) bindings = new Map(inherited);
      bindings.set(name === 'xmlns' ? '' : name.slice(6), value);
    }
    if (atomRoot === undefined) {
      const colon = tag.name.indexOf(':');
      atomRoot = ATOM.has(bindings.get(colon === -1 ? '' : tag.name.slice(0, colon)) ?? '');
    }
    const renamed = rename(tag.name, bindings, false);
    if (renamed !== tag.name) edits.push({ at: tag.nameStart, length: tag.name.length, value: renamed });
    for (const [name, , offset] of tag.attributes) {
      const attribute = rename(name, bindings, true);
      if (attribute !== name) edits.push({ at: offset, length: name.length, value: attribute });
    }
    if (tag.kind === 'start') scopes.push({ name: tag.name, bindings });
  }
  if (edits.length === 0) return text;
  const parts: string[] = [];
  let from = 0;
  for (const edit of edits.sort((a, b) => a.at - b.at)) {
    parts.push(text.slice(from, edit.at), edit.value);
    from = edit.at + edit.length;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

/** Atom's elements are unprefixed in an Atom document and `atom:` inside RSS, as rss-parser reads them. */
function canonicalPrefix(uri: string, atomRoot: boolean): string | undefined {
  if (ATOM.has(uri)) return atomRoot ? '' : 'atom';
  return CANONICAL_PREFIXES.get(uri);
}
