/**
 * The daily (or weekly) digest as Markdown (the file under digests/ and the email's text part), as a
 * small standalone HTML document (the email's HTML part: inline CSS, inline SVG chart, no script, no
 * external resource) and as an email subject. Pure: Digest in, strings out. The JSON copy is
 * render-digest-json.ts; the chart render-chart.ts.
 */
import escapeHtml from 'escape-html';
import { DateTime } from 'luxon';
import type { Digest, DigestEntry, DigestGroup, DigestSource, DigestStory } from './build-digest.ts';
import { renderChartSvg } from './render-chart.ts';

const TITLE = 'Gaza ceasefire digest';
const WEEKLY_TITLE = 'Gaza ceasefire weekly digest';
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

function stories(n: number): string {
  return `${n} ${n === 1 ? 'story' : 'stories'}`;
}

function periodWord(d: Digest): string {
  return d.period === 'weekly' ? 'week' : 'day';
}

function emptyText(d: Digest): string {
  return d.period === 'weekly' ? 'No relevant articles this week.' : 'No relevant articles on this day.';
}

function heading(d: Digest): string {
  return d.period === 'weekly' ? `${WEEKLY_TITLE} — ${d.from} to ${d.day}` : `${TITLE} — ${d.day}`;
}

/** `▲ 2`, `▼ 1` or `= 0` against the previous period; empty without previous counts. */
function formatDelta(delta: number | null): string {
  if (delta === null) return '';
  return delta > 0 ? `▲ ${delta}` : delta < 0 ? `▼ ${-delta}` : '= 0';
}

function deltaText(g: DigestGroup, d: Digest): string {
  return g.delta === null ? '' : ` (${formatDelta(g.delta)} vs previous ${periodWord(d)})`;
}

function groupHeading(g: DigestGroup, d: Digest): string {
  return `${g.name} — ${stories(g.count)}${deltaText(g, d)}`;
}

function moreText(n: number): string {
  return `+${n} more`;
}

function sourceLabel(s: DigestSource): string {
  return [...new Set([s.feedId, hostOf(s.url)].filter((x) => x !== null))].join(' · ');
}

function sourcesMarkdown(sources: DigestSource[]): string {
  const items = sources.map((s) => {
    const href = webUrl(s.url);
    const text = mdText(sourceLabel(s)) || '(unknown)';
    return href ? `[${text}](<${href}>)` : text;
  });
  return `  ${sources.length} sources: ${items.join(', ')}`;
}

function entryMarkdown(entry: DigestEntry, d: Digest): string {
  const { article } = entry;
  const title = mdText(article.title) || '(untitled)';
  const href = webUrl(article.url);
  const source = [article.feedId, hostOf(article.url)].filter((s) => s !== null).map(mdText);
  const meta = [...new Set(source)].join(' · ');
  const when = localTime(article.published, d.day, d.timezone);
  const lines = [`- ${href ? `[${title}](<${href}>)` : title} — ${meta} · ${when}`];
  if (entry.sources.length > 1) lines.push(sourcesMarkdown(entry.sources));
  if (entry.evidence) lines.push(`  > ${mdText(truncate(entry.evidence, MAX_EVIDENCE_CHARS))}`);
  return lines.join('\n');
}

function entriesMarkdown(g: DigestGroup, d: Digest): string[] {
  const lines = g.entries.map((e) => entryMarkdown(e, d));
  if (g.more > 0) lines.push(`- ${moreText(g.more)}`);
  return lines;
}

function groupMarkdown(g: DigestGroup, d: Digest): string {
  return [`### ${mdText(groupHeading(g, d))}`, '', ...entriesMarkdown(g, d)].join('\n');
}

function storyEntry(s: DigestStory): DigestEntry {
  return { article: s.article, evidence: null, mentions: 0, sources: s.sources };
}

function newActorsText(d: Digest): string {
  return d.newActors.map((a) => `${a.name} (${stories(a.count)})`).join(', ');
}

function chartTitle(d: Digest): string {
  const days = d.chart?.days ?? [];
  return `Mentions per actor, ${days[0] ?? ''} to ${days[days.length - 1] ?? ''}`;
}

/** The chart's numbers as a Markdown table, so the text part carries what the SVG shows. */
function chartMarkdown(d: Digest): string[] {
  if (!d.chart) return [];
  const { days, series } = d.chart;
  const head = `| Actor | ${days.map((x) => x.slice(5)).join(' | ')} | Total |`;
  const rule = `| --- | ${days.map(() => '---:').join(' | ')} | ---: |`;
  const rows = series.map((s) => `| ${mdText(s.name)} | ${s.counts.join(' | ')} | ${s.total} |`);
  return [`## ${mdText(chartTitle(d))}`, [head, rule, ...rows].join('\n')];
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
 * The digest as Markdown: a heading with the day (or week), a summary line, the newly appearing
 * actors (with previous counts), `## Top stories` with all their sources, the chart's numbers as a
 * table (with history), then `## By phase`, `## By actor` and `## Untagged relevant`, one `###` per
 * group with its story count and `▲ n`/`▼ n` vs the previous period, one bullet per story (linked
 * title, feed · host · local time, its other sources) and its evidence sentence quoted below, and
 * `- +N more` after a capped group. All article text
 * is escaped, so a title cannot inject links, HTML or headings into a rendered copy.
 *
 * @example
 * ```ts
 * renderDigestMarkdown(buildDigest({ day: '2025-12-18', timezone: 'UTC', articles }));
 * // '# Gaza ceasefire digest — 2025-12-18\n\n3 relevant articles · times in UTC\n\n## By phase\n…'
 * ```
 */
export function renderDigestMarkdown(d: Digest): string {
  const parts = [`# ${mdText(heading(d))}`, summaryLine(d)];
  if (d.relevant === 0) parts.push(emptyText(d));
  if (d.newActors.length > 0) {
    parts.push(`**Newly appearing:** ${mdText(newActorsText(d))}`);
  }
  if (d.topStories.length > 0) {
    parts.push('## Top stories', d.topStories.map((x) => entryMarkdown(storyEntry(x), d)).join('\n'));
  }
  parts.push(...chartMarkdown(d));
  if (d.phases.length > 0) parts.push('## By phase', ...d.phases.map((g) => groupMarkdown(g, d)));
  if (d.actors.length > 0) parts.push('## By actor', ...d.actors.map((g) => groupMarkdown(g, d)));
  if (d.untagged) {
    parts.push(
      `## Untagged relevant — ${stories(d.untagged.count)}`,
      entriesMarkdown(d.untagged, d).join('\n'),
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
  const others =
    entry.sources.length > 1
      ? `<br><span style="color:#555;font-size:13px">${entry.sources.length} sources: ${entry.sources.map(sourceHtml).join(', ')}</span>`
      : '';
  const quote = entry.evidence
    ? `<blockquote style="margin:4px 0 0;padding:2px 10px;border-left:3px solid #ddd;color:#555">${e(truncate(entry.evidence, MAX_EVIDENCE_CHARS))}</blockquote>`
    : '';
  return `<li style="margin:0 0 10px">${link}<br><span style="color:#777;font-size:13px">${e(meta)} · ${time}</span>${others}${quote}</li>`;
}

function sourceHtml(s: DigestSource): string {
  const href = webUrl(s.url);
  const text = e(sourceLabel(s) || '(unknown)');
  return href
    ? `<a href="${e(href)}" title="${e(oneLine(s.title))}" style="color:#0b5394">${text}</a>`
    : text;
}

function entriesHtml(entries: DigestEntry[], d: Digest, more = 0): string {
  const items = entries.map((x) => entryHtml(x, d));
  if (more > 0) items.push(`<li style="margin:0 0 10px;color:#555">${e(moreText(more))}</li>`);
  return `<ul style="list-style:none;padding:0;margin:0 0 16px">${items.join('\n')}</ul>`;
}

/** Green for more attention, red for less: the colour repeats the arrow, it never replaces it. */
function deltaHtml(g: DigestGroup, d: Digest): string {
  if (g.delta === null) return '';
  const color = g.delta > 0 ? '#137333' : g.delta < 0 ? '#a50e0e' : '#777';
  return ` <span style="color:${color};font-weight:normal;font-size:13px" title="${e(`previous ${periodWord(d)}: ${g.previous ?? 0}`)}">${e(formatDelta(g.delta))}</span>`;
}

function groupHtml(g: DigestGroup, d: Digest): string {
  return `<h3 style="font-size:16px;margin:16px 0 6px">${e(g.name)} <span style="color:#777;font-weight:normal">— ${e(stories(g.count))}</span>${deltaHtml(g, d)}</h3>\n${entriesHtml(g.entries, d, g.more)}`;
}

/**
 * The digest as a complete HTML document with inline CSS (mail clients drop `<style>` blocks and
 * external sheets). Same sections as the Markdown, with the chart drawn as inline SVG; every string is
 * escaped with escape-html and only http(s) URLs become links. Standalone: opened from a file or a
 * screenshot it needs nothing else.
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
    `<h1 style="font-size:22px;margin:0 0 4px">${e(heading(d))}</h1>`,
    `<p style="margin:0 0 16px;color:#555">${e(summaryLine(d))}</p>`,
  ];
  if (d.relevant === 0) body.push(`<p>${e(emptyText(d))}</p>`);
  if (d.newActors.length > 0) {
    body.push(`<p style="margin:0 0 16px"><strong>Newly appearing:</strong> ${e(newActorsText(d))}</p>`);
  }
  if (d.topStories.length > 0) {
    body.push(h2('Top stories'), entriesHtml(d.topStories.map(storyEntry), d));
  }
  if (d.chart) {
    body.push(
      h2(chartTitle(d)),
      `<div style="margin:8px 0 16px">${renderChartSvg(d.chart, chartTitle(d))}</div>`,
    );
  }
  if (d.phases.length > 0) body.push(h2('By phase'), ...d.phases.map((g) => groupHtml(g, d)));
  if (d.actors.length > 0) body.push(h2('By actor'), ...d.actors.map((g) => groupHtml(g, d)));
  if (d.untagged) {
    body.push(
      h2(`Untagged relevant — ${stories(d.untagged.count)}`),
      entriesHtml(d.untagged.entries, d, d.untagged.more),
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
    `${d.period === 'weekly' ? `${WEEKLY_TITLE} ${d.from} to ${d.day}` : `${TITLE} ${d.day}`}: ${plural(d.relevant, 'relevant article')}` +
    (phases.length ? ` (${phases.join(', ')})` : '');
  return oneLine(subject);
}
