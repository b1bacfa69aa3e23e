/**
 * What the alerts did, on the dashboard: the delivery log per rule and channel (`/alerts`,
 * `/api/deliveries`), the digest archive (`/digests`, `/api/digests`, one digest at
 * `/digests/<period>/<day>`), the rules with their Atom links (`/rules`, `/api/rules`), and the per-rule
 * Atom feeds themselves (`/alerts/<rule-id>.atom`), answered by the same function as the standalone
 * feed server on ALERT_FEEDS_PORT (serve-alert-feeds.ts), so both ports give the same document and ETag.
 */
import { access, readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AlertRule } from '../model.ts';
import { ruleFeedOptions } from '../pipeline/alert-feeds.ts';
import type { Db } from '../store/db.ts';
import {
  countDeliveriesByStatus,
  DELIVERY_STATUSES,
  DeliveryFiltersSchema,
  searchDeliveries,
  summarizeSentByRule,
  type DeliveryCounts,
  type DeliveryFilters,
  type DeliveryLogEntry,
} from '../store/deliveries.ts';
import { listDigests, type ArchivedDigest } from '../store/digests.ts';
import { html, type SafeHtml } from './html.ts';
import { badQuery, sendPage } from './replies.ts';
import { answerAlertFeed } from './serve-alert-feeds.ts';

/** What these routes need of the dashboard's dependencies (DashboardDeps has it). */
export interface AlertRoutesDeps {
  db: Db;
  /** The loaded alert rules. @defaultValue none: no rules listed, every feed a 404 */
  rules?: () => readonly AlertRule[];
}

/**
 * "Recently sent" on the rules page: a week, the span of the weekly digest, so a rule's count reads
 * against it; and long enough that a rule firing a few times a week does not show 0 most days.
 */
export const RECENT_SENT_DAYS = 7;

/**
 * The stored digest HTML (src/digest/render-digest.ts) is styled with style attributes only, because
 * mail clients drop `<style>` blocks and external sheets; the dashboard's policy (`style-src 'self'`)
 * would show it unstyled. So this route alone allows inline style, and nothing else: no script from
 * anywhere (default-src 'none'), no fetches (a CSS url() cannot leak anything), images only as data:
 * URLs, no forms, no framing, and `sandbox` without allow-scripts puts the document in an opaque
 * origin, so even markup that slipped past the renderer's escaping could not act as the dashboard.
 */
export const DIGEST_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; " +
  "frame-ancestors 'none'; base-uri 'none'; sandbox";

export const DigestArchiveQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

/** `/digests/<period>/<day>`: the HTML; `<day>.md` the Markdown; `<day>.json` the JSON. */
const DigestKeySchema = z.object({
  period: z.enum(['daily', 'weekly']),
  file: z.string().regex(/^\d{4}-\d{2}-\d{2}(\.md|\.json)?$/),
});

/** Which zone's digest, when the digest time zone was changed and a day has two; default: the latest. */
const DigestZoneSchema = z.object({ timezone: z.string().trim().min(1).max(100).optional() });

function notFound(reply: FastifyReply, asJson: boolean, what: string) {
  reply.code(404);
  return asJson ? { error: what } : sendPage(reply, 'Not found', html`<p class="error">${what}</p>`);
}

const atomPath = (ruleId: string) => `/alerts/${ruleId}.atom`;

function time(iso: string | null, none = ''): SafeHtml | string {
  return iso ? html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>` : none;
}

function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]));
  return new URLSearchParams(entries).toString();
}

function pager(path: string, filters: Record<string, string | undefined>, at: Paging, total: number) {
  const next = at.offset + at.limit < total ? at.offset + at.limit : null;
  const prev = at.offset > 0 ? Math.max(0, at.offset - at.limit) : null;
  const href = (offset: number) => `${path}?${query({ ...filters, limit: at.limit, offset })}`;
  return html`<nav class="pages">
      ${prev === null ? '' : html`<a rel="prev" href="${href(prev)}">newer</a>`}
      ${next === null ? '' : html`<a rel="next" href="${href(next)}">older</a>`}
    </nav>`;
}

interface Paging {
  limit: number;
  offset: number;
}

// ---- the delivery log

function select(name: string, label: string, chosen: string | undefined, options: readonly string[]) {
  const option = (value: string) =>
    html`<option value="${value}"${chosen === value ? html` selected` : ''}>${value}</option>`;
  return html`<label>${label}
    <select name="${name}"><option value="">any</option>${options.map(option)}</select></label>`;
}

function countsTable(counts: readonly DeliveryCounts[]): SafeHtml {
  if (counts.length === 0) return html`<p class="count">No deliveries yet.</p>`;
  const cell = (c: DeliveryCounts, status: string | undefined, n: number) => {
    const href = `/alerts?${query({ rule: c.ruleId, channel: c.channel, status })}`;
    return html`<td class="n${n === 0 ? ' zero' : ''}">${n === 0 ? '0' : html`<a href="${href}">${n}</a>`}</td>`;
  };
  const row = (c: DeliveryCounts) =>
    html`<tr data-rule="${c.ruleId}" data-channel="${c.channel}"><td>${c.ruleId}</td><td>${c.channel}</td>
      ${DELIVERY_STATUSES.map((s) => cell(c, s, c.counts[s]))}${cell(c, undefined, c.total)}</tr>`;
  return html`<table class="feeds counts">
    <thead><tr><th>Rule</th><th>Channel</th>${DELIVERY_STATUSES.map((s) => html`<th>${s}</th>`)}<th>all</th></tr></thead>
    <tbody>${counts.map(row)}</tbody>
  </table>`;
}

/** The latest of sent, held, claimed, named: a failed delivery's time is its last claim's. */
function lastActivity(d: DeliveryLogEntry): SafeHtml | string {
  if (d.sentAt) return html`sent ${time(d.sentAt)}`;
  if (d.heldAt) return html`held ${time(d.heldAt)}`;
  if (d.claimedAt) return html`claimed ${time(d.claimedAt)}`;
  return '';
}

function deliveryRow(d: DeliveryLogEntry): SafeHtml {
  const attempts = d.attempts === 1 ? '1 attempt' : `${d.attempts} attempts`;
  return html`<tr data-delivery="${d.id}">
      <td><a href="/rules#rule-${d.ruleId}">${d.ruleId}</a></td>
      <td>${d.channel}</td>
      <td><span class="status status-${d.status}">${d.status}</span></td>
      <td><a href="/articles/${d.articleId}">${d.articleTitle}</a> <span class="feed">${d.feedId}</span></td>
      <td>${time(d.createdAt)}</td>
      <td>${lastActivity(d)}</td>
      <td>${attempts}</td>
      <td class="error">${d.lastError ?? ''}</td>
    </tr>`;
}

interface AlertsPageData {
  filters: DeliveryFilters;
  total: number;
  deliveries: DeliveryLogEntry[];
  counts: DeliveryCounts[];
  ruleIds: string[];
  channels: string[];
}

function alertsPage(data: AlertsPageData): SafeHtml {
  const { filters } = data;
  const chosen = { rule: filters.rule, channel: filters.channel, status: filters.status };
  return html`<h2>Deliveries by rule and channel</h2>
    ${countsTable(data.counts)}
    <h2>Delivery log</h2>
    <form class="filters" method="get" action="/alerts">
      ${select('rule', 'Rule', filters.rule, data.ruleIds)}
      ${select('channel', 'Channel', filters.channel, data.channels)}
      ${select('status', 'Status', filters.status, DELIVERY_STATUSES)}
      <button type="submit">Show</button>
    </form>
    <p class="count">${data.total} ${data.total === 1 ? 'delivery' : 'deliveries'}, newest first</p>
    <table class="feeds deliveries">
      <thead><tr><th>Rule</th><th>Channel</th><th>Status</th><th>Article</th><th>Created</th><th>Last</th><th>Attempts</th><th>Last error</th></tr></thead>
      <tbody>${data.deliveries.map(deliveryRow)}</tbody>
    </table>
    ${pager('/alerts', chosen, filters, data.total)}`;
}

// ---- the digest archive

/** Counts from the digest's JSON copy (render-digest-json.ts), null when it is missing or unreadable. */
interface DigestCounts {
  total: number;
  relevant: number | null;
  stories: number | null;
}

/**
 * The JSON copy's path: buildDailyDigest (src/pipeline/steps.ts) writes `<base>.json` beside the
 * recorded `<base>.md` and `<base>.html`, and the table keeps no column for it.
 */
function jsonPathOf(digest: ArchivedDigest): string | null {
  const recorded = digest.markdownPath ?? digest.htmlPath;
  return recorded ? recorded.replace(/\.(md|html)$/, '.json') : null;
}

async function readStored(file: string | null): Promise<string | null> {
  if (file === null) return null;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    // A digest directory cleaned by hand: the record stays, the file is gone.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function exists(file: string | null): Promise<boolean> {
  if (file === null) return false;
  return access(file).then(
    () => true,
    () => false,
  );
}

async function digestCounts(digest: ArchivedDigest): Promise<DigestCounts | null> {
  const text = await readStored(jsonPathOf(digest));
  if (text === null) return null;
  try {
    const json = JSON.parse(text) as { total?: unknown; relevant?: unknown; stories?: unknown };
    if (typeof json.total !== 'number') return null;
    const n = (v: unknown) => (typeof v === 'number' ? v : null);
    return { total: json.total, relevant: n(json.relevant), stories: n(json.stories) };
  } catch {
    return null;
  }
}

function digestHref(d: ArchivedDigest, suffix = ''): string {
  return `/digests/${d.period}/${d.day}${suffix}?${query({ timezone: d.timezone })}`;
}

/** A digest as the archive lists it, with where to read each stored form. */
async function archiveEntry(d: ArchivedDigest) {
  const [counts, hasHtml, hasMarkdown] = await Promise.all([
    digestCounts(d),
    exists(d.htmlPath),
    exists(d.markdownPath),
  ]);
  return {
    day: d.day,
    period: d.period,
    timezone: d.timezone,
    builtAt: d.createdAt,
    emailed: d.emailed,
    articles: counts?.total ?? null,
    relevant: counts?.relevant ?? null,
    stories: counts?.stories ?? null,
    links: {
      html: hasHtml ? digestHref(d) : null,
      markdown: hasMarkdown ? digestHref(d, '.md') : null,
      json: counts ? digestHref(d, '.json') : null,
    },
  };
}
type ArchiveEntry = Awaited<ReturnType<typeof archiveEntry>>;

function digestsPage(entries: readonly ArchiveEntry[], total: number, paging: Paging): SafeHtml {
  const link = (href: string | null, text: string) => (href ? html`<a href="${href}">${text}</a>` : '');
  const row = (e: ArchiveEntry) =>
    html`<tr data-digest="${e.period}/${e.day}">
      <td>${e.links.html ? link(e.links.html, e.day) : e.day}</td>
      <td>${e.period}</td>
      <td>${e.timezone}</td>
      <td class="n">${e.articles ?? ''}</td>
      <td class="n">${e.relevant ?? ''}</td>
      <td>${time(e.builtAt)}</td>
      <td>${e.emailed ? 'yes' : 'no'}</td>
      <td>${link(e.links.markdown, 'Markdown')} ${link(e.links.json, 'JSON')}</td>
    </tr>`;
  return html`<p class="count">${total} ${total === 1 ? 'digest' : 'digests'}, newest first</p>
    <table class="feeds counts digests">
      <thead><tr><th>Day</th><th>Period</th><th>Time zone</th><th>Articles</th><th>Relevant</th><th>Built</th><th>Emailed</th><th>Other forms</th></tr></thead>
      <tbody>${entries.map(row)}</tbody>
    </table>
    ${pager('/digests', {}, paging, total)}`;
}

// ---- the rules

/** A rule as `/rules` and `/api/rules` show it: its conditions, channels, limits and what it sent. */
function ruleView(rule: AlertRule, sent: { sentSince: number; lastSentAt: string | null } | undefined) {
  return {
    id: rule.id,
    description: rule.description ?? null,
    actors: rule.actors,
    phases: rule.phases,
    keywords: rule.keywords,
    when: rule.when ?? null,
    feeds: rule.feeds ?? [],
    salience: rule.salience ?? 'any',
    relevantOnly: rule.relevantOnly,
    channels: rule.channels,
    maxPerHour: rule.maxPerHour ?? null,
    quietHours: rule.quietHours ?? null,
    atom: atomPath(rule.id),
    sentRecently: sent?.sentSince ?? 0,
    recentDays: RECENT_SENT_DAYS,
    lastSentAt: sent?.lastSentAt ?? null,
  };
}
type RuleView = ReturnType<typeof ruleView>;

function rulesPage(rules: readonly RuleView[]): SafeHtml {
  if (rules.length === 0)
    return html`<p class="count">No alert rules are configured (config/alerts.yaml).</p>`;
  const list = (ids: readonly string[]) => (ids.length > 0 ? ids.join(', ') : null);
  const item = (label: string, value: SafeHtml | string | null) =>
    value === null ? '' : html`<dt>${label}</dt><dd>${value}</dd>`;
  const rule = (r: RuleView) => html`<li class="story" id="rule-${r.id}" data-rule="${r.id}">
      <h3>${r.id}</h3>
      ${r.description ? html`<p class="snippet">${r.description}</p>` : ''}
      <p class="meta">
        <a href="${r.atom}" type="application/atom+xml">Atom feed</a>
        <a href="/alerts?${query({ rule: r.id })}">deliveries</a>
        <span class="count">${r.sentRecently} sent in ${r.recentDays} days${r.lastSentAt ? html`, last ${time(r.lastSentAt)}` : ''}</span>
      </p>
      <dl class="rule">
        ${item('Actors', list(r.actors))}
        ${item('Phases', list(r.phases))}
        ${item('Keywords', list(r.keywords))}
        ${item('When', r.when === null ? null : html`<code class="expression">${r.when}</code>`)}
        ${item('Feeds', list(r.feeds))}
        ${item('Where', r.salience === 'any' ? null : `in the ${r.salience}`)}
        ${item('Relevant only', r.relevantOnly ? 'yes' : 'no')}
        ${item('Channels', list(r.channels))}
        ${item('At most', r.maxPerHour === null ? null : `${r.maxPerHour} an hour per channel`)}
        ${item('Quiet hours', r.quietHours === null ? null : `${r.quietHours.from}–${r.quietHours.to}`)}
      </dl>
    </li>`;
  return html`<ol class="stories rules">${rules.map(rule)}</ol>`;
}

/** `<link rel="alternate">` to these rules' feeds, so a browser or feed reader finds them from the page. */
function feedLinks(ruleIds: readonly string[]): SafeHtml {
  return html`${ruleIds.map(
    (id) =>
      html`<link rel="alternate" type="application/atom+xml" title="Alerts: ${id}" href="${atomPath(id)}">`,
  )}`;
}

/**
 * Adds the delivery log, the digest archive, the rules and the rule Atom feeds to the dashboard.
 *
 * @example
 * registerAlertRoutes(app, deps); // inside createDashboard, after the hooks
 */
export function registerAlertRoutes(app: FastifyInstance, deps: AlertRoutesDeps): void {
  const { db } = deps;
  const rules = () => deps.rules?.() ?? [];

  const deliveryLog = async (filters: DeliveryFilters) => {
    const [found, counts] = await Promise.all([searchDeliveries(db, filters), countDeliveriesByStatus(db)]);
    return { ...found, counts };
  };

  app.get('/alerts', async (request, reply) => {
    const parsed = DeliveryFiltersSchema.safeParse(request.query);
    if (!parsed.success) return badQuery(reply, parsed.error, false);
    const log = await deliveryLog(parsed.data);
    const configured = rules().map((r) => r.id);
    const ruleIds = [...new Set([...configured, ...log.counts.map((c) => c.ruleId)])].sort();
    const channels = [
      ...new Set([...rules().flatMap((r) => r.channels), ...log.counts.map((c) => c.channel)]),
    ].sort();
    const rule = parsed.data.rule;
    const head = rule !== undefined && configured.includes(rule) ? feedLinks([rule]) : null;
    return sendPage(
      reply,
      'Alert deliveries',
      alertsPage({ filters: parsed.data, ...log, ruleIds, channels }),
      head,
    );
  });

  app.get('/api/deliveries', async (request, reply) => {
    const parsed = DeliveryFiltersSchema.safeParse(request.query);
    if (!parsed.success) return badQuery(reply, parsed.error, true);
    const log = await deliveryLog(parsed.data);
    return {
      total: log.total,
      limit: parsed.data.limit,
      offset: parsed.data.offset,
      deliveries: log.deliveries,
      counts: log.counts,
    };
  });

  // The same answer as the standalone feed server; open without a token on loopback like every GET,
  // so a feed reader on the machine subscribes as it would to the ALERT_FEEDS_PORT server.
  app.get('/alerts/:file', async (request, reply) => {
    const answer = await answerAlertFeed(
      ruleFeedOptions(db, rules(), (error, ruleId) =>
        request.log.error({ rule_id: ruleId, err: String(error) }, 'alert feed failed'),
      ),
      {
        method: request.method,
        url: request.url,
        host: request.headers.host,
        ifNoneMatch: request.headers['if-none-match'],
      },
    );
    if (answer.status === 404) return reply.callNotFound();
    reply.code(answer.status).headers(answer.headers);
    return reply.send(answer.status === 304 ? undefined : answer.body);
  });

  const archive = async (paging: Paging) => {
    const { total, digests } = await listDigests(db, paging);
    return { total, entries: await Promise.all(digests.map(archiveEntry)) };
  };

  app.get('/digests', async (request, reply) => {
    const parsed = DigestArchiveQuerySchema.safeParse(request.query);
    if (!parsed.success) return badQuery(reply, parsed.error, false);
    const { total, entries } = await archive(parsed.data);
    return sendPage(reply, 'Digest archive', digestsPage(entries, total, parsed.data));
  });

  app.get('/api/digests', async (request, reply) => {
    const parsed = DigestArchiveQuerySchema.safeParse(request.query);
    if (!parsed.success) return badQuery(reply, parsed.error, true);
    const { total, entries } = await archive(parsed.data);
    return { total, limit: parsed.data.limit, offset: parsed.data.offset, digests: entries };
  });

  app.get(
    '/digests/:period/:file',
    {
      // Route hooks run after createDashboard's, so this replaces its policy on the stored document only.
      onSend: async (_request, reply, payload) => {
        const type = String(reply.getHeader('content-type') ?? '');
        if (reply.statusCode === 200 && type.startsWith('text/html')) {
          reply.header('content-security-policy', DIGEST_CONTENT_SECURITY_POLICY);
        }
        return payload;
      },
    },
    async (request, reply) => {
      const key = DigestKeySchema.safeParse(request.params);
      const zone = DigestZoneSchema.safeParse(request.query);
      if (!zone.success) return badQuery(reply, zone.error, false);
      if (!key.success) return notFound(reply, false, 'No such digest');
      const [day = '', form = 'html'] = key.data.file.split('.');
      const { digests } = await listDigests(db, {
        day,
        period: key.data.period,
        timezone: zone.data.timezone,
        limit: 1,
        offset: 0,
      });
      const digest = digests[0];
      if (!digest) return notFound(reply, false, 'No such digest');
      const file =
        form === 'md' ? digest.markdownPath : form === 'json' ? jsonPathOf(digest) : digest.htmlPath;
      const text = await readStored(file);
      if (text === null) return notFound(reply, false, 'The digest was recorded but its file is gone');
      const type =
        form === 'md'
          ? 'text/plain; charset=utf-8'
          : form === 'json'
            ? 'application/json; charset=utf-8'
            : 'text/html; charset=utf-8';
      return reply.type(type).send(text);
    },
  );

  const ruleViews = async () => {
    const since = new Date(Date.now() - RECENT_SENT_DAYS * 86_400_000).toISOString();
    const sent = new Map((await summarizeSentByRule(db, since)).map((s) => [s.ruleId, s]));
    return rules().map((r) => ruleView(r, sent.get(r.id)));
  };

  app.get('/rules', async (_request, reply) => {
    const views = await ruleViews();
    return sendPage(reply, 'Alert rules', rulesPage(views), feedLinks(views.map((r) => r.id)));
  });

  app.get('/api/rules', async () => ({ rules: await ruleViews() }));
}
