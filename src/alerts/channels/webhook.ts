/**
 * Generic webhook channel: one alert as a JSON document POSTed to any HTTPS endpoint, signed with
 * HMAC-SHA256 so the receiver can tell it came from us and was not replayed.
 *
 * Signing scheme (the same shape as Stripe's, so receivers can reuse code they already have):
 * https://docs.stripe.com/webhooks#verify-manually
 * HMAC: RFC 2104; SHA-256: FIPS 180-4; Node: https://nodejs.org/api/crypto.html#cryptocreatehmacalgorithm-key-options
 * Retry-After: RFC 9110 §10.2.3; status semantics: RFC 9110 §15, RFC 6585 §4 (429)
 *
 * ## For receivers
 *
 * Every request carries
 * - `content-type: application/json; charset=utf-8`
 * - `x-ceasefire-timestamp: <unix seconds>`: when the request was signed
 * - `x-ceasefire-signature: sha256=<hex>`: HMAC-SHA256, keyed with the shared secret, of the UTF-8
 *   bytes of `` `${timestamp}.${body}` `` where `body` is the raw request body, byte for byte.
 *
 * To verify: read the raw body *before* parsing it as JSON (re-serialising changes bytes), then call
 * {@link verifyWebhookSignature} (or recompute the HMAC and compare in constant time), and reject a
 * timestamp more than five minutes away from your clock. The timestamp is inside the signed string,
 * so an attacker who recorded one request cannot replay it later with a fresh timestamp.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PipelineError } from '../../errors.ts';
import type { AlertMessage, AlertSource } from '../compose-alert.ts';
import { describeNetworkError, statusError } from './http-answer.ts';

/** The JSON document a webhook receives. Keys are always in this order and always present. */
export interface WebhookPayload {
  rule: string;
  channel: string;
  /** The featured copy: the earliest published copy of the story that fires the rule. */
  article: {
    /** The link without tracking parameters. */
    url: string;
    canonicalUrl: string;
    title: string;
    feedId: string;
    feedTitle: string;
    published: string | null;
    /** 'page' when the text was extracted from the page, 'feed' when the feed's content stood in. */
    source: 'page' | 'feed';
  };
  actors: { id: string; name: string; count: number }[];
  phases: { id: string; name: string; count: number }[];
  reasons: string[];
  /** The first evidence sentence; null when there is none. Kept for receivers written against v1. */
  evidence: string | null;
  /** Every sentence holding what made the rule fire, in reading order. */
  evidenceSentences: string[];
  /** The story's other copies, earliest first. */
  otherSources: AlertSource[];
  sentAt: string;
}

export interface SendWebhookOptions {
  /** The shared secret the receiver verifies the signature with. Never logged nor put in errors. */
  secret: string;
  /** Abort the POST after this long. @defaultValue 10000 */
  timeoutMs?: number;
  /** The clock, in epoch milliseconds: signs the timestamp and resolves an HTTP-date Retry-After. @defaultValue Date.now */
  now?: () => number;
}

export interface VerifyWebhookOptions {
  /** The receiver's clock, epoch milliseconds. @defaultValue Date.now() */
  nowMs?: number;
  /** Oldest (and furthest in the future) timestamp accepted. @defaultValue 300 */
  toleranceSeconds?: number;
}

/** Same budget as Slack: a receiver answers in well under a second; 10 s leaves room for a slow network. */
const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * Five minutes, Stripe's default: wide enough for clock skew between two ordinary NTP-synced hosts and
 * a slow delivery, narrow enough that a captured request is useless soon after.
 */
const DEFAULT_TOLERANCE_SECONDS = 300;
export const SIGNATURE_HEADER = 'x-ceasefire-signature';
export const TIMESTAMP_HEADER = 'x-ceasefire-timestamp';

/**
 * The webhook document for one alert. `sentAt` is passed in (not read from the clock) so that a retry
 * of the same job can carry the same document and tests are deterministic.
 *
 * @example
 * ```ts
 * const payload = buildWebhookPayload(message, new Date().toISOString());
 * payload.article.title; // 'Witkoff to hold Miami talks …'
 * ```
 */
export function buildWebhookPayload(message: AlertMessage, sentAt: string): WebhookPayload {
  const { article } = message;
  return {
    rule: message.ruleId,
    channel: message.channel,
    article: {
      url: article.url,
      canonicalUrl: article.canonicalUrl,
      title: article.title,
      feedId: article.feedId,
      feedTitle: article.feedTitle,
      published: article.published,
      source: article.source,
    },
    actors: message.actors.map((t) => ({ id: t.id, name: t.name, count: t.count })),
    phases: message.phases.map((t) => ({ id: t.id, name: t.name, count: t.count })),
    reasons: [...message.reasons],
    evidence: message.evidence[0] ?? null,
    evidenceSentences: [...message.evidence],
    otherSources: message.otherSources.map((o) => ({ ...o })),
    sentAt,
  };
}

/**
 * JSON with `<`, `>`, `&`, U+2028 and U+2029 written as `\uXXXX` escapes, as Go's encoding/json does.
 * The parsed value is identical; the bytes can be pasted into an HTML page or a `<script>` block by a
 * careless receiver without a title such as `</script><script>…` breaking out.
 *
 * @example
 * serializeWebhookPayload({ title: '<b>' }); // '{"title":"\\u003cb\\u003e"}'
 */
export function serializeWebhookPayload(payload: unknown): string {
  return JSON.stringify(payload).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * `sha256=<hex>` for a body and timestamp: HMAC-SHA256 of `` `${timestamp}.${body}` ``.
 *
 * @example
 * signWebhook('{"rule":"witkoff"}', '1766068200', 'shh'); // 'sha256=…64 hex digits…'
 */
export function signWebhook(body: string, timestamp: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/**
 * For receivers: true when `signature` (the `x-ceasefire-signature` header) is the HMAC of `body` (the
 * raw request body, unparsed) and `timestamp` (the `x-ceasefire-timestamp` header) under `secret`, and
 * the timestamp is within `toleranceSeconds` of `nowMs`. The comparison is constant-time, so response
 * timing does not reveal how many leading bytes of a forged signature were right.
 *
 * @example
 * ```ts
 * const ok = verifyWebhookSignature(rawBody, req.headers['x-ceasefire-timestamp'],
 *   req.headers['x-ceasefire-signature'], process.env.WEBHOOK_SECRET!);
 * if (!ok) return res.writeHead(401).end();
 * ```
 */
export function verifyWebhookSignature(
  body: string | Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  secret: string,
  opts: VerifyWebhookOptions = {},
): boolean {
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const nowSeconds = (opts.nowMs ?? Date.now()) / 1000;
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) return false;
  const expected = Buffer.from(
    signWebhook(typeof body === 'string' ? body : body.toString('utf8'), timestamp, secret),
    'utf8',
  );
  const given = Buffer.from(signature.trim(), 'utf8');
  // timingSafeEqual throws on a length mismatch; the length of a valid signature is public anyway.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The culprit for errors: the host only. A webhook URL's path or query often is itself a token. */
function culpritOf(url: URL | null): string {
  return url ? `webhook ${url.host}` : 'webhook (invalid URL)';
}

function parseWebUrl(url: string): URL | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * POSTs a signed payload. Resolves on 2xx. Otherwise throws: an {@link HttpStatusError} for a non-2xx
 * answer (permanent for 3xx and 4xx other than 408/429; `retryAfterMs` from `Retry-After` on 429 and
 * 503), or a PipelineError (stage `alerts`) for a timeout or network failure (transient) or an unusable
 * URL (permanent). The culprit is `webhook <host>`; neither the URL's path nor the secret appear in
 * any message.
 *
 * Uses Node's fetch rather than the SSRF-guarded client in src/http: the URL is operator config, not
 * article input, and may point at a relay on a private network.
 *
 * @example
 * ```ts
 * await sendWebhook('https://hooks.example.org/ceasefire', buildWebhookPayload(job, new Date().toISOString()),
 *   { secret: process.env.WEBHOOK_SECRET!, timeoutMs: 5000 });
 * ```
 */
export async function sendWebhook(url: string, payload: unknown, opts: SendWebhookOptions): Promise<void> {
  const parsed = parseWebUrl(url);
  const culprit = culpritOf(parsed);
  if (!parsed) {
    // No `cause`: URL's TypeError carries the whole input, token included.
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'alerts',
      culprit,
      detail: 'webhook URL is not an http(s) URL',
      permanent: true,
    });
  }
  if (opts.secret === '') {
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'alerts',
      culprit,
      detail: 'webhook secret is empty: receivers could not tell our requests from forged ones',
      permanent: true,
    });
  }
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const body = serializeWebhookPayload(payload);
  const timestamp = String(Math.floor(now() / 1000));

  let response: Response;
  try {
    response = await fetch(parsed, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhook(body, timestamp, opts.secret),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new PipelineError({
      code: timedOut ? 'FETCH_TIMEOUT' : 'ALERT_FAILED',
      stage: 'alerts',
      culprit,
      detail: timedOut ? `no answer within ${timeoutMs} ms` : describeNetworkError(error),
      cause: error,
    });
  }

  // Read the body either way: it frees the connection, and on failure it names the problem.
  const answer = await response.text().catch(() => '');
  if (response.ok) return;
  throw statusError(response, answer, culprit, now());
}
