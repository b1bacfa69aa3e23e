/**
 * The daily (or weekly) digest as Markdown (the file under digests/ and the email's text part), as a
 * small standalone HTML document (the email's HTML part: inline CSS, inline SVG chart, no script, no
 * external resource) and as an email subject. Pure: Digest in, strings out. The JSON copy is
 * render-digest-json.ts; the chart render-chart.ts.
 */
import escapeHtml from 'escape-html';
import { DateTime } from 'luxon';
import type { Digest, DigestEntry, DigestEntryTag, DigestGroup, DigestSource } from './build-digest.ts';
import { countListed, limitListing } from './limit-listing.ts';
import { renderChartSvg } from './render-chart.ts';

const TITLE = 'Gaza ceasefire digest';
const WEEKLY_TITLE = 'Gaza ceasefire weekly digest';
/** Evidence sentences are quotes, not articles: cut long ones so a group stays scannable. */
const MAX_EVIDENCE_CHARS = 300;
/** Phases named in the subject; there are three in the taxonomy, so this only guards odd configs. */
const MAX_SUBJECT_PHASES = 3;
/**
 * Bytes (UTF-8) of the whole HTML document at most. Gmail clips a message whose HTML exceeds about
 * 102 KB ("[Message clipped]", the rest behind a link most readers never follow); 95 KB leaves room for
 * the few percent that transfer encodings and the mail client's own wrapping add (clipping was
 * observed between 102 and 105 KB depending on the encoding).
 */
export const MAX_DIGEST_HTML_BYTES = 95_000;
/**
 * Stories listed in the email at most (top stories included), before the byte budget cuts further.
 * Measured on tests/digest/sample-days.ts: an entry weighs 0.7 KB (reported day: short title, one
 * source) to 2.2 KB (heavy day: 190-character title, four sources, a 300-character quote); headings,
 * counts table (6 KB for 43 tags) and chart (10 KB) take 14 to 18 KB. So 40 entries of up to 1.9 KB
 * fit, a heavy day's 2.2 KB ones are cut to 33, and more than 40 would not be read in an email anyway.
 * The Markdown and JSON files list more (up to `maxPerGroup` per group).
 */
export const MAX_EMAIL_STORIES = 40;
/** Tags named beside an entry ("Hamas · Qatar · Phase two +3"): a few identify the story; all would be a list. */
export const MAX_ENTRY_TAGS = 4;
/** Sources linked per entry in the HTML: a wire story can have dozens of copies, five show its reach. */
const MAX_HTML_SOURCES = 5;
/** Titles longer than this are extraction accidents (a lead paragraph taken as title): cut, not listed whole. */
const MAX_TITLE_CHARS = 200;

/**
 * Line breaks of every kind and other control characters. `\s` alone misses NEL (U+0085) and C0/C1
 * controls, and this Markdown is also the email's plain-text part: a source title must not start a
 * line of its own there (a fake heading, entry or `Bcc:` line).
 */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL_OR_LINE_BREAK = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;

function oneLine(s: string): string {
  return s.replace(CONTROL_OR_LINE_BREAK, ' ').replace(/\s+/g, ' ').trim();
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

function moreText(n: number): string {
  return `+${n} more`;
}

function sourceLabel(s: DigestSource): string {
  return [...new Set([s.feedId, hostOf(s.url)].filter((x) => x !== null))].join(' · ');
}

/** `Hamas · Qatar · Phase two +3`: the story's first tags, the rest counted. */
function tagsText(tags: DigestEntryTag[]): string {
  const shown = tags.slice(0, MAX_ENTRY_TAGS).map((t) => oneLine(t.name));
  const rest = tags.length - shown.length;
  return `${shown.join(' · ')}${rest > 0 ? ` +${rest}` : ''}`;
}

/** Listed groups of a section: a group whose stories are all listed elsewhere has no heading. */
function listedGroups(groups: DigestGroup[]): DigestGroup[] {
  return groups.filter((g) => g.entries.length > 0);
}

/** Stories counted but not listed anywhere in `d` (per-group caps, or the email's budget). */
function notListed(d: Digest): number {
  return Math.max(0, d.stories - countListed(d));
}

function notListedText(n: number): string {
  return `+${n} more ${n === 1 ? 'story' : 'stories'} not listed; At a glance counts them all.`;
}

const GLANCE_INTRO =
  'Stories per phase and actor, each story counted under every tag it carries. Below, each story is listed once, under the phase or actor it is most about.';

function glanceRows(d: Digest): { label: 'Phase' | 'Actor'; groups: DigestGroup[] }[] {
  return [
    { label: 'Phase' as const, groups: d.phases },
    { label: 'Actor' as const, groups: d.actors },
  ].filter((t) => t.groups.length > 0);
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
  const title = mdText(truncate(article.title, MAX_TITLE_CHARS)) || '(untitled)';
  const href = webUrl(article.url);
  const source = [article.feedId, hostOf(article.url)].filter((s) => s !== null).map(mdText);
  const meta = [...new Set(source)].join(' · ');
  const when = localTime(article.published, d.day, d.timezone);
  const lines = [`- ${href ? `[${title}](<${href}>)` : title} — ${meta} · ${when}`];
  if (entry.tags.length > 0) lines.push(`  About: ${mdText(tagsText(entry.tags))}`);
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
  return [`### ${mdText(g.name)}`, '', ...entriesMarkdown(g, d)].join('\n');
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

/** One table per kind (stories, and the delta when previous counts were given), then the untagged count. */
function glanceMarkdown(d: Digest): string[] {
  if (d.relevant === 0) return [];
  const vs = `vs previous ${periodWord(d)}`;
  const tables = glanceRows(d).map(({ label, groups }) => {
    const head = d.hasPrevious ? `| ${label} | Stories | ${vs} |` : `| ${label} | Stories |`;
    const rule = d.hasPrevious ? '| --- | ---: | ---: |' : '| --- | ---: |';
    const rows = groups.map(
      (g) => `| ${mdText(g.name)} | ${g.count} |${d.hasPrevious ? ` ${formatDelta(g.delta)} |` : ''}`,
    );
    return [head, rule, ...rows].join('\n');
  });
  const untagged = d.untagged ? [`Untagged relevant: ${stories(d.untagged.count)}`] : [];
  return ['## At a glance', GLANCE_INTRO, ...tables, ...untagged];
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
 * actors (with previous counts), `## Top stories`, `## At a glance` (stories per phase and per actor,
 * with `▲ n`/`▼ n` vs the previous period), the chart's numbers as a table (with history), then
 * `## By phase`, `## By actor` and `## Untagged relevant`, one `###` per group that has stories placed
 * in it. Each story is listed once: linked title, feed · host · local time, `About:` its phases and
 * actors, its other sources, the group tag's evidence quoted below; `- +N more` after a capped group
 * and a closing line counting every story not listed. All article text is escaped, so a title cannot
 * inject links, HTML or headings into a rendered copy.
 *
 * Unlike the HTML, the Markdown has no byte budget: it is the archived file (and the email's text
 * part, which mail clients show only when they cannot show the HTML), so it lists every story the
 * digest lists — up to `maxPerGroup` per group.
 *
 * @example
 * ```ts
 * renderDigestMarkdown(buildDigest({ day: '2025-12-18', timezone: 'UTC', articles }));
 * // '# Gaza ceasefire digest — 2025-12-18\n\n3 relevant articles · times in UTC\n\n## Top stories\n…'
 * ```
 */
export function renderDigestMarkdown(d: Digest): string {
  const parts = [`# ${mdText(heading(d))}`, summaryLine(d)];
  if (d.relevant === 0) parts.push(emptyText(d));
  if (d.newActors.length > 0) {
    parts.push(`**Newly appearing:** ${mdText(newActorsText(d))}`);
  }
  if (d.topStories.length > 0) {
    parts.push('## Top stories', d.topStories.map((x) => entryMarkdown(x, d)).join('\n'));
  }
  parts.push(...glanceMarkdown(d), ...chartMarkdown(d));
  for (const [title, groups] of [
    ['By phase', listedGroups(d.phases)],
    ['By actor', listedGroups(d.actors)],
  ] as const) {
    if (groups.length > 0) parts.push(`## ${title}`, ...groups.map((g) => groupMarkdown(g, d)));
  }
  if (d.untagged && d.untagged.entries.length > 0) {
    parts.push('## Untagged relevant', entriesMarkdown(d.untagged, d).join('\n'));
  }
  if (notListed(d) > 0) parts.push(notListedText(notListed(d)));
  return `${parts.join('\n\n')}\n`;
}

const e = escapeHtml;

const SMALL = 'color:#555;font-size:13px';

function entryHtml(entry: DigestEntry, d: Digest): string {
  const { article } = entry;
  const title = truncate(article.title, MAX_TITLE_CHARS) || '(untitled)';
  const href = webUrl(article.url);
  const link = href
    ? `<a href="${e(href)}" style="color:#0b5394;text-decoration:none">${e(title)}</a>`
    : e(title);
  const meta = [...new Set([article.feedId, hostOf(article.url)].filter((s) => s !== null))].join(' · ');
  const when = localTime(article.published, d.day, d.timezone);
  const time = article.published ? `<time datetime="${e(article.published)}">${e(when)}</time>` : e(when);
  const about =
    entry.tags.length > 0 ? `<br><span style="${SMALL}">About: ${e(tagsText(entry.tags))}</span>` : '';
  const shown = entry.sources.slice(0, MAX_HTML_SOURCES).map((s) => sourceHtml(s, article.title));
  if (entry.sources.length > shown.length) shown.push(e(moreText(entry.sources.length - shown.length)));
  const others =
    entry.sources.length > 1
      ? `<br><span style="${SMALL}">${entry.sources.length} sources: ${shown.join(', ')}</span>`
      : '';
  const quote = entry.evidence
    ? `<blockquote style="margin:4px 0 0;padding:2px 10px;border-left:3px solid #ddd;color:#555">${e(truncate(entry.evidence, MAX_EVIDENCE_CHARS))}</blockquote>`
    : '';
  return `<li style="margin:0 0 10px">${link}<br><span style="color:#777;font-size:13px">${e(meta)} · ${time}</span>${about}${others}${quote}</li>`;
}

/** A copy's link; its title as a tooltip only when it differs from the shown one (most copies keep it). */
function sourceHtml(s: DigestSource, shownTitle: string): string {
  const href = webUrl(s.url);
  const text = e(sourceLabel(s) || '(unknown)');
  const title = truncate(s.title, MAX_TITLE_CHARS);
  const tooltip = title === truncate(shownTitle, MAX_TITLE_CHARS) ? '' : ` title="${e(title)}"`;
  return href ? `<a href="${e(href)}"${tooltip} style="color:#0b5394">${text}</a>` : text;
}

function entriesHtml(entries: DigestEntry[], d: Digest, more = 0): string {
  const items = entries.map((x) => entryHtml(x, d));
  if (more > 0) items.push(`<li style="margin:0 0 10px;color:#555">${e(moreText(more))}</li>`);
  return `<ul style="list-style:none;padding:0;margin:0 0 16px">${items.join('\n')}</ul>`;
}

/** Green for more attention, red for less: the colour repeats the arrow, it never replaces it. */
function deltaCell(g: DigestGroup, d: Digest): string {
  if (g.delta === null) return '<td></td>';
  const color = g.delta > 0 ? '#137333' : g.delta < 0 ? '#a50e0e' : '#777';
  return `<td align="right" style="color:${color}" title="${e(`previous ${periodWord(d)}: ${g.previous ?? 0}`)}">${e(formatDelta(g.delta))}</td>`;
}

/**
 * The counts as one table, a header row per kind. Attributes (`cellpadding`, `align`) rather than a
 * style per cell: every mail client honours them, and the 43-tag table of a heavy day stays 6 KB.
 */
function glanceHtml(d: Digest): string {
  const vs = d.hasPrevious ? `<th align="right">vs previous ${e(periodWord(d))}</th>` : '';
  const rows = glanceRows(d).flatMap(({ label, groups }) => [
    `<tr><th align="left">${label}</th><th align="right">Stories</th>${vs}</tr>`,
    ...groups.map(
      (g) =>
        `<tr><td>${e(g.name)}</td><td align="right">${g.count}</td>${d.hasPrevious ? deltaCell(g, d) : ''}</tr>`,
    ),
  ]);
  if (d.untagged) {
    rows.push(
      `<tr><th align="left">Untagged relevant</th><td align="right">${d.untagged.count}</td>${d.hasPrevious ? '<td></td>' : ''}</tr>`,
    );
  }
  return (
    `<p style="margin:0 0 6px;${SMALL}">${e(GLANCE_INTRO)}</p>\n` +
    `<table cellpadding="3" cellspacing="0" style="border-collapse:collapse;font-size:14px;margin:0 0 16px">\n${rows.join('\n')}\n</table>`
  );
}

function groupHtml(g: DigestGroup, d: Digest): string {
  return `<h3 style="font-size:16px;margin:16px 0 6px">${e(g.name)}</h3>\n${entriesHtml(g.entries, d, g.more)}`;
}

/** The closing note of an email that lists fewer stories than the files: how many, and where they are. */
function notListedHtml(d: Digest, listedInFiles: number): string {
  const missing = notListed(d);
  if (missing === 0) return '';
  const cut = Math.max(0, listedInFiles - countListed(d));
  const where =
    cut === 0
      ? ''
      : ` ${cut === missing ? `All ${cut} are` : `${cut} of them are`} listed in this digest's Markdown and JSON files, left out of this email to keep it under mail clients' size limit.`;
  return `<p style="margin:16px 0 0;color:#555">${e(notListedText(missing) + where)}</p>`;
}

/** The document for `d` as listed; `listedInFiles` is what the uncut digest lists, for the closing note. */
function htmlDocument(d: Digest, listedInFiles: number): string {
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
    body.push(h2('Top stories'), entriesHtml(d.topStories, d));
  }
  if (d.relevant > 0) body.push(h2('At a glance'), glanceHtml(d));
  if (d.chart) {
    body.push(
      h2(chartTitle(d)),
      `<div style="margin:8px 0 16px">${renderChartSvg(d.chart, chartTitle(d))}</div>`,
    );
  }
  for (const [title, groups] of [
    ['By phase', listedGroups(d.phases)],
    ['By actor', listedGroups(d.actors)],
  ] as const) {
    if (groups.length > 0) body.push(h2(title), ...groups.map((g) => groupHtml(g, d)));
  }
  if (d.untagged && d.untagged.entries.length > 0) {
    body.push(h2('Untagged relevant'), entriesHtml(d.untagged.entries, d, d.untagged.more));
  }
  const note = notListedHtml(d, listedInFiles);
  if (note) body.push(note);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(digestSubject(d))}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:15px;line-height:1.45;color:#222;max-width:720px;margin:0 auto;padding:16px">
${body.join('\n')}
</body>
</html>
`;
}

function htmlBytes(html: string): number {
  return Buffer.byteLength(html, 'utf8');
}

/**
 * The digest as a complete HTML document with inline CSS (mail clients drop `<style>` blocks and
 * external sheets): the same sections as the Markdown, with the counts as a table and the chart as
 * inline SVG; every string is escaped with escape-html and only http(s) URLs become links.
 * Standalone: opened from a file or a screenshot it needs nothing else.
 *
 * Sized for the inbox: at most MAX_EMAIL_STORIES stories are listed (top stories first, then dealt
 * round-robin across groups by limitListing), and fewer if the document would still exceed
 * MAX_DIGEST_HTML_BYTES — the largest count that fits, found by bisection since every listed story
 * adds bytes. A closing line says how many stories are not listed and how many of them the Markdown
 * and JSON files list. The counts table, chart and headings are never cut: a digest whose table
 * alone exceeds the budget (hundreds of actors) is returned with no story listed, over budget.
 *
 * @example
 * ```ts
 * const html = renderDigestHtml(digest); // '<!doctype html>\n<html lang="en">…</html>\n'
 * Buffer.byteLength(html) <= MAX_DIGEST_HTML_BYTES; // true
 * ```
 */
export function renderDigestHtml(d: Digest): string {
  const listedInFiles = countListed(d);
  const render = (n: number) => htmlDocument(limitListing(d, n), listedInFiles);
  const most = Math.min(MAX_EMAIL_STORIES, listedInFiles);
  const full = render(most);
  if (htmlBytes(full) <= MAX_DIGEST_HTML_BYTES) return full;
  // lo fits (or is 0, which is returned regardless); hi is the most that might.
  let lo = 0;
  let hi = most - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (htmlBytes(render(mid)) <= MAX_DIGEST_HTML_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return render(lo);
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
