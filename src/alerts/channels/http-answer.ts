/**
 * How an HTTP channel (Slack incoming webhook, generic webhook) reads a failed answer: which statuses
 * are worth retrying, how long the server asked us to wait, and one line naming the problem.
 */
import { HttpStatusError } from '../../http/http-status-error.ts';
import { parseRetryAfter } from '../../http/parse-retry-after.ts';

/** Characters of a failed answer's body kept in the error: enough for Slack's "invalid_payload". */
export const MAX_ERROR_BODY_CHARS = 200;

/**
 * 4xx will fail again the same way (bad URL, revoked token), except 408 and 429; 3xx too, since
 * redirects are not followed and a webhook never redirects. 5xx is worth a retry.
 */
export function isPermanentStatus(status: number): boolean {
  if (status === 429 || status === 408) return false;
  return (status >= 400 && status < 500) || (status >= 300 && status < 400);
}

/** The error for a non-2xx answer, with the server's Retry-After (429, 503) for the job's delay. */
export function statusError(
  response: Response,
  body: string,
  culprit: string,
  nowMs: number,
): HttpStatusError {
  const status = response.status;
  const retryAfterMs =
    status === 429 || status === 503
      ? (parseRetryAfter(response.headers.get('retry-after') ?? undefined, nowMs) ?? null)
      : null;
  const flat = body.replace(/\s+/g, ' ').trim();
  const said =
    flat.length <= MAX_ERROR_BODY_CHARS ? flat : `${flat.slice(0, MAX_ERROR_BODY_CHARS - 1).trimEnd()}…`;
  return new HttpStatusError({
    stage: 'alerts',
    status,
    culprit,
    detail:
      `HTTP ${status}` +
      (said ? `: ${said}` : '') +
      (retryAfterMs !== null ? ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)` : ''),
    permanent: isPermanentStatus(status),
    retryAfterMs,
  });
}

/** undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${error.message}: ${code ?? cause.message}`;
  }
  return error.message;
}
