/**
 * A small HTTP server for the per-rule Atom feeds: `GET /alerts/<rule-id>.atom`.
 *
 * Conditional requests: RFC 9110 §8.8.3 (ETag), §13.1.2 (If-None-Match, weak comparison), §15.4.5 (304).
 * Atom media type: RFC 4287 §7. Node: https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener
 *
 * The alerts come from a function parameter, not from src/store, so that the caller decides where
 * they live (the database in production, a list in tests).
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { buildAtomFeed } from '../alerts/atom-feed.ts';
import type { AlertFeedEntry } from '../alerts/atom-feed.ts';

export type { AlertFeedEntry } from '../alerts/atom-feed.ts';

export interface AlertFeedServerOptions {
  /** The alerts to show for a rule, any order (the feed sorts them newest first). */
  listAlerts: (ruleId: string) => Promise<AlertFeedEntry[]>;
  /** The rule ids that have a feed; any other id is a 404. */
  rules: string[];
  /** Rule descriptions, shown as feed subtitles. */
  descriptions?: Record<string, string>;
  /**
   * The public base URL (`https://cw.example.org`) for the `rel="self"` link. Without it the request's
   * Host header is used, which is right when readers reach this server directly.
   */
  baseUrl?: string;
  /** Called when `listAlerts` fails (the client gets a bare 500); e.g. to log it. */
  onError?: (error: unknown, ruleId: string) => void;
}

const FEED_PATH = /^\/alerts\/([a-z0-9][a-z0-9-]*)\.atom$/;
/** A Host header we are willing to echo into the self link: host name or IP literal, optional port. */
const SAFE_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** A strong ETag from the body bytes: the same alerts give the same document and so the same tag. */
function etagOf(body: string): string {
  return `"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 27)}"`;
}

/**
 * If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`. `*` matches any
 * current representation.
 */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const wanted = etag.replace(/^W\//, '');
  return header
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '') === wanted);
}

function baseFor(host: string | undefined, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, '');
  return `http://${host !== undefined && SAFE_HOST.test(host) ? host : 'localhost'}`;
}

/** What a feed request carries that the answer depends on. */
export interface AlertFeedRequest {
  method: string;
  /**
   * The request target as sent, path and query, not decoded: `/alerts/%77itkoff.atom` is no feed, on
   * this server and on the dashboard alike.
   */
  url: string;
  host: string | undefined;
  ifNoneMatch: string | undefined;
}

/** The whole response; for HEAD the caller sends the headers (content-length included) without the body. */
export interface AlertFeedAnswer {
  status: 200 | 304 | 404 | 405 | 500;
  headers: Record<string, string>;
  body: string;
}

function plain(status: AlertFeedAnswer['status'], text: string, headers: Record<string, string> = {}) {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: `${text}\n` };
}

/**
 * The answer to one feed request, whatever serves it: this module's http.Server and the dashboard's
 * Fastify route (src/web/alert-routes.ts) both send what this returns, so the two ports give the same
 * document, ETag and headers. GET and HEAD only (405 otherwise); 404 for an unknown rule or path; 304
 * when If-None-Match holds the current ETag; 500 (no detail: it could hold a database URL) when
 * `listAlerts` throws.
 *
 * @example
 * const answer = await answerAlertFeed(opts, { method: 'GET', url: '/alerts/witkoff.atom', host: 'cw.example.org', ifNoneMatch: undefined });
 * // { status: 200, headers: { etag: '"…"', 'content-type': 'application/atom+xml; charset=utf-8', … }, body: '<?xml …' }
 */
export async function answerAlertFeed(
  opts: AlertFeedServerOptions,
  req: AlertFeedRequest,
): Promise<AlertFeedAnswer> {
  const path = req.url.split('?')[0] ?? '/';
  const ruleId = FEED_PATH.exec(path)?.[1];
  if (ruleId === undefined || !opts.rules.includes(ruleId)) return plain(404, 'not found');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return plain(405, 'method not allowed', { allow: 'GET, HEAD' });
  }
  let entries: AlertFeedEntry[];
  try {
    entries = await opts.listAlerts(ruleId);
  } catch (error) {
    opts.onError?.(error, ruleId);
    return plain(500, 'internal error');
  }
  const body = buildAtomFeed({
    ruleId,
    description: opts.descriptions?.[ruleId],
    selfUrl: `${baseFor(req.host, opts.baseUrl)}/alerts/${ruleId}.atom`,
    entries,
  });
  const etag = etagOf(body);
  const headers = {
    etag,
    // Revalidate every time: alerts should show as soon as they fire, and a 304 costs next to nothing.
    'cache-control': 'no-cache',
    // A browser must not sniff the document as HTML, whatever a title contains.
    'x-content-type-options': 'nosniff',
  };
  if (matchesIfNoneMatch(req.ifNoneMatch, etag)) return { status: 304, headers, body: '' };
  return {
    status: 200,
    headers: {
      ...headers,
      'content-type': 'application/atom+xml; charset=utf-8',
      'content-length': String(Buffer.byteLength(body, 'utf8')),
    },
    body,
  };
}

/**
 * An http.Server (not yet listening) serving one Atom feed per rule at `/alerts/<rule-id>.atom`, as
 * `answerAlertFeed` answers.
 *
 * @example
 * ```ts
 * const server = createAlertFeedServer({ rules: ['witkoff'], baseUrl: 'https://cw.example.org',
 *   listAlerts: (ruleId) => store.listSentAlerts(ruleId, { limit: 50 }) });
 * server.listen(8080);
 * // GET https://cw.example.org/alerts/witkoff.atom → application/atom+xml, ETag: "…"
 * ```
 */
export function createAlertFeedServer(opts: AlertFeedServerOptions): Server {
  return createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent)
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error\n');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = await answerAlertFeed(opts, {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      host: req.headers.host,
      ifNoneMatch: req.headers['if-none-match'],
    });
    const sendsBody = req.method !== 'HEAD' && answer.status !== 304;
    res.writeHead(answer.status, answer.headers).end(sendsBody ? answer.body : undefined);
  }
}
