/**
 * Feed bytes (or text) → {@link ParsedFeed}: rss-parser's `parseString` for the XML and the format
 * dispatch (RSS 0.9x/1.0/2.0, Atom), JSON Feed beside it, plus what rss-parser misses (FACTS.md):
 * charset decoding, namespace prefixes, HTML entities and bare `&` in XML, truncated documents,
 * `xml:base` and document-relative links, guid as permalink, strict dates, one bad item not losing
 * the feed. Each lenient fix is reported in `repairs`. The raw xml2js nodes are kept through
 * `customFields` and normalised here, so every field rule lives in this file.
 */
import Parser from 'rss-parser';
import { PipelineError } from '../errors.ts';
import type { FeedItem, ParsedFeed } from '../model.ts';
import { decodeEntities } from './decode-entities.ts';
import { decodeFeed } from './decode-feed.ts';
import { parseFeedDate } from './parse-feed-date.ts';
import { looksLikeJsonFeed, parseJsonFeed } from './parse-json-feed.ts';
import { repairNamespacePrefixes } from './repair-namespace-prefixes.ts';
import { repairRelativeUrls } from './repair-relative-urls.ts';
import { repairTruncation } from './repair-truncation.ts';
import { repairXml } from './repair-xml.ts';
import { stripControlCharacters } from './strip-control-characters.ts';

/** An xml2js node with default options: text-only elements are strings, others objects of arrays. */
type XmlNode = string | XmlElement;
interface XmlElement {
  _?: string;
  $?: Record<string, string>;
  [child: string]: unknown;
}
type RawItem = Record<string, unknown>;

/** Elements kept raw (`raw:<name>`, every occurrence) on items; `$` holds the item's attributes. */
const ITEM_FIELDS = [
  '$',
  'title',
  'dc:title',
  'link',
  'atom:link',
  'guid',
  'id',
  'pubDate',
  'dc:date',
  'published',
  'issued',
  'dcterms:issued',
  'created',
  'dcterms:created',
  'updated',
  'modified',
  'atom:updated',
  'dcterms:modified',
  'description',
  'summary',
  'dc:description',
  'content',
  'content:encoded',
  'fullitem',
  // XHTML bodies: `body` once repairNamespacePrefixes has removed a bound prefix, else as written.
  'body',
  'xhtml:body',
];
const FEED_FIELDS = ['$', 'title', 'dc:title', 'link', 'atom:link'];

const rawFields = (names: string[]) => names.map((name) => [name, `raw:${name}`, { keepArray: true }]);

/** What rss-parser's builders look like from the outside; they are not in its type declarations. */
interface ParserInternals {
  parseItemAtom(entry: RawItem): RawItem;
  parseItemRss(item: RawItem, fields: unknown[]): RawItem;
  buildRSS2(doc: RawItem): RawItem;
  buildRSS0_9(doc: RawItem): RawItem;
  buildAtomFeed(doc: RawItem): RawItem;
}

/**
 * Names that sax's loose mode would otherwise fold to upper case; restoring the common mixed-case ones
 * is enough for rss-parser's dispatch and our field lookups.
 */
const MIXED_CASE_NAMES = new Map(
  ['rdf:RDF', 'pubDate', 'isPermaLink', 'lastBuildDate', 'managingEditor', 'webMaster'].map((n) => [
    n.toLowerCase(),
    n,
  ]),
);
const canonicalName = (name: string) => {
  const lower = name.toLowerCase();
  return MIXED_CASE_NAMES.get(lower) ?? lower;
};

/**
 * An rss-parser instance hardened where it loses whole feeds (FACTS.md): `parseItemAtom` calls
 * `toISOString()` on `new Date(<published>)`, so one invalid date throws `RangeError`; `<rss>` without
 * `<channel>` and Atom `<link>` without `href` throw `TypeError`. We normalise from the raw fields anyway,
 * so a failed item falls back to those alone. `lenient` switches sax to its loose mode (unclosed tags,
 * HTML entities, stray markup), used only when the strict parse fails.
 */
function createParser(lenient: boolean): Parser {
  const parser = new Parser({
    defaultRSS: 2,
    customFields: {
      feed: rawFields(FEED_FIELDS) as never,
      item: rawFields(ITEM_FIELDS) as never,
    },
    xml2js: lenient
      ? { strict: false, tagNameProcessors: [canonicalName], attrNameProcessors: [canonicalName] }
      : {},
  });
  const internals = parser as unknown as ParserInternals;
  const proto = Parser.prototype as unknown as ParserInternals;
  const rawOnly = (node: RawItem): RawItem =>
    Object.fromEntries(ITEM_FIELDS.map((name) => [`raw:${name}`, node[name]]));
  internals.parseItemAtom = (entry) => {
    try {
      return proto.parseItemAtom.call(parser, entry);
    } catch {
      return rawOnly(entry);
    }
  };
  internals.parseItemRss = (item, fields) => {
    try {
      return proto.parseItemRss.call(parser, item, fields);
    } catch {
      return rawOnly(item);
    }
  };
  const buildRss = (build: (doc: RawItem) => RawItem) => (doc: RawItem) => {
    const root = typeof doc.rss === 'object' && doc.rss ? (doc.rss as XmlElement) : {};
    const channel = Array.isArray(root.channel) ? (root.channel[0] as unknown) : undefined;
    if (!channel || typeof channel !== 'object') {
      // Items straight under <rss>, or no channel at all: read the root as the channel.
      root.channel = [Object.fromEntries(Object.entries(root).filter(([key]) => key !== '$'))];
    }
    return { ...build.call(parser, { ...doc, rss: root }), 'raw:root$': root.$ };
  };
  internals.buildRSS2 = buildRss(proto.buildRSS2);
  internals.buildRSS0_9 = buildRss(proto.buildRSS0_9);
  internals.buildAtomFeed = (doc) => {
    const feed = doc.feed as XmlElement;
    if (Array.isArray(feed.link)) feed.link = feed.link.filter((l) => typeof attrs(l).href === 'string');
    return proto.buildAtomFeed.call(parser, doc);
  };
  return parser;
}

/**
 * A fresh parser per document: rss-parser keeps one xml2js parser per instance, and after some errors
 * (sax failing at its final `close()`) that parser never calls back again, so the next document's
 * promise hung forever (found by the mutation test). Creating one costs microseconds.
 */
const parseXml = (text: string, lenient: boolean) => createParser(lenient).parseString(text);

export interface ParseFeedOptions {
  /** The HTTP Content-Type; its charset overrides the XML declaration. */
  contentType?: string;
}

/**
 * Parse a feed document. `url` is the document URL: the base for relative links and the culprit in
 * errors. Throws {@link PipelineError} `FEED_UNPARSEABLE` (permanent) when nothing can be read.
 *
 * @example
 * const feed = await parseFeed(bytes, 'https://www.aljazeera.com/xml/rss/all.xml', {
 *   contentType: 'application/rss+xml; charset=utf-8',
 * });
 * feed.items[0]; // { title, link, id, published, summary, content }
 */
export async function parseFeed(
  input: Uint8Array | string,
  url: string,
  opts: ParseFeedOptions = {},
): Promise<ParsedFeed & { encoding: string; repairs: string[] }> {
  const { text, encoding } =
    typeof input === 'string' ? { text: input, encoding: 'utf-8' } : decodeFeed(input, opts.contentType);
  if (looksLikeJsonFeed(text, opts.contentType))
    return { ...withoutControlCharacters(parseJsonFeed(text, url)), encoding, repairs: [] };
  const { text: repaired, repairs } = repairXml(text);
  const named = repairNamespacePrefixes(repaired);
  let parsed: RawItem & { items?: RawItem[] };
  try {
    parsed = await parseXml(named, false).catch(async (strictError: unknown) => {
      const closed = repairTruncation(named);
      if (closed !== named) repairs.push('truncated document closed');
      return parseXml(closed, false).catch(() => {
        // sax's loose mode: unclosed and mismatched tags, stray markup, undeclared entities.
        repairs.push(`parsed leniently after: ${firstLine(strictError)}`);
        return parseXml(closed, true);
      });
    });
  } catch (error) {
    throw new PipelineError({
      code: 'FEED_UNPARSEABLE',
      stage: 'feeds',
      culprit: url,
      detail: `unable to parse feed: ${firstLine(error)}`,
      permanent: true,
      cause: error,
    });
  }
  const rootXmlBase = ownAttrs(parsed['raw:root$'])['xml:base'];
  const feedXmlBase = ownAttrs(parsed['raw:$'])['xml:base'];
  const feedBase = resolveBase(feedXmlBase, resolveBase(rootXmlBase, url));
  const items: FeedItem[] = [];
  for (const item of parsed.items ?? []) {
    try {
      items.push(normaliseItem(item, feedBase, Boolean(rootXmlBase ?? feedXmlBase)));
    } catch (error) {
      // Defensive: normalising is plain data handling, but one item must never cost the others.
      repairs.push(`item skipped: ${firstLine(error)}`);
    }
  }
  const feed = withoutControlCharacters({
    title: plainText(first(parsed['raw:title']) ?? first(parsed['raw:dc:title'])),
    link: pickLink(parsed['raw:link'], feedBase) ?? pickLink(parsed['raw:atom:link'], feedBase),
    items,
  });
  return { ...feed, encoding, repairs };
}

/**
 * Where feed text enters the model: no NUL (PostgreSQL refuses it and the item was lost), no terminal
 * escapes, no bidi overrides (see strip-control-characters.ts). Titles and links are one line.
 */
function withoutControlCharacters(feed: ParsedFeed): ParsedFeed {
  const line = (s: string) => stripControlCharacters(s, { oneLine: true });
  const optionalLine = (s: string | null) => (s === null ? null : line(s));
  return {
    ...feed,
    title: line(feed.title),
    link: optionalLine(feed.link),
    items: feed.items.map((item) => ({
      ...item,
      title: line(item.title),
      link: optionalLine(item.link),
      // Ids are compared as written: only what PostgreSQL or a terminal cannot take is removed.
      id: item.id === null ? null : stripControlCharacters(item.id),
      summary: stripControlCharacters(item.summary),
      content: stripControlCharacters(item.content),
    })),
  };
}

/** `baseDeclared`: an `xml:base` above the item is in scope (not only the document URL). */
function normaliseItem(item: RawItem, feedBase: string, baseDeclared: boolean): FeedItem {
  const itemXmlBase = ownAttrs(item['raw:$'])['xml:base'];
  const base = resolveBase(itemXmlBase, feedBase);
  const guid = first(item['raw:guid']);
  const guidText = textOf(guid).trim();
  const about = ownAttrs(item['raw:$'])['rdf:about'];
  const guidIsPermalink = guidText !== '' && attrs(guid).isPermaLink?.toLowerCase() !== 'false';
  const link =
    pickLink(item['raw:link'], base) ??
    pickLink(item['raw:atom:link'], base) ??
    (guidIsPermalink ? resolveUrl(guidText, base) : null);
  // The first readable publication date wins; Dublin Core terms' issued and created are ones too.
  const publishedNames = [
    'pubDate',
    'dc:date',
    'published',
    'issued',
    'dcterms:issued',
    'created',
    'dcterms:created',
  ];
  const published = firstDate(item, publishedNames);
  const updated = firstDate(item, ['updated', 'atom:updated', 'modified', 'dcterms:modified']);
  // The update date stands in only when the item has no publication date at all: an unreadable one
  // must stay unknown rather than be replaced by a different fact.
  const hasPublished = publishedNames.some((name) => first(item[`raw:${name}`]) !== undefined);
  const out: FeedItem = {
    title: plainText(first(item['raw:title']) ?? first(item['raw:dc:title'])),
    link,
    id:
      guidText || atomId(first(item['raw:id']), base, baseDeclared || Boolean(itemXmlBase)) || about || null,
    published: hasPublished ? published : updated,
    summary: htmlOf(
      first(item['raw:description']) ?? first(item['raw:summary']) ?? first(item['raw:dc:description']),
      base,
    ),
    content: htmlOf(
      first(item['raw:content:encoded']) ??
        first(item['raw:content']) ??
        first(item['raw:fullitem']) ??
        first(item['raw:body']) ??
        first(item['raw:xhtml:body']),
      base,
    ),
  };
  if (updated) out.updated = updated;
  return out;
}

/**
 * An Atom `<id>`. It must be an absolute IRI, and one is kept exactly as written (ids are compared as
 * strings: `http://www.EXAMPLE.org/` is not normalised). A relative reference is resolved as feedparser
 * does: against the `xml:base` in scope, or, with none declared, against the document URL when it is
 * path-absolute (`/relative/link`). An opaque token with no declared base (Reddit's `t3_glvkc5`) stays as
 * it is: joined to the feed URL, one item would get a different id in each feed that carries it.
 */
function atomId(node: XmlNode | undefined, base: string, baseDeclared: boolean): string {
  const id = textOf(node).trim();
  if (!id || /^[a-z][a-z0-9+.-]*:/i.test(id)) return id;
  const ownXmlBase = attrs(node)['xml:base'];
  if (!baseDeclared && !ownXmlBase && !id.startsWith('/')) return id;
  return resolveUrl(id, resolveBase(ownXmlBase, base)) ?? id;
}

function firstDate(item: RawItem, names: string[]): string | null {
  for (const name of names) {
    const node = first(item[`raw:${name}`]);
    if (node !== undefined) {
      const date = parseFeedDate(textOf(node));
      if (date) return date;
    }
  }
  return null;
}

/**
 * The alternate link among `<link>` elements: Atom's `href` with `rel="alternate"` or no `rel`, else the
 * RSS text content; resolved against the element's own `xml:base` and the inherited base.
 */
function pickLink(nodes: unknown, base: string): string | null {
  if (!Array.isArray(nodes)) return null;
  let fallback: string | null = null;
  for (const node of nodes as XmlNode[]) {
    const a = attrs(node);
    const href = a.href ?? textOf(node);
    if (!href.trim()) continue;
    const resolved = resolveUrl(href, resolveBase(a['xml:base'], base));
    const rel = a.rel ?? 'alternate';
    if (rel === 'alternate') return resolved;
    fallback ??= rel === 'self' || rel === 'enclosure' ? null : resolved;
  }
  return fallback;
}

/**
 * An HTML field: the element's text; base64-decoded for Atom 0.3 `mode="base64"` and Atom 1.0 binary
 * media types; inline markup (child elements) re-serialised, without the XHTML `<div>` container Atom
 * defines as not part of the content; relative `href`/`src` made absolute.
 */
function htmlOf(node: XmlNode | undefined, base: string): string {
  if (node === undefined) return '';
  const a = attrs(node);
  const type = a.type?.toLowerCase() ?? '';
  let html: string;
  if (typeof node === 'string' || !hasChildElements(node)) {
    html = textOf(node);
    if (a.mode === 'base64' || isBinaryMediaType(type)) html = Buffer.from(html, 'base64').toString('utf8');
  } else {
    html = serializeChildren(node);
    if (type === 'xhtml' || type === 'application/xhtml+xml') html = unwrap(html, 'div');
  }
  return repairRelativeUrls(html.trim(), resolveBase(a['xml:base'], base));
}

/** A MIME type (Atom 1.0 `type`) whose content is base64: not text, not XML. */
function isBinaryMediaType(type: string): boolean {
  return type.includes('/') && !type.startsWith('text/') && !/[+/]xml$/.test(type);
}

function unwrap(html: string, tag: string): string {
  const match = new RegExp(String.raw`^\s*<${tag}(?:\s[^>]*)?>([\s\S]*)</${tag}>\s*$`).exec(html);
  return match?.[1] ?? html;
}

/** Titles are plain text: tags dropped and character references decoded when they carry HTML. */
function plainText(node: XmlNode | undefined): string {
  if (node === undefined) return '';
  const type = attrs(node).type?.toLowerCase() ?? '';
  const raw = typeof node === 'string' || typeof node._ === 'string' ? textOf(node) : collectText(node);
  const looksHtml = type === 'html' || type === 'text/html' || /<\/?[a-z][^>]*>|&#?\w+;/i.test(raw);
  if (type === 'text' || type === 'text/plain' || !looksHtml) return raw.trim();
  return decodeEntities(raw.replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

function textOf(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object' && typeof (node as XmlElement)._ === 'string')
    return (node as XmlElement)._ ?? '';
  return '';
}

/** All text below an element (inline XHTML); xml2js loses the order of mixed content, fine for titles. */
function collectText(node: unknown): string {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(collectText).join('');
  if (!node || typeof node !== 'object') return '';
  return Object.entries(node)
    .filter(([key]) => key !== '$')
    .map(([key, value]) => (key === '_' ? String(value) : collectText(value)))
    .join('');
}

/**
 * Inline markup back to a string. rss-parser's own re-serialisation keeps only the text when an element
 * mixes text and markup (`Example <b>Atom</b>` → `Example`). xml2js has already lost the order of mixed
 * content, so this writes the text first, then the children: exact for the common `text <b>x</b>` shape.
 */
function serializeChildren(node: XmlElement): string {
  const parts: string[] = [typeof node._ === 'string' ? escapeXml(node._) : ''];
  for (const [name, children] of Object.entries(node)) {
    if (name === '$' || name === '_' || !Array.isArray(children)) continue;
    for (const child of children as XmlNode[]) {
      const attributes = Object.entries(attrs(child))
        .map(([key, value]) => ` ${key}="${escapeXml(value).replace(/"/g, '&quot;')}"`)
        .join('');
      const inner = typeof child === 'string' ? escapeXml(child) : serializeChildren(child);
      parts.push(`<${name}${attributes}>${inner}</${name}>`);
    }
  }
  return parts.join('');
}

function hasChildElements(node: XmlElement): boolean {
  return Object.keys(node).some((key) => key !== '$' && key !== '_');
}

function attrs(node: unknown): Record<string, string> {
  if (Array.isArray(node)) return attrs(node[0]);
  const a = node && typeof node === 'object' ? (node as XmlElement).$ : undefined;
  return a && typeof a === 'object' ? a : {};
}

/** `raw:$` is the attribute object of the item or channel itself, not an element holding one. */
function ownAttrs(value: unknown): Record<string, string> {
  return value && typeof value === 'object' ? (value as Record<string, string>) : {};
}

function first(nodes: unknown): XmlNode | undefined {
  return Array.isArray(nodes) ? (nodes[0] as XmlNode | undefined) : undefined;
}

function resolveBase(xmlBase: string | undefined, base: string): string {
  return (xmlBase && resolveUrl(xmlBase, base)) || base;
}

function resolveUrl(href: string, base: string): string | null {
  try {
    return new URL(href.trim(), base).href;
  } catch {
    const trimmed = href.trim();
    return trimmed || null;
  }
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
