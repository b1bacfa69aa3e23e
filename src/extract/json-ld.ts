/**
 * Article facts from a page's `<script type="application/ld+json">` blocks (schema.org). Pages nest them
 * every way the format allows: a bare object, an array, a `@graph`, `mainEntity`; authors and images as
 * strings, objects or arrays. Invalid JSON is common (raw newlines inside strings, trailing junk): such a
 * block is retried once with control characters replaced, then ignored.
 */

/** What the extractor uses from JSON-LD; every field absent when the page does not say. */
export interface JsonLdArticle {
  headline?: string;
  articleBody?: string;
  datePublished?: string;
  dateModified?: string;
  authors: string[];
  image?: string;
  publisher?: string;
  url?: string;
  /** `isAccessibleForFree: false` on the article or one of its parts (Google's paywall markup). */
  paywalled: boolean;
}

/** schema.org types that describe the article itself (CreativeWork subtypes pages use for stories). */
const ARTICLE_TYPE = /(?:Article|BlogPosting|Posting|Report|NewsArticle|Review|Story|LiveBlogPosting)$/;

type Node = Record<string, unknown>;

/**
 * Read the article node of a page's JSON-LD blocks (each block's raw text).
 *
 * @example
 * readJsonLd(['{"@graph":[{"@type":"NewsArticle","headline":"Truce holds","author":{"name":"Jane Doe"}}]}']);
 * // { headline: 'Truce holds', authors: ['Jane Doe'], paywalled: false }
 */
export function readJsonLd(blocks: readonly string[]): JsonLdArticle {
  const nodes: Node[] = [];
  for (const block of blocks) collect(parse(block), nodes, 0);
  // The article node if there is one; otherwise any node (a WebPage often carries the dates).
  const articles = nodes.filter((node) => types(node).some((type) => ARTICLE_TYPE.test(type)));
  const ordered = [...articles, ...nodes.filter((node) => !articles.includes(node))];
  const first = (read: (node: Node) => string | undefined) => {
    for (const node of ordered) {
      const value = read(node);
      if (value) return value;
    }
    return undefined;
  };
  const result: JsonLdArticle = {
    authors: [...new Set(articles.flatMap((node) => names(node.author)))],
    paywalled: articles.some(
      (node) =>
        isFalse(node.isAccessibleForFree) ||
        asArray(node.hasPart).some((part) => isFalse(record(part)?.isAccessibleForFree)),
    ),
  };
  const headline = first((node) => text(node.headline));
  const articleBody = articles.map((node) => text(node.articleBody)).find(Boolean);
  const datePublished = first((node) => text(node.datePublished));
  const dateModified = first((node) => text(node.dateModified));
  const image = articles.map((node) => imageUrl(node.image) ?? imageUrl(node.thumbnailUrl)).find(Boolean);
  const publisher = first((node) => names(node.publisher)[0]);
  const url = articles
    .map((node) => text(node.url) ?? text(record(node.mainEntityOfPage)?.['@id']))
    .find(Boolean);
  if (headline) result.headline = headline;
  if (articleBody) result.articleBody = articleBody;
  if (datePublished) result.datePublished = datePublished;
  if (dateModified) result.dateModified = dateModified;
  if (image) result.image = image;
  if (publisher) result.publisher = publisher;
  if (url) result.url = url;
  return result;
}

function parse(block: string): unknown {
  const source = block.trim().replace(/^<!--|-->$/g, '');
  try {
    return JSON.parse(source);
  } catch {
    try {
      // Raw newlines and tabs inside strings are the most common fault; outside strings they are whitespace.
      return JSON.parse(source.replace(/\p{Cc}+/gu, ' '));
    } catch {
      return undefined;
    }
  }
}

/** Depth guard: JSON-LD is shallow; a deep structure is not worth walking. */
const MAX_DEPTH = 4;

function collect(value: unknown, into: Node[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const entry of value) collect(entry, into, depth + 1);
    return;
  }
  const node = record(value);
  if (!node) return;
  into.push(node);
  collect(node['@graph'], into, depth + 1);
  if (record(node.mainEntity)) collect(node.mainEntity, into, depth + 1);
}

function record(value: unknown): Node | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function types(node: Node): string[] {
  return asArray(node['@type']).filter((type): type is string => typeof type === 'string');
}

function text(value: unknown): string | undefined {
  const first = asArray(value)[0];
  return typeof first === 'string' && first.trim() ? first.trim() : undefined;
}

/** Person/Organization names: `"Jane"`, `{name: "Jane"}`, or arrays of either. */
function names(value: unknown): string[] {
  return asArray(value).flatMap((entry) => {
    const name = typeof entry === 'string' ? entry : text(record(entry)?.name);
    return name?.trim() ? [name.trim()] : [];
  });
}

/** Image URL: `"https://…"`, `{url}`, `{@id}`, or the first of an array. */
function imageUrl(value: unknown): string | undefined {
  for (const entry of asArray(value)) {
    const url =
      typeof entry === 'string' ? entry : (text(record(entry)?.url) ?? text(record(entry)?.['@id']));
    if (url?.trim()) return url.trim();
  }
  return undefined;
}

function isFalse(value: unknown): boolean {
  return value === false || (typeof value === 'string' && value.trim().toLowerCase() === 'false');
}
