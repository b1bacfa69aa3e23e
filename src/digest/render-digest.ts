/**
 * The daily digest as Markdown (the file under digests/ and the email's text part), as a small HTML
 * document (the email's HTML part) and as an email subject. Pure: Digest in, strings out.
 */
import escapeHtml from 'escape-html';
import { DateTime } from 'luxon';
import type { Digest, DigestEntry, DigestGroup } from './build-digest.ts';

const TITLE = 'Gaza ceasefire digest';
/** Evidence sentences are quotes, not articles: cut long ones so a group stays scannable. */
const MAX_EVIDENCE_CHARS = 300;
/** Phases named in the subject; there are three in the taxonomy, so this only guards odd configs. */
const MAX_SUBJECT_PHASES = 3;

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function truncate(s: string, max: number): string {
  const flat = oneLine(s);
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The article URL when it is a web link; javascript:, data: or relative URLs are never linked. */
function webUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    // WHATWG serialisation percent-encodes spaces, `<`, `>` and `"`: safe inside `(<…>)` and `href="…"`.
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

function hostOf(url: string): string | null {
  const href = webUrl(url);
  return href === null ? null : new URL(href).host;
}

/**
 * The publication time in the digest's zone: `14:30` on the digest's own day, `17 Dec 23:10` on
 * another (an article published late the day before but fetched today), `undated` when unknown.
 */
function localTime(published: string | null, day: string, timezone: string): string {
  if (published === null) return 'undated';
  const t = DateTime.fromISO(published, { zone: 'utc' }).setZone(timezone);
  if (!t.isValid) return 'undated';
  return t.toISODate() === day ? t.toFormat('HH:mm') : t.toFormat('d LLL HH:mm');
}

/**
 * Backslash-escapes what would turn article text into Markdown markup (emphasis, links, code, raw
 * HTML, tables, headings) plus a list marker at the very start. The rest of ASCII punctuation stays
 * bare because this Markdown is also the email's plain-text part and must read naturally.
 */
function mdText(s: string): string {
  return oneLine(s)
    .replace(/[\\`*_[\]<>|~#]/g, '\\$&')
    .replace(/&(?=#?\w+;)/g, '\\&')
    .replace(/^([-+])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

function groupHeading(g: DigestGroup): string {
  return `${g.name} — ${plural(g.count, 'article')}`;
}

function entryMarkdown(entry: DigestEntry, d: Digest): string {
  const { article } = entry;
  const title = mdText(article.title) || '(untitled)';
  const href = webUrl(article.url);
  const source = [article.feedId, hostOf(article.url)].filter((s) => s !== null).map(mdText);
  const meta = [...new Set(source)].join(' · ');
  const when = localTime(article.published, d.day, d.timezone);
  const lines = [`- ${href ? `[${title}](<${href}>)` : title} — ${meta} · ${when}`];
  if (entry.evidence) lines.push(`  > ${mdText(truncate(entry.evidence, MAX_EVIDENCE_CHARS))}`);
  return lines.join('\n');
}

function groupMarkdown(g: DigestGroup, d: Digest): string {
  return [`### ${mdText(groupHeading(g))}`, '', ...g.entries.map((e) => entryMarkdown(e, d))].join('\n');
}

function summaryLine(d: Digest): string {
  const notRelevant = d.total - d.relevant;
  return (
    `${plural(d.relevant, 'relevant article')}` +
    (notRelevant > 0 ? ` (${notRelevant} more received, judged not relevant)` : '') +
    ` · times in ${d.timezone}`
  );
}

/**
 * The digest as Markdown: a heading with the day, a summary line, then `## By phase`, `## By actor`
 * and `## Untagged relevant`, one `###` per group with its article count, one bullet per article
 * (linked title, feed · host · local time) and its evidence sentence quoted below. All article text
 * is escaped, so a title cannot inject links, HTML or headings into a rendered copy.
 *
 * @example
 * ```ts
 * renderDigestMarkdown(buildDigest({ day: '2025-12-18', timezone: 'UTC', articles }));
 * // '# Gaza ceasefire digest — 2025-12-18\n\n3 relevant articles · times in UTC\n\n## By phase\n…'
 * ```
 */
export function renderDigestMarkdown(d: Digest): string {
  const parts = [`# ${TITLE} — ${d.day}`, summaryLine(d)];
  if (d.relevant === 0) parts.push('No relevant articles on this day.');
  if (d.phases.length > 0) parts.push('## By phase', ...d.phases.map((g) => groupMarkdown(g, d)));
  if (d.actors.length > 0) parts.push('## By actor', ...d.actors.map((g) => groupMarkdown(g, d)));
  if (d.untagged) {
    parts.push(
      `## Untagged relevant — ${plural(d.untagged.count, 'article')}`,
      ...d.untagged.entries.map((e) => entryMarkdown(e, d)),
    );
  }
  return `${parts.join('\n\n')}\n`;
}

const e = escapeHtml;

function entryHtml(entry: DigestEntry, d: Digest): string {
  const { article } = entry;
  const title = oneLine(article.title) || '(untitled)';
  const href = webUrl(article.url);
  const link = href
    ? `<a href="${e(href)}" style="color:#0b5394;text-decoration:none">${e(title)}</a>`
    : e(title);
  const meta = [...new Set([article.feedId, hostOf(article.url)].filter((s) => s !== null))].join(' · ');
  const when = localTime(article.published, d.day, d.timezone);
  const time = article.published ? `<time datetime="${e(article.published)}">${e(when)}</time>` : e(when);
  const quote = entry.evidence
    ? `<blockquote style="margin:4px 0 0;padding:2px 10px;border-left:3px solid #ddd;color:#555">${e(truncate(entry.evidence, MAX_EVIDENCE_CHARS))}</blockquote>`
    : '';
  return `<li style="margin:0 0 10px">${link}<br><span style="color:#777;font-size:13px">${e(meta)} · ${time}</span>${quote}</li>`;
}

function entriesHtml(entries: DigestEntry[], d: Digest): string {
  return `<ul style="list-style:none;padding:0;margin:0 0 16px">${entries.map((x) => entryHtml(x, d)).join('\n')}</ul>`;
}

function groupHtml(g: DigestGroup, d: Digest): string {
  return `<h3 style="font-size:16px;margin:16px 0 6px">${e(g.name)} <span style="color:#777;font-weight:normal">— ${e(plural(g.count, 'article'))}</span></h3>\n${entriesHtml(g.entries, d)}`;
}

/**
 * The digest as a complete HTML document with inline CSS (mail clients drop `<style>` blocks and
 * external sheets). Same sections as the Markdown; every string is escaped with escape-html and only
 * http(s) URLs become links.
 *
 * @example
 * ```ts
 * const html = renderDigestHtml(digest); // '<!doctype html>\n<html lang="en">…</html>\n'
 * ```
 */
export function renderDigestHtml(d: Digest): string {
  const h2 = (text: string) =>
    `<h2 style="font-size:18px;margin:24px 0 4px;border-bottom:1px solid #eee;padding-bottom:4px">${e(text)}</h2>`;
  const body: string[] = [
    `<h1 style="font-size:22px;margin:0 0 4px">${e(`${TITLE} — ${d.day}`)}</h1>`,
    `<p style="margin:0 0 16px;color:#555">${e(summaryLine(d))}</p>`,
  ];
  if (d.relevant === 0) body.push('<p>No relevant articles on this day.</p>');
  if (d.phases.length > 0) body.push(h2('By phase'), ...d.phases.map((g) => groupHtml(g, d)));
  if (d.actors.length > 0) body.push(h2('By actor'), ...d.actors.map((g) => groupHtml(g, d)));
  if (d.untagged) {
    body.push(
      h2(`Untagged relevant — ${plural(d.untagged.count, 'article')}`),
      entriesHtml(d.untagged.entries, d),
    );
  }
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(digestSubject(d))}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:15px;line-height:1.45;color:#222;max-width:720px;margin:0 auto;padding:16px">
${body.join('\n')}
</body>
</html>
`;
}

/**
 * The email subject: day, relevant-article count and the per-phase counts, on one line.
 *
 * @example
 * ```ts
 * digestSubject(digest); // 'Gaza ceasefire digest 2025-12-18: 3 relevant articles (Phase two: 2)'
 * ```
 */
export function digestSubject(d: Digest): string {
  const phases = d.phases.slice(0, MAX_SUBJECT_PHASES).map((g) => `${g.name}: ${g.count}`);
  const subject =
    `${TITLE} ${d.day}: ${plural(d.relevant, 'relevant article')}` +
    (phases.length ? ` (${phases.join(', ')})` : '');
  return oneLine(subject);
}
