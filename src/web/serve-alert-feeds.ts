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

function baseFor(req: IncomingMessage, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, '');
  const host = req.headers.host ?? '';
  return `http://${SAFE_HOST.test(host) ? host : 'localhost'}`;
}

function plain(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(`${text}\n`);
}

/**
 * An http.Server (not yet listening) serving one Atom feed per rule at `/alerts/<rule-id>.atom`.
 * GET and HEAD only (405 otherwise); 404 for an unknown rule or path; 304 when If-None-Match holds
 * the current ETag; 500 (no detail: it could hold a database URL) when `listAlerts` throws.
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
  const rules = new Set(opts.rules);
  return createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) plain(res, 500, 'internal error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const ruleId = FEED_PATH.exec(path)?.[1];
    if (ruleId === undefined || !rules.has(ruleId)) {
      plain(res, 404, 'not found');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
      return;
    }
    let entries: AlertFeedEntry[];
    try {
      entries = await opts.listAlerts(ruleId);
    } catch (error) {
      opts.onError?.(error, ruleId);
      plain(res, 500, 'internal error');
      return;
    }
    const body = buildAtomFeed({
      ruleId,
      description: opts.descriptions?.[ruleId],
      selfUrl: `${baseFor(req, opts.baseUrl)}/alerts/${ruleId}.atom`,
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
    if (matchesIfNoneMatch(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers).end();
      return;
    }
    const bytes = Buffer.from(body, 'utf8');
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/atom+xml; charset=utf-8',
      'content-length': String(bytes.length),
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }
}
