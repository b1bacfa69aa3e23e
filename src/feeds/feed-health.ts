/**
 * Feed health: how a fetch outcome moves a feed's failure score, when it is polled next, and when a
 * person must hear about it. Failures are graded rather than counted, because a 404 and a timeout
 * say different things about whether waiting will help:
 *
 * - `hard`: the feed as configured is wrong (gone, forbidden, not a feed, refused by the SSRF guard,
 *   host name unknown). Waiting rarely helps; a person usually has to change feeds.yaml.
 * - `soft`: the server or network is failing (5xx, timeout, refused connection). Usually fixes
 *   itself within hours.
 * - `temporary`: the server asked us to come back later (429, 503 with Retry-After) or the connection
 *   dropped mid-way. Expected on any busy host; it should barely move the score.
 *
 * A feed that parsed only after repairs (ParsedFeed.repairs) is a success: its items were read, and
 * backing off would only delay them.
 *
 * The next poll is the feed's interval doubled once per point of score, capped at a day, so a feed is
 * never abandoned (miniflux stops polling after POLLING_PARSING_ERROR_LIMIT errors; we keep a
 * daily poll instead and raise an alert). Pure: the caller passes `now` and the previous health.
 */
import type { ErrorCode } from '../errors.ts';

export type FailureKind = 'hard' | 'soft' | 'temporary';
export type FeedOutcome = 'success' | FailureKind;

/**
 * Score added per failure. Chosen so that delay = interval × 2^score reads as: a soft failure doubles
 * the wait (the classic exponential backoff, as BullMQ's `backoff: { type: 'exponential' }`), a hard
 * failure multiplies it by 8 (three doublings: a 15-minute feed that answers 404 is retried
 * after 2 h, then at the 24 h cap), a temporary one by √2 (a rate-limited feed stays near its interval
 * and the server's Retry-After, not our score, sets the wait).
 */
export const FAILURE_WEIGHTS: Readonly<Record<FailureKind, number>> = {
  hard: 3,
  soft: 1,
  temporary: 0.5,
};

/**
 * The longest wait between two polls of a failing feed: one day, miniflux's default
 * SCHEDULER_ENTRY_FREQUENCY_MAX_INTERVAL (1440 min). Long enough to stop hammering a dead host, short
 * enough that a feed that comes back is picked up the same day.
 */
export const MAX_BACKOFF_MS = 24 * 60 * 60 * 1000;

/**
 * The score stops growing here: past log2(1440 / 1) ≈ 10.5 every interval is already at the cap, so a
 * higher score would only make recovery look slower in `cli feeds` without changing any poll time.
 */
export const MAX_FAILURE_SCORE = 12;

/**
 * Score at which a failing feed raises an alert even before it has failed for a day: two hard
 * failures in a row (a feed that moved or vanished: 2 h at a 15-minute interval), or six soft ones
 * (≈ 15.5 h of retries at 15 minutes: 30+60+120+240+480 min), which is the point where the backoff of a
 * 15-minute feed nears its cap.
 */
export const FAILURE_ALERT_SCORE = 6;

/** A feed failing for this long since its last success raises an alert whatever its score. */
export const FAILURE_ALERT_AFTER_MS = 24 * 60 * 60 * 1000;

/** One alert per failing feed per day at most: a daily reminder, not a page per poll. */
export const FAILURE_ALERT_REPEAT_MS = 24 * 60 * 60 * 1000;

/** What the store keeps about a feed's health between polls. */
export interface HealthState {
  score: number;
  consecutiveFailures: number;
}

export interface NextHealth extends HealthState {
  /** When the feed is due again, ISO 8601. */
  nextPollAt: string;
  /** Milliseconds from `now` to `nextPollAt`. */
  delayMs: number;
  status: 'ok' | 'failing';
}

/**
 * The feed's health after one fetch. Success resets the score and schedules the next poll one
 * interval later; a failure adds its weight and waits `interval × 2^score`, at least the server's
 * Retry-After, at most {@link MAX_BACKOFF_MS}.
 *
 * @example
 * nextHealth({ score: 0, consecutiveFailures: 0 }, 'soft', new Date('2025-12-19T10:00:00Z'), 15);
 * // { score: 1, consecutiveFailures: 1, delayMs: 1_800_000, nextPollAt: '2025-12-19T10:30:00.000Z', status: 'failing' }
 * nextHealth({ score: 4, consecutiveFailures: 4 }, 'success', new Date('2025-12-19T10:00:00Z'), 15);
 * // { score: 0, consecutiveFailures: 0, delayMs: 900_000, nextPollAt: '2025-12-19T10:15:00.000Z', status: 'ok' }
 */
export function nextHealth(
  prev: HealthState,
  outcome: FeedOutcome,
  now: Date,
  intervalMinutes: number,
  retryAfterMs?: number | null,
): NextHealth {
  const intervalMs = intervalMinutes * 60_000;
  if (outcome === 'success') {
    return {
      score: 0,
      consecutiveFailures: 0,
      delayMs: intervalMs,
      nextPollAt: new Date(now.getTime() + intervalMs).toISOString(),
      status: 'ok',
    };
  }
  const score = Math.min(MAX_FAILURE_SCORE, prev.score + FAILURE_WEIGHTS[outcome]);
  const backoff = intervalMs * 2 ** score;
  const delayMs = Math.round(Math.min(MAX_BACKOFF_MS, Math.max(backoff, retryAfterMs ?? 0)));
  return {
    score,
    consecutiveFailures: prev.consecutiveFailures + 1,
    delayMs,
    nextPollAt: new Date(now.getTime() + delayMs).toISOString(),
    status: 'failing',
  };
}

/** The facts about a failed fetch that decide its kind; {@link failureFacts} reads them off an error. */
export interface FailureFacts {
  /** The PipelineError code, when the failure is one. */
  code?: ErrorCode;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The socket error code (`ECONNRESET`, `ENOTFOUND`, …), when the network failed. */
  systemCode?: string;
  /** The server's Retry-After, when it sent one. */
  retryAfterMs?: number | null;
  /** The error's own judgement (PipelineError.permanent): the fallback for anything unlisted. */
  permanent?: boolean;
}

/** HTTP statuses meaning "this URL is not (or no longer) a feed you may read": a person must act. */
const HARD_STATUSES = new Set([400, 401, 403, 404, 405, 406, 410, 451]);

/** Socket errors from a connection that was established or a resolver that was merely slow. */
const TEMPORARY_SYSTEM_CODES = new Set(['ECONNRESET', 'EPIPE', 'EAI_AGAIN']);

/**
 * Grades a failed fetch.
 *
 * @example
 * classifyFailure({ code: 'HTTP_STATUS', status: 410 }); // 'hard'
 * classifyFailure({ code: 'HTTP_STATUS', status: 503, retryAfterMs: 120_000 }); // 'temporary'
 * classifyFailure({ code: 'FETCH_TIMEOUT' }); // 'soft'
 */
export function classifyFailure(facts: FailureFacts): FailureKind {
  const { status, systemCode } = facts;
  if (status !== undefined) {
    if (status === 429) return 'temporary';
    // A 503 with Retry-After is planned downtime; a 403 with a wait is a rate limiter (the HTTP client
    // sets one after a burst of 403s), not a ban.
    if ((status === 503 || status === 403) && facts.retryAfterMs != null) return 'temporary';
    if (HARD_STATUSES.has(status)) return 'hard';
    if (status >= 500 || status === 408) return 'soft';
    // Any other 4xx: the request as configured is refused; redirect loops land here too.
    if (status >= 400) return 'hard';
  }
  if (systemCode === 'ENOTFOUND') return 'hard';
  if (systemCode && TEMPORARY_SYSTEM_CODES.has(systemCode)) return 'temporary';
  switch (facts.code) {
    case 'FETCH_REFUSED':
    case 'FETCH_TOO_LARGE':
    case 'FEED_UNPARSEABLE':
      return 'hard';
    case 'FETCH_TIMEOUT':
      return 'soft';
    default:
      return facts.permanent ? 'hard' : 'soft';
  }
}

/**
 * Reads {@link FailureFacts} off a thrown value: the PipelineError's code and `permanent` flag, the
 * HTTP status (a `status` property, else the `HTTP 404` its message carries), the socket code of its
 * cause (or the `(ECODE)` its message names) and the `retryAfterMs` an HttpStatusError carries
 * (src/http/parse-retry-after.ts reads the header).
 *
 * @example
 * classifyFailure(failureFacts(error)); // 'soft' for "http: https://x/rss: HTTP 502"
 */
export function failureFacts(error: unknown): FailureFacts {
  if (typeof error !== 'object' || error === null) return {};
  const e = error as {
    code?: unknown;
    status?: unknown;
    retryAfterMs?: unknown;
    permanent?: unknown;
    message?: unknown;
    cause?: { code?: unknown };
  };
  const message = typeof e.message === 'string' ? e.message : '';
  const facts: FailureFacts = {};
  if (typeof e.code === 'string') {
    if (/^E[A-Z_]+$/.test(e.code)) facts.systemCode = e.code;
    else facts.code = e.code as ErrorCode;
  }
  if (typeof e.permanent === 'boolean') facts.permanent = e.permanent;
  const status = typeof e.status === 'number' ? e.status : Number(/\bHTTP (\d{3})\b/.exec(message)?.[1]);
  if (Number.isInteger(status)) facts.status = status;
  const causeCode = typeof e.cause?.code === 'string' ? e.cause.code : /\((E[A-Z_]+)\)/.exec(message)?.[1];
  if (causeCode && /^E[A-Z_]+$/.test(causeCode)) facts.systemCode ??= causeCode;
  if (typeof e.retryAfterMs === 'number') facts.retryAfterMs = e.retryAfterMs;
  return facts;
}

/** What {@link needsFailureAlert} needs to know about a feed (a FeedRecord has all of it). */
export interface AlertFacts {
  status: 'ok' | 'failing' | 'new';
  failureScore: number;
  /** ISO 8601, or null when the feed never succeeded. */
  lastSuccessAt: string | null;
}

/**
 * Whether a failing feed should raise an alert now: it has failed for a day since its last success,
 * or its score reached {@link FAILURE_ALERT_SCORE}; and it was not alerted about during this failure
 * streak in the last {@link FAILURE_ALERT_REPEAT_MS}. An alert sent before the latest success belongs
 * to an earlier streak and does not hold a new one back.
 *
 * @example
 * needsFailureAlert({ status: 'failing', failureScore: 6, lastSuccessAt: null }, null, new Date()); // true
 */
export function needsFailureAlert(health: AlertFacts, lastAlertAt: string | null, now: Date): boolean {
  if (health.status !== 'failing') return false;
  const lastSuccess = health.lastSuccessAt ? Date.parse(health.lastSuccessAt) : null;
  const sustained =
    health.failureScore >= FAILURE_ALERT_SCORE ||
    (lastSuccess !== null && now.getTime() - lastSuccess >= FAILURE_ALERT_AFTER_MS);
  if (!sustained) return false;
  if (lastAlertAt === null) return true;
  const alerted = Date.parse(lastAlertAt);
  if (lastSuccess !== null && alerted < lastSuccess) return true;
  return now.getTime() - alerted >= FAILURE_ALERT_REPEAT_MS;
}

/**
 * When a feed is next due: after its backoff when it is backing off, else an interval after its last
 * fetch; null when it was never fetched (due now).
 *
 * @example
 * nextPollDue({ nextPollAt: null, lastFetchedAt: '2025-12-19T10:00:00.000Z', intervalMinutes: 15 }); // '2025-12-19T10:15:00.000Z'
 */
export function nextPollDue(feed: {
  nextPollAt: string | null;
  lastFetchedAt: string | null;
  intervalMinutes: number;
}): string | null {
  if (feed.nextPollAt) return feed.nextPollAt;
  if (!feed.lastFetchedAt) return null;
  return new Date(Date.parse(feed.lastFetchedAt) + feed.intervalMinutes * 60_000).toISOString();
}
