/** Whether a moment falls inside a rule's quiet hours, read in a time zone; pure. */
import { DateTime } from 'luxon';

export interface QuietHours {
  from: string;
  to: string;
}

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * Quiet hours may wrap midnight (`22:00`–`07:00`); `from` is inside, `to` is not.
 *
 * @example
 * isQuietTime({ from: '22:00', to: '07:00' }, new Date('2025-12-19T23:30:00Z'), 'UTC'); // true
 */
export function isQuietTime(quiet: QuietHours | undefined, now: Date, timezone: string): boolean {
  if (!quiet) return false;
  const local = DateTime.fromJSDate(now, { zone: timezone });
  const at = local.hour * 60 + local.minute;
  const from = minutes(quiet.from);
  const to = minutes(quiet.to);
  if (from === to) return false;
  return from < to ? at >= from && at < to : at >= from || at < to;
}
