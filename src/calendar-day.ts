/**
 * Calendar days as `YYYY-MM-DD` strings, the form the digest, the story filters and the tracker take
 * them in: UTC arithmetic on a date, so no daylight-saving surprises.
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `day` shifted by `n` calendar days (negative: back). */
export function addDays(day: string, n: number): string {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

/** A `YYYY-MM-DD` day that exists: round-tripping through Date catches 2025-02-30, which the pattern lets through. */
export function isCalendarDay(day: string): boolean {
  if (!DAY.test(day)) return false;
  const t = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === day;
}
