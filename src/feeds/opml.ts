/**
 * OPML, the subscription list every feed reader imports and exports. Reading is tolerant of what real
 * exports contain (Feedly, Inoreader, Miniflux, RSSOwl): folders nested in folders, OPML 1.0 and 2.0,
 * `title` or only `text`, bare `&` and HTML entities that strict XML rejects. Writing is plain OPML 2.0
 * with one folder per feed's first label, the shape those readers import as categories. Pure.
 */
import escapeHtml from 'escape-html';
import { JSDOM } from 'jsdom';
import { configInvalid } from '../errors.ts';
import type { FeedConfig } from '../model.ts';
import { htmlEntity, XML_ENTITIES } from './decode-entities.ts';

/** One subscription read from an OPML file. */
export interface OpmlFeed {
  title?: string;
  /** The feed URL (`xmlUrl`). */
  url: string;
  /** The site's page (`htmlUrl`). */
  htmlUrl?: string;
  /** The innermost folder the outline sits in (as Miniflux reads it). */
  category?: string;
  /** The folder followed by the OPML 2.0 `category` attribute's entries, without duplicates. */
  labels: string[];
}

/**
 * Subscriptions in an OPML document, in document order, one per outline carrying an `xmlUrl`;
 * duplicates of a URL are dropped. Throws a `CONFIG_INVALID` PipelineError naming `fileName`
 * when the text is not OPML even after repairing bare `&` and HTML entities.
 *
 * @example
 * parseOpml('<opml version="2.0"><body><outline text="News"><outline text="BBC" xmlUrl="https://feeds.bbci.co.uk/news/rss.xml"/></outline></body></opml>', 'subs.opml');
 * // [{ title: 'BBC', url: 'https://feeds.bbci.co.uk/news/rss.xml', category: 'News', labels: ['News'] }]
 */
export function parseOpml(xml: string, fileName: string): OpmlFeed[] {
  const doc = parseXml(xml, fileName);
  const root = doc.documentElement;
  if (root?.localName.toLowerCase() !== 'opml') {
    throw configInvalid(fileName, `root element is <${root?.localName ?? 'none'}>, not <opml>`);
  }
  const body = [...root.children].find((el) => el.localName.toLowerCase() === 'body');
  const feeds: OpmlFeed[] = [];
  const seen = new Set<string>();
  const walk = (parent: Element, folder: string | undefined) => {
    for (const outline of parent.children) {
      if (outline.localName.toLowerCase() !== 'outline') continue;
      const url = attr(outline, 'xmlUrl');
      const name = attr(outline, 'title') || attr(outline, 'text');
      if (url) {
        if (seen.has(url)) continue;
        seen.add(url);
        const categories = attr(outline, 'category')
          .split(',')
          .map((c) => c.trim().replace(/^\/+|\/+$/g, ''))
          .filter((c) => c.length > 0);
        const feed: OpmlFeed = { url, labels: [...new Set([...(folder ? [folder] : []), ...categories])] };
        if (name) feed.title = name;
        const htmlUrl = attr(outline, 'htmlUrl');
        if (htmlUrl) feed.htmlUrl = htmlUrl;
        if (folder) feed.category = folder;
        feeds.push(feed);
      } else {
        // A folder; a nameless one (RSSOwl's wrapper sets) passes its parent's name down.
        walk(outline, name || folder);
      }
    }
  };
  if (body) walk(body, undefined);
  return feeds;
}

/**
 * An OPML 2.0 document of `feeds`: one folder per first label (feeds without labels at the top), every
 * label also in the `category` attribute so that {@link parseOpml} gives them all back. Attribute
 * values are escaped with escape-html, whose five escapes are all valid XML.
 *
 * @example
 * buildOpml([{ id: 'bbc', url: 'https://feeds.bbci.co.uk/news/rss.xml', title: 'BBC', intervalMinutes: 15, labels: ['uk'] }], 'ceasefire-watch feeds');
 * // '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">…<outline text="uk" title="uk">…'
 */
export function buildOpml(feeds: readonly FeedConfig[], title: string): string {
  const outline = (feed: FeedConfig, indent: string) => {
    const name = feed.title ?? feed.id;
    const category = feed.labels.length > 0 ? ` category="${escapeHtml(feed.labels.join(','))}"` : '';
    return `${indent}<outline type="rss" text="${escapeHtml(name)}" title="${escapeHtml(name)}" xmlUrl="${escapeHtml(feed.url)}"${category}/>`;
  };
  const folders = new Map<string, FeedConfig[]>();
  const loose: FeedConfig[] = [];
  for (const feed of feeds) {
    const folder = feed.labels[0];
    if (folder === undefined) loose.push(feed);
    else folders.set(folder, [...(folders.get(folder) ?? []), feed]);
  }
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeHtml(title)}</title>`,
    '  </head>',
    '  <body>',
  ];
  for (const [folder, members] of folders) {
    lines.push(`    <outline text="${escapeHtml(folder)}" title="${escapeHtml(folder)}">`);
    for (const feed of members) lines.push(outline(feed, '      '));
    lines.push('    </outline>');
  }
  for (const feed of loose) lines.push(outline(feed, '    '));
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}

function parseXml(xml: string, fileName: string): Document {
  try {
    return new JSDOM(xml, { contentType: 'application/xml' }).window.document;
  } catch {
    // Exports in the wild carry `&` unescaped in URLs and HTML entities in titles.
    try {
      return new JSDOM(repairEntities(xml), { contentType: 'application/xml' }).window.document;
    } catch (error) {
      throw configInvalid(fileName, `not XML: ${(error as Error).message.split('\n')[0] ?? ''}`, error);
    }
  }
}

/** `&` that starts no reference becomes `&amp;`; HTML named entities become numeric references. */
function repairEntities(xml: string): string {
  return xml.replace(/&(?!#\d+;|#x[0-9a-f]+;)([A-Za-z][A-Za-z0-9]*;)?/gi, (whole, named?: string) => {
    if (!named) return '&amp;';
    const name = named.slice(0, -1);
    if (XML_ENTITIES.has(name)) return whole;
    const text = htmlEntity(name);
    return text === null ? `&amp;${named}` : [...text].map((c) => `&#${c.codePointAt(0)};`).join('');
  });
}

/** An attribute by name, ignoring case (`xmlUrl`, `xmlurl`, `XMLURL` all occur), trimmed. */
function attr(el: Element, name: string): string {
  const exact = el.getAttribute(name);
  if (exact !== null) return exact.trim();
  const lower = name.toLowerCase();
  for (const a of el.attributes) if (a.localName.toLowerCase() === lower) return a.value.trim();
  return '';
}
