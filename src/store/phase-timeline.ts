/**
 * The phase tracker's numbers: how many stories each phase and each actor had on each day of a range.
 * An article counts on the day story-search.ts files it under for `from`/`to` (publication time, fetch
 * time when the feed gave none, in the session's time zone: UTC on both engines as we run them), so a
 * day's count is exactly the number of stories the stories page lists for that tag and day.
 */
import { z } from 'zod';
import { addDays, isCalendarDay } from '../calendar-day.ts';
import type { Db } from './db.ts';

/** The issue's "last 30 days": the range shown when none is asked for. */
export const DEFAULT_DAYS = 30;
/** A year, leap or not, in one page: a row of 366 bars is still about 2 px a day on a 760 px chart. */
export const MAX_DAYS = 366;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day, e.g. 2025-12-19')
  // The regex lets 2025-02-30 through, and `::date` would reject it.
  .refine(isCalendarDay, 'no such day')
  .optional();

/** The tracker's query string, as the HTML form and the JSON API share it. */
export const TimelineFiltersSchema = z.object({
  from: day.describe(`First day included, UTC. Default: ${DEFAULT_DAYS - 1} days before \`to\``),
  to: day.describe('Last day included, UTC. Default: today'),
  relevant: z
    .enum(['true', 'false', '1', '0', 'on', ''])
    .optional()
    .transform((v) => v === 'true' || v === '1' || v === 'on')
    .describe('Count relevant articles only'),
});
export type TimelineFilters = z.infer<typeof TimelineFiltersSchema>;

/** A resolved range: both days set, `from` ≤ `to`, at most {@link MAX_DAYS} days. */
export interface TimelineRange {
  from: string;
  to: string;
  relevant: boolean;
}

/**
 * {@link TimelineFiltersSchema} with the defaults filled in from `today` (passed in, so the range is
 * a fact the caller chose), refusing a range that runs backwards or is longer than {@link MAX_DAYS};
 * the issue names `from`.
 *
 * @example
 * timelineRangeSchema('2025-12-19').parse({}); // { from: '2025-11-20', to: '2025-12-19', relevant: false }
 */
export function timelineRangeSchema(today: string) {
  return TimelineFiltersSchema.transform(({ from, to, relevant }): TimelineRange => ({
    from: from ?? addDays(to ?? today, -(DEFAULT_DAYS - 1)),
    to: to ?? today,
    relevant,
  })).superRefine((range, ctx) => {
    if (range.from > range.to) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: `after the last day, ${range.to}` });
    } else if (addDays(range.from, MAX_DAYS - 1) < range.to) {
      ctx.addIssue({
        code: 'custom',
        path: ['from'],
        message: `at most ${MAX_DAYS} days before the last day, ${range.to}`,
      });
    }
  });
}

export interface TimelineSeries {
  kind: 'actor' | 'phase';
  /** Taxonomy id. */
  id: string;
  /** Stories on each day of {@link PhaseTimeline.days}, 0 on a day without any. */
  counts: number[];
  /** Stories over the whole range: a story on two days counts once here, so not the sum of `counts`. */
  total: number;
}

export interface PhaseTimeline extends TimelineRange {
  /** Every day from `from` to `to`, inclusive. */
  days: string[];
  /** Every tag with a story in the range: phases first, then actors, each by total, most first, then id. */
  series: TimelineSeries[];
}

interface CountRow {
  kind: 'actor' | 'phase';
  tag_id: string;
  /** null on the row of the range's total. */
  day: string | null;
  stories: number;
}

/**
 * Distinct stories per day per actor and phase over `range`. A story counts for a tag on a day when
 * one of its copies carries the tag and is dated that day (relevant, with `relevant`): the same
 * rule as the stories page's `actor`/`phase`/`from`/`to`/`relevant` filters.
 *
 * @example
 * const range = timelineRangeSchema('2025-12-19').parse({ from: '2025-12-17' });
 * const { days, series } = await phaseTimeline(db, range);
 * // days: ['2025-12-17', '2025-12-18', '2025-12-19'], series: [{ kind: 'phase', id: 'phase-two', counts: [1, 0, 1], total: 2 }, …]
 */
export async function phaseTimeline(db: Db, range: TimelineRange): Promise<PhaseTimeline> {
  const at = 'coalesce(a.published, a.fetched_at)';
  const rows = await db.query<CountRow>(
    `with hits as (
       select t.kind, t.tag_id, (${at})::date as day, a.story_id
       from articles a join article_tags t on t.article_id = a.id
       where a.story_id is not null and ${at} >= $1::date and ${at} < $2::date + 1
         ${range.relevant ? 'and a.relevant' : ''}
     )
     select kind, tag_id, day, count(distinct story_id)::int as stories
     from hits group by grouping sets ((kind, tag_id, day), (kind, tag_id))`,
    [range.from, range.to],
  );

  const days: string[] = [];
  for (let d = range.from; d <= range.to && days.length < MAX_DAYS; d = addDays(d, 1)) days.push(d);
  const index = new Map(days.map((d, i) => [d, i]));
  const series = new Map<string, TimelineSeries>();
  for (const row of rows) {
    const key = `${row.kind}\u0000${row.tag_id}`;
    let s = series.get(key);
    if (!s) {
      s = { kind: row.kind, id: row.tag_id, counts: days.map(() => 0), total: 0 };
      series.set(key, s);
    }
    const i = row.day === null ? undefined : index.get(row.day);
    if (row.day === null) s.total = row.stories;
    else if (i !== undefined) s.counts[i] = row.stories;
  }
  const kindOrder = { phase: 0, actor: 1 };
  return {
    ...range,
    days,
    series: [...series.values()].sort(
      (a, b) =>
        kindOrder[a.kind] - kindOrder[b.kind] ||
        b.total - a.total ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    ),
  };
}
