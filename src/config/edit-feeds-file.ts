/**
 * Appends feeds to `config/feeds.yaml`, which stays the source of truth: `cli feeds add` and
 * `cli feeds import` write there, and the database follows at the next start (upsertFeeds). Edited
 * through the `yaml` Document API, so the comments, key order and flow lists people wrote survive.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, parseDocument, YAMLSeq, type Document } from 'yaml';
import { PipelineError } from '../errors.ts';
import { canonicalUrl } from '../feeds/canonical-url.ts';
import { FeedConfigSchema } from '../model.ts';
import { FeedsFileSchema } from './schemas.ts';
import { parseYamlConfig } from './parse-yaml-config.ts';

/** A feed to add: only the URL is required; the id is made from the URL when not given. */
export interface NewFeed {
  url: string;
  id?: string;
  title?: string;
  intervalMinutes?: number;
  labels?: string[];
}

/**
 * Longest generated id. Ids appear in every `cli feeds` line and in log keys; 48 characters keeps
 * host and path readable (`news-un-org-feed-subscribe-en-news-region-middle`) without wrapping.
 */
const MAX_ID_CHARS = 48;

/** What a new file starts with, so that someone opening it later knows what it is. */
const NEW_FILE_HEADER =
  ' Feeds to poll (see README.md, "Configuration files"). Written by `cli feeds add`/`import`.';

/**
 * Appends the feeds whose URL is not in the file yet (compared in canonical form, so `HTTPS://Host/x`
 * and `https://host/x#top` are the same feed) and returns the ids added and the URLs skipped. Ids are
 * made from host and path when not given, and made unique with `-2`, `-3`, …; a given id already taken
 * is an error. The file is created when missing, validated as a whole before it is written, and
 * replaced atomically (write then rename), so a failed add never leaves a broken feeds.yaml.
 *
 * @example
 * await addFeedsToFile('config/feeds.yaml', [{ url: 'https://www.timesofisrael.com/feed/' }]);
 * // { added: ['timesofisrael-com-feed'], skipped: [] }
 */
export async function addFeedsToFile(
  file: string,
  feeds: readonly NewFeed[],
): Promise<{ added: string[]; skipped: string[] }> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  let doc = text === null ? newDocument() : parseDocument(text);
  if (text !== null && doc.contents === null && doc.errors.length === 0) {
    // Empty, or only comments: keep them above a new list.
    doc = parseDocument(`${text.trimEnd()}\nfeeds: []\n`);
  }
  if (doc.errors[0]) {
    // Reuses the loader's error, which names the file and line.
    parseYamlConfig(text ?? '', file, FeedsFileSchema);
  }
  const seq = feedsSequence(doc, file);
  const existing = (seq.toJSON() as unknown[]).filter(
    (f): f is { id?: unknown; url?: unknown } => typeof f === 'object' && f !== null,
  );
  const ids = new Set(existing.map((f) => String(f.id)));
  const urls = new Set(existing.map((f) => canonicalUrl(String(f.url))));

  const added: string[] = [];
  const skipped: string[] = [];
  for (const feed of feeds) {
    const canonical = canonicalUrl(feed.url);
    if (urls.has(canonical)) {
      skipped.push(feed.url);
      continue;
    }
    const id = feed.id ?? feedIdFor(feed.url, ids);
    if (ids.has(id)) throw configError(file, `feed id "${id}" is already taken (${feed.url})`);
    const entry: Record<string, unknown> = { id };
    if (feed.title) entry.title = feed.title;
    entry.url = feed.url;
    if (feed.intervalMinutes !== undefined) entry.intervalMinutes = feed.intervalMinutes;
    if (feed.labels && feed.labels.length > 0) entry.labels = feed.labels;
    const checked = FeedConfigSchema.safeParse(entry);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw configError(file, `${feed.url}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    const node = doc.createNode(entry);
    // Labels as `[a, b]`, the way the shipped feeds.yaml writes them.
    const labels = isMap(node) ? node.get('labels', true) : undefined;
    if (isSeq(labels)) labels.flow = true;
    seq.items.push(node);
    ids.add(id);
    urls.add(canonical);
    added.push(id);
  }
  if (added.length === 0) return { added, skipped };

  // lineWidth 0: never fold a long title; no padding: `[a, b]` stays `[a, b]`.
  const output = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  parseYamlConfig(output, file, FeedsFileSchema);
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, output, 'utf8');
  await rename(temporary, file);
  return { added, skipped };
}

/**
 * An id for a feed URL: host without `www.` plus path, lower-case, runs of anything else as one dash,
 * the feed file extension dropped, cut at {@link MAX_ID_CHARS}; `-2`, `-3`, … when already taken.
 *
 * @example
 * feedIdFor('https://www.aljazeera.com/xml/rss/all.xml', new Set()); // 'aljazeera-com-xml-rss-all'
 */
export function feedIdFor(url: string, taken: ReadonlySet<string>): string {
  let slug: string;
  try {
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^www\./, '');
    const path = parsed.pathname.replace(/\.(xml|rss|atom|rdf|json)$/i, '');
    slug = `${host}${path}`;
  } catch {
    slug = url;
  }
  slug = slug
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_ID_CHARS)
    .replace(/^-+|-+$/g, '');
  if (!slug) slug = 'feed';
  if (!taken.has(slug)) return slug;
  for (let n = 2; ; n++) {
    const candidate = `${slug}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function newDocument(): Document {
  const doc = parseDocument('feeds: []\n');
  doc.commentBefore = NEW_FILE_HEADER;
  return doc;
}

function feedsSequence(doc: Document, file: string): YAMLSeq {
  if (!isMap(doc.contents)) throw configError(file, 'the file must be a mapping with a "feeds" list');
  let seq = doc.get('feeds', true);
  // `feeds:` with nothing after it is a null scalar.
  if (seq === undefined || seq === null || (isScalar(seq) && seq.value === null)) {
    doc.set('feeds', new YAMLSeq());
    seq = doc.get('feeds', true);
  }
  if (!isSeq(seq)) throw configError(file, '"feeds" must be a list');
  // An empty `feeds: []` is a flow list; entries appended to it read better as a block list.
  if (seq.items.length === 0) seq.flow = false;
  return seq;
}

function configError(file: string, detail: string): PipelineError {
  return new PipelineError({
    code: 'CONFIG_INVALID',
    stage: 'config',
    culprit: file,
    detail,
    permanent: true,
  });
}
