/**
 * `Retry-After` (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date. Servers send both, and some
 * send nonsense; a nonsensical value counts as absent so the caller's default applies.
 */

/**
 * The longest wait we accept from a server. A day is longer than any real rate-limit window we have seen
 * (hourly and daily quotas), and a feed that wants us gone for longer has in effect said "never": its
 * health record shows the failures, and a person decides.
 */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;

/**
 * Milliseconds to wait before asking again, capped at {@link MAX_RETRY_AFTER_MS}; 0 for a date already
 * past; null when the header is absent or not understood.
 *
 * @example
 * parseRetryAfter('120', Date.now()); // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')); // 60000
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  const text = value?.trim();
  if (!text) return null;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // Only the date forms HTTP allows: a weekday name first (IMF-fixdate, RFC 850, asctime); anything
    // else (a bare "1.5", "soon") would otherwise be read by Date.parse in odd ways.
    if (!/^[A-Za-z]{3,9},? /.test(text)) return null;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = at - nowMs;
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}
