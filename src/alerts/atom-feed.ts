/**
 * Pure: one alert rule's recent alerts as an Atom 1.0 document that any feed reader can subscribe to.
 *
 * Spec: RFC 4287 (https://www.rfc-editor.org/rfc/rfc4287): feed and entry MUST have id, title,
 * updated; an entry without content MUST have a rel=alternate link (§4.1.2); ids are IRIs (§4.2.6).
 * Tag URIs: RFC 4151. XML 1.0 characters: https://www.w3.org/TR/xml/#charsets
 * Validator used by hand on the output: https://validator.w3.org/feed/
 */
import { createHash } from 'node:crypto';
import { webUrl } from './alert-facts.ts';

/** One alert as the feed shows it: what the database keeps of a sent alert. */
export interface AlertFeedEntry {
  url: string;
  canonicalUrl: string;
  title: string;
  /** The feed the article came from: the entry's author. */
  feedId: string;
  /** The article's publication time (ISO 8601), or null when unknown. */
  published: string | null;
  /** When the alert fired (ISO 8601): the entry's `updated`. */
  sentAt: string;
  reasons: string[];
  /** The sentence(s) the alert quoted (see choose-evidence.ts), or null. */
  evidence: string | null;
}

export interface AtomFeedInput {
  ruleId: string;
  /** Rule description from alerts.yaml, shown as the feed subtitle. */
  description?: string;
  /** The absolute URL the document is served at: `<link rel="self">`. */
  selfUrl: string;
  entries: AlertFeedEntry[];
}

/**
 * The tag URI authority and date (RFC 4151): a name we control plus the date the ids were minted. It
 * never changes, so ids stay the same when the server moves to another host.
 */
const TAG_PREFIX = 'tag:ceasefire-watch,2025';
/**
 * `updated` of a feed with no entries. Atom requires the element; the epoch keeps an empty feed's
 * bytes (and so its ETag) the same between requests, where the current time would change them.
 */
const EMPTY_FEED_UPDATED = '1970-01-01T00:00:00.000Z';

/**
 * Characters XML 1.0 does not allow at all, not even escaped (C0 controls but tab/LF/CR, lone
 * surrogates, U+FFFE/U+FFFF): a scraped title holding one would make the whole document unparseable.
 */
const NOT_XML_CHAR = new RegExp(
  [
    '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]',
    '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])',
    '(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
  ].join('|'),
  'g',
);

/**
 * Text for element content or a double- or single-quoted attribute. `&` and `<` are escaped so no
 * markup can start; `>` so `]]>` cannot appear; quotes so attributes cannot be closed.
 *
 * @example
 * escapeXml('<script>a & b ]]>'); // '&lt;script&gt;a &amp; b ]]&gt;'
 */
export function escapeXml(s: string): string {
  return s
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** RFC 3339 as Atom wants it, or null for a date that cannot be read. */
function rfc3339(value: string | null): string | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * The entry id: the canonical URL when it is a web URL (the same article has the same id in every
 * rule's feed, so a reader that merges feeds shows it once), else a tag URI from its hash, since an
 * Atom id must be an IRI and a stored "canonical URL" may be garbage.
 */
function entryId(ruleId: string, entry: AlertFeedEntry): string {
  const canonical = webUrl(entry.canonicalUrl);
  if (canonical) return canonical.href;
  const digest = createHash('sha256').update(`${entry.canonicalUrl}\n${entry.url}`).digest('hex');
  return `${TAG_PREFIX}:alert/${encodeURIComponent(ruleId)}/${digest.slice(0, 32)}`;
}

function element(name: string, text: string, attrs = ''): string {
  return `<${name}${attrs}>${escapeXml(text)}</${name}>`;
}

function renderEntry(ruleId: string, entry: AlertFeedEntry): string {
  const link = webUrl(entry.url);
  const updated = rfc3339(entry.sentAt) ?? EMPTY_FEED_UPDATED;
  const published = rfc3339(entry.published);
  const summary = entry.evidence?.trim() || entry.reasons.join('; ') || entry.title;
  const lines = [
    '  <entry>',
    `    ${element('id', entryId(ruleId, entry))}`,
    `    ${element('title', entry.title.trim() || '(untitled)', ' type="text"')}`,
    // Only web links: a javascript: URL in an href would run when a reader's user clicks it.
    link ? `    <link rel="alternate" type="text/html" href="${escapeXml(link.href)}"/>` : null,
    `    ${element('updated', updated)}`,
    published ? `    ${element('published', published)}` : null,
    `    <author>${element('name', entry.feedId)}</author>`,
    ...entry.reasons.map((r) => `    <category term="${escapeXml(r)}"/>`),
    `    ${element('summary', summary, ' type="text"')}`,
    // RFC 4287 §4.1.2: without an alternate link the entry MUST have content.
    link ? null : `    ${element('content', `${entry.url}\n\n${summary}`, ' type="text"')}`,
    '  </entry>',
  ];
  return lines.filter((l) => l !== null).join('\n');
}

/**
 * The Atom 1.0 document for one rule: entries newest first (by `sentAt`), feed `updated` = the newest
 * entry's. Every string from an article or config is XML-escaped and typed `text`, so a title such as
 * `<script>alert(1)</script> & ]]>` shows as those characters in any reader. The output is a pure
 * function of the input: the same alerts give the same bytes, which the server's ETag relies on.
 *
 * @example
 * ```ts
 * const xml = buildAtomFeed({ ruleId: 'witkoff', selfUrl: 'https://cw.example.org/alerts/witkoff.atom',
 *   entries: [{ url, canonicalUrl, title, feedId: 'aljazeera', published, sentAt, reasons: ['actor: steve-witkoff'], evidence }] });
 * // '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">…'
 * ```
 */
export function buildAtomFeed(input: AtomFeedInput): string {
  const entries = [...input.entries].sort(
    (a, b) => (Date.parse(b.sentAt) || 0) - (Date.parse(a.sentAt) || 0),
  );
  const updated = entries
    .map((e) => rfc3339(e.sentAt))
    .filter((d): d is string => d !== null)
    .reduce((max, d) => (d > max ? d : max), EMPTY_FEED_UPDATED);
  const head = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  ${element('id', `${TAG_PREFIX}:alerts/${encodeURIComponent(input.ruleId)}`)}`,
    `  ${element('title', `ceasefire-watch alerts: ${input.ruleId}`, ' type="text"')}`,
    input.description ? `  ${element('subtitle', input.description, ' type="text"')}` : null,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(input.selfUrl)}"/>`,
    `  ${element('updated', updated)}`,
    `  ${element('generator', 'ceasefire-watch')}`,
  ];
  return [
    ...head.filter((l) => l !== null),
    ...entries.map((e) => renderEntry(input.ruleId, e)),
    '</feed>',
    '',
  ].join('\n');
}
