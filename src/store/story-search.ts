/**
 * Stories as the dashboard and its API list them: one row per story with every source that carries it,
 * filtered by actor, phase, feed, date range and relevance, and searched with PostgreSQL full-text
 * search (PGlite has it too), ranked, with a snippet of the best-matching copy.
 */
import { z } from 'zod';
import { isCalendarDay } from '../calendar-day.ts';
import { toIso, type Db } from './db.ts';

/** An HTML form sends an unchosen field as "": that means no filter, not a malformed one. */
const blankAsNone = (v: string | undefined) => (v === '' ? undefined : v);

const day = z
  .string()
  .regex(/^(\d{4}-\d{2}-\d{2})?$/, 'a day, e.g. 2025-12-19')
  // 2025-02-30 is refused here, not by the database.
  .refine((v) => v === '' || isCalendarDay(v), 'no such day')
  .optional()
  .transform(blankAsNone);

const name = (max: number) => z.string().trim().max(max).optional().transform(blankAsNone);

/** The filters, as a query string carries them: the HTML form and the JSON API share this schema. */
export const StoryFiltersSchema = z.object({
  actor: name(100),
  phase: name(100),
  feed: name(200),
  /** First day included, by publication time (fetch time when the feed gave none), UTC. */
  from: day,
  /** Last day included. */
  to: day,
  relevant: z
    .enum(['true', 'false', '1', '0', 'on', ''])
    .optional()
    .transform((v) => v === 'true' || v === '1' || v === 'on'),
  /** Words to search for, web-search syntax: `"second phase" -Lebanon`. */
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type StoryFilters = z.infer<typeof StoryFiltersSchema>;

export interface StorySourceRow {
  articleId: number;
  feedId: string;
  url: string;
  title: string;
  published: string | null;
}

export interface StoryRow {
  storyId: number;
  title: string;
  firstSeenAt: string;
  /** The newest copy's time (publication, or fetch). */
  latestAt: string;
  relevant: boolean;
  actors: string[];
  phases: string[];
  sources: StorySourceRow[];
  /** With a search: the best copy's id, its rank, and a snippet with the matched words between marks. */
  match: { articleId: number; rank: number; snippet: HighlightedText } | null;
}

/** Text with highlighted spans, as plain pieces: whoever renders it escapes it (HTML, JSON, a terminal). */
export type HighlightedText = { text: string; mark: boolean }[];

/**
 * Marks ts_headline puts around matched words: control characters no stored text holds (the pipeline
 * strips them), so the snippet can be split into pieces and escaped, never trusted as HTML.
 */
const START = '\u0002';
const STOP = '\u0003';

export function splitHighlights(headline: string): HighlightedText {
  const pieces: HighlightedText = [];
  for (const [i, part] of headline.split(new RegExp(`[${START}${STOP}]`)).entries()) {
    if (part) pieces.push({ text: part, mark: i % 2 === 1 });
  }
  return pieces;
}

interface HitRow {
  story_id: number;
  title: string;
  first_seen_at: Date;
  latest_at: Date;
  relevant: boolean;
  rank: number;
  best_article_id: number;
}

/**
 * The stories matching `filters`, newest first (best match first with a search), and how many there
 * are in all. A story matches when one of its copies does; it is listed with all its copies.
 *
 * @example
 * const { stories, total } = await searchStories(db, StoryFiltersSchema.parse({ actor: 'steve-witkoff', q: 'Miami' }));
 */
export async function searchStories(
  db: Db,
  filters: StoryFilters,
): Promise<{ stories: StoryRow[]; total: number }> {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = ['a.story_id is not null'];
  const at = 'coalesce(a.published, a.fetched_at)';
  if (filters.feed) where.push(`a.feed_id = ${param(filters.feed)}`);
  if (filters.from) where.push(`${at} >= ${param(filters.from)}::date`);
  if (filters.to) where.push(`${at} < ${param(filters.to)}::date + 1`);
  if (filters.relevant) where.push('a.relevant');
  for (const kind of ['actor', 'phase'] as const) {
    const tag = filters[kind];
    if (tag)
      where.push(
        `exists (select 1 from article_tags t where t.article_id = a.id and t.kind = '${kind}' and t.tag_id = ${param(tag)})`,
      );
  }
  const search = filters.q ? param(filters.q) : null;
  if (search) where.push(`a.search @@ websearch_to_tsquery('english', ${search})`);
  const rank = search ? `ts_rank(a.search, websearch_to_tsquery('english', ${search}))` : '0';

  const hits = `
    select a.id, a.story_id, ${at} as at, a.relevant, ${rank}::real as rank
    from articles a where ${where.join(' and ')}`;
  // The total rides on the page's own rows (a window over every matching story, taken before the
  // limit): one pass over the hits, not a second one to count them.
  const rows = await db.query<HitRow & { total: number }>(
    `with h as (${hits}),
     per_story as (
       select story_id, max(at) as latest_at, bool_or(relevant) as relevant, max(rank) as rank,
              (array_agg(id order by rank desc, at desc))[1] as best_article_id
       from h group by story_id
     )
     select s.id as story_id, s.title, s.first_seen_at, p.latest_at, p.relevant, p.rank, p.best_article_id,
            (count(*) over ())::int as total
     from per_story p join stories s on s.id = p.story_id
     order by ${search ? 'p.rank desc, ' : ''}p.latest_at desc, s.id desc
     limit ${param(filters.limit)} offset ${param(filters.offset)}`,
    params,
  );
  let total = Number(rows[0]?.total ?? 0);
  if (rows.length === 0 && filters.offset > 0) {
    // Past the last page: the window saw no row, so count on its own.
    const [count] = await db.query<{ n: number }>(
      `select count(distinct story_id)::int as n from (${hits}) h`,
      params.slice(0, -2),
    );
    total = Number(count?.n ?? 0);
  }
  if (rows.length === 0) return { stories: [], total };

  const storyIds = rows.map((r) => r.story_id);
  const sources = await db.query<{
    story_id: number;
    id: number;
    feed_id: string;
    url: string;
    title: string;
    published: Date | null;
  }>(
    `select story_id, id, feed_id, url, title, published from articles
     where story_id = any($1::bigint[]) order by coalesce(published, fetched_at), id`,
    [storyIds],
  );
  const tags = await db.query<{ story_id: number; kind: 'actor' | 'phase'; tag_id: string }>(
    `select distinct a.story_id, t.kind, t.tag_id from article_tags t join articles a on a.id = t.article_id
     where a.story_id = any($1::bigint[]) order by t.kind, t.tag_id`,
    [storyIds],
  );
  const snippets = new Map<number, string>();
  if (search) {
    const best = rows.map((r) => r.best_article_id);
    const options = `StartSel=${START}, StopSel=${STOP}, MaxWords=35, MinWords=15, MaxFragments=2`;
    const lines = await db.query<{ id: number; headline: string }>(
      `select id, ts_headline('english', text, websearch_to_tsquery('english', $1), $2) as headline
       from articles where id = any($3::bigint[])`,
      [filters.q, options, best],
    );
    for (const line of lines) snippets.set(line.id, line.headline);
  }

  return {
    total,
    stories: rows.map((r) => ({
      storyId: Number(r.story_id),
      title: r.title,
      firstSeenAt: toIso(r.first_seen_at) ?? '',
      latestAt: toIso(r.latest_at) ?? '',
      relevant: r.relevant,
      actors: tags.filter((t) => t.story_id === r.story_id && t.kind === 'actor').map((t) => t.tag_id),
      phases: tags.filter((t) => t.story_id === r.story_id && t.kind === 'phase').map((t) => t.tag_id),
      sources: sources
        .filter((s) => s.story_id === r.story_id)
        .map((s) => ({
          articleId: Number(s.id),
          feedId: s.feed_id,
          url: s.url,
          title: s.title,
          published: toIso(s.published),
        })),
      match: search
        ? {
            articleId: Number(r.best_article_id),
            rank: Number(r.rank),
            snippet: splitHighlights(snippets.get(r.best_article_id) ?? ''),
          }
        : null,
    })),
  };
}
