/**
 * The daily digest: one day's articles grouped by ceasefire phase, then by actor. Pure: the caller
 * (the digest step) selects the day's articles from the store and passes them in with the day and
 * zone; rendering lives beside this file in render-digest.ts.
 */
import { PipelineError } from '../errors.ts';

/** A tag as the digest needs it (the store's copy of the tagger's Tag). */
export interface DigestTag {
  id: string;
  count: number;
  evidence: string;
  /** Salience, as the tagger gives it: the tag is in the title / in the lead. Absent = false. */
  inTitle?: boolean;
  inLead?: boolean;
}

/** One stored article, as the digest needs it. */
export interface DigestArticle {
  title: string;
  url: string;
  feedId: string;
  /** ISO 8601 instant, or null when the source gave none. */
  published: string | null;
  relevant: boolean;
  actors: DigestTag[];
  phases: DigestTag[];
  /** The story (syndicated copies) this article belongs to; absent or null = a story of its own. */
  storyId?: string | null;
}

/** One copy of a story: where else it was published. */
export interface DigestSource {
  title: string;
  url: string;
  feedId: string;
}

/** Extra sources of a story known to the caller (copies outside the period, or judged not relevant). */
export interface DigestStoryInput {
  storyId: string;
  sources: DigestSource[];
}

/** Counts per actor and phase id in the previous period, in the same unit as DigestGroup.count (stories). */
export interface DigestPreviousCounts {
  actors: Record<string, number>;
  phases: Record<string, number>;
}

/** Mentions per actor id on one local day (`YYYY-MM-DD`), for the chart. */
export interface DigestHistoryDay {
  day: string;
  counts: Record<string, number>;
}

export type DigestPeriod = 'daily' | 'weekly';

export interface DigestInput {
  /** The local day the digest covers (daily) or ends with (weekly), `YYYY-MM-DD` in `timezone`. */
  day: string;
  /** IANA zone of the day's boundaries and of the times shown. */
  timezone: string;
  articles: DigestArticle[];
  /** Display names by taxonomy id (`steve-witkoff` → `Steve Witkoff`); ids show as-is when absent. */
  names?: Record<string, string>;
  /** @defaultValue 'daily' — a weekly digest covers the 7 days ending with `day`. */
  period?: DigestPeriod;
  /** Counts in the previous period (the day or week before); absent = no deltas, no "newly appearing". */
  previous?: DigestPreviousCounts;
  /** More sources per story id, merged (by URL) with the period's own copies of that story. */
  stories?: DigestStoryInput[];
  /** Mentions per actor per day; the chart shows the 7 days ending with `day` (missing days = 0). */
  history?: DigestHistoryDay[];
  /** Stories listed per group before "+N more". @defaultValue MAX_ENTRIES_PER_GROUP */
  maxPerGroup?: number;
}

/** A story inside a group (one entry however many copies), with the evidence for that group's tag. */
export interface DigestEntry {
  /** The copy shown: the most salient, then the earliest (the original rather than a re-post). */
  article: DigestArticle;
  /** The tag's evidence sentence, or null in the untagged group. */
  evidence: string | null;
  /** Mentions of the group's tag in the shown copy (0 in the untagged group). */
  mentions: number;
  /** Every copy of the story, the shown one included, earliest first; length 1 for a lone article. */
  sources: DigestSource[];
}

export interface DigestGroup {
  kind: 'phase' | 'actor' | 'untagged';
  /** Taxonomy id; `untagged` for the untagged group. */
  id: string;
  name: string;
  /** Number of stories in the group (= articles when no story ids are given). */
  count: number;
  /** Count in the previous period, or null when no previous counts were given (and for untagged). */
  previous: number | null;
  /** `count - previous`, or null when `previous` is. */
  delta: number | null;
  /** Newest first; undated last; at most `maxPerGroup`. */
  entries: DigestEntry[];
  /** Stories of the group not listed (the "+N more"). */
  more: number;
}

/** A top story: one entry for all its copies. */
export interface DigestStory {
  /** The story id, or `url:<url>` for an article without one. */
  storyId: string;
  article: DigestArticle;
  sources: DigestSource[];
  /** Title/lead salience of the shown copy (see SALIENCE_WEIGHTS). */
  salience: number;
}

/** An actor present in this period and absent (count 0) from the previous one. */
export interface DigestNewActor {
  id: string;
  name: string;
  count: number;
}

/** Mentions per actor per day for the top actors; `counts[i]` is the count on `days[i]`. */
export interface DigestChart {
  days: string[];
  series: { id: string; name: string; counts: number[]; total: number }[];
}

export interface Digest {
  period: DigestPeriod;
  /** First local day covered (= `day` for a daily digest). */
  from: string;
  day: string;
  timezone: string;
  /** Distinct articles received (by URL). */
  total: number;
  /** Distinct relevant articles: the ones the groups are made of. */
  relevant: number;
  /** Whether previous-period counts were given (deltas and newActors are meaningful). */
  hasPrevious: boolean;
  phases: DigestGroup[];
  actors: DigestGroup[];
  /** Relevant articles with no actor and no phase tag; null when there are none. */
  untagged: DigestGroup | null;
  /** At most TOP_STORIES, by number of sources, then salience, then recency. */
  topStories: DigestStory[];
  /** Most stories first; empty when no previous counts were given. */
  newActors: DigestNewActor[];
  /** Null when no history was given or nobody was mentioned in it. */
  chart: DigestChart | null;
}

/**
 * Stories listed per group before "+N more". Ten keeps the busiest group of a heavy day (≈40 stories
 * on Hamas in the Dec 2025 sample) to one screen in a mail client; the rest stays countable.
 */
export const MAX_ENTRIES_PER_GROUP = 10;
/** Top stories shown first: five fit above the fold of a phone-sized mail client. */
export const TOP_STORIES = 5;
/** Actors in the chart: six small multiples stay readable at 540 px, the width of a mail column. */
export const MAX_CHART_ACTORS = 6;
/** Days in the chart: a week shows the trend without crowding seven bars per actor. */
export const CHART_DAYS = 7;
/** Days in a weekly digest. */
const WEEK_DAYS = 7;
/**
 * Salience of a copy: a tag in the title counts twice a tag only in the lead, since headlines are
 * what editors chose to foreground; body-only tags count nothing.
 */
export const SALIENCE_WEIGHTS = { title: 2, lead: 1 } as const;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDay(day: string): void {
  const m = DAY.exec(day);
  // Round-tripping through Date catches 2025-02-30, which the pattern alone lets through.
  const valid = m !== null && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
  if (!valid) {
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'digest',
      culprit: JSON.stringify(day),
      detail: 'digest day must be a calendar date YYYY-MM-DD',
      permanent: true,
    });
  }
}

function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'digest',
      culprit: JSON.stringify(timezone),
      detail: 'not an IANA time zone (e.g. Europe/London)',
      permanent: true,
    });
  }
}

/** Milliseconds since the epoch, or -Infinity for a missing or unreadable date so it sorts last. */
function publishedMs(article: DigestArticle): number {
  if (article.published === null) return -Infinity;
  const ms = Date.parse(article.published);
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** Newest first; ties (and undated articles) by title then URL, so the order is stable across runs. */
function byPublishedDesc(a: { article: DigestArticle }, b: { article: DigestArticle }): number {
  const diff = publishedMs(b.article) - publishedMs(a.article);
  if (diff !== 0 && !Number.isNaN(diff)) return diff;
  return a.article.title.localeCompare(b.article.title) || a.article.url.localeCompare(b.article.url);
}

/** Phase ids in numeric order (`phase-2` before `phase-10`), the order the plan unfolds in. */
const collator = new Intl.Collator('en', { numeric: true });

function storyKey(article: DigestArticle): string {
  return article.storyId ?? `url:${article.url}`;
}

function salienceOf(article: DigestArticle): number {
  let score = 0;
  for (const tag of [...article.actors, ...article.phases]) {
    if (tag.inTitle) score += SALIENCE_WEIGHTS.title;
    else if (tag.inLead) score += SALIENCE_WEIGHTS.lead;
  }
  return score;
}

/** Earliest first, undated last, then by URL: the original before its re-posts. */
function byEarliest(a: DigestArticle, b: DigestArticle): number {
  const ta = publishedMs(a);
  const tb = publishedMs(b);
  const diff = (ta === -Infinity ? Infinity : ta) - (tb === -Infinity ? Infinity : tb);
  if (diff !== 0 && !Number.isNaN(diff)) return diff;
  return a.url.localeCompare(b.url);
}

/** The copy to show for a story: most salient, then earliest (the original). */
function byShownCopy(a: DigestArticle, b: DigestArticle): number {
  return salienceOf(b) - salienceOf(a) || byEarliest(a, b);
}

/** Every source of each story: the period's copies plus the caller's extras, by URL, earliest first. */
function sourcesByStory(all: DigestArticle[], extra: DigestStoryInput[]): Map<string, DigestSource[]> {
  const copies = new Map<string, DigestArticle[]>();
  for (const a of all) {
    const list = copies.get(storyKey(a)) ?? [];
    list.push(a);
    copies.set(storyKey(a), list);
  }
  const result = new Map<string, DigestSource[]>();
  for (const [key, list] of copies) {
    const sorted = [...list].sort(byEarliest);
    result.set(
      key,
      sorted.map((a) => ({ title: a.title, url: a.url, feedId: a.feedId })),
    );
  }
  for (const story of extra) {
    const list = result.get(story.storyId);
    // Extras only enrich stories present in the period: a story with no copy here is not in it.
    if (!list) continue;
    const urls = new Set(list.map((s) => s.url));
    for (const s of story.sources) {
      if (urls.has(s.url)) continue;
      urls.add(s.url);
      list.push({ title: s.title, url: s.url, feedId: s.feedId });
    }
  }
  return result;
}

/** Collapses articles into one entry per story, the shown copy chosen by byShownCopy. */
function collapse(
  items: { article: DigestArticle; evidence: string | null; mentions: number }[],
  sources: Map<string, DigestSource[]>,
): DigestEntry[] {
  const byStory = new Map<string, DigestEntry>();
  for (const item of items) {
    const key = storyKey(item.article);
    const current = byStory.get(key);
    if (current && byShownCopy(current.article, item.article) <= 0) continue;
    byStory.set(key, { ...item, sources: sources.get(key) ?? [] });
  }
  return [...byStory.values()].sort(byPublishedDesc);
}

function groupBy(
  articles: DigestArticle[],
  kind: 'phase' | 'actor',
  names: Record<string, string>,
  sources: Map<string, DigestSource[]>,
  previous: Record<string, number> | null,
  cap: number,
): DigestGroup[] {
  const groups = new Map<string, { article: DigestArticle; evidence: string | null; mentions: number }[]>();
  for (const article of articles) {
    const tags = kind === 'phase' ? article.phases : article.actors;
    const seen = new Set<string>();
    for (const tag of tags) {
      if (seen.has(tag.id)) continue;
      seen.add(tag.id);
      const items = groups.get(tag.id) ?? [];
      items.push({ article, evidence: tag.evidence.trim() || null, mentions: tag.count });
      groups.set(tag.id, items);
    }
  }
  const result = [...groups].map(([id, items]): DigestGroup => {
    const entries = collapse(items, sources);
    const prev = previous === null ? null : (previous[id] ?? 0);
    return {
      kind,
      id,
      name: names[id] ?? id,
      count: entries.length,
      previous: prev,
      delta: prev === null ? null : entries.length - prev,
      entries: entries.slice(0, cap),
      more: Math.max(0, entries.length - cap),
    };
  });
  // Phases follow the plan's order; actors the period's attention (most stories first), then name.
  return kind === 'phase'
    ? result.sort((a, b) => collator.compare(a.id, b.id))
    : result.sort((a, b) => b.count - a.count || collator.compare(a.name, b.name));
}

function topStories(relevant: DigestArticle[], sources: Map<string, DigestSource[]>): DigestStory[] {
  const stories = collapse(
    relevant.map((article) => ({ article, evidence: null, mentions: 0 })),
    sources,
  ).map((e): DigestStory => ({
    storyId: storyKey(e.article),
    article: e.article,
    sources: e.sources,
    salience: salienceOf(e.article),
  }));
  return stories
    .sort((a, b) => b.sources.length - a.sources.length || b.salience - a.salience || byPublishedDesc(a, b))
    .slice(0, TOP_STORIES);
}

/** `day` shifted by `n` calendar days (UTC arithmetic on a date, so no DST surprises). */
function addDays(day: string, n: number): string {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

function buildChart(
  history: DigestHistoryDay[],
  day: string,
  names: Record<string, string>,
): DigestChart | null {
  const days = Array.from({ length: CHART_DAYS }, (_, i) => addDays(day, i - CHART_DAYS + 1));
  const byDay = new Map<string, Record<string, number>>();
  // A day given twice is summed: the caller may pass one row per feed or per batch.
  for (const h of history) {
    const row = byDay.get(h.day) ?? {};
    for (const [id, n] of Object.entries(h.counts)) {
      if (Number.isFinite(n) && n > 0) row[id] = (row[id] ?? 0) + n;
    }
    byDay.set(h.day, row);
  }
  const ids = new Set(days.flatMap((d) => Object.keys(byDay.get(d) ?? {})));
  const series = [...ids]
    .map((id) => {
      const counts = days.map((d) => byDay.get(d)?.[id] ?? 0);
      return { id, name: names[id] ?? id, counts, total: counts.reduce((a, b) => a + b, 0) };
    })
    .filter((s) => s.total > 0)
    .sort((a, b) => b.total - a.total || collator.compare(a.name, b.name))
    .slice(0, MAX_CHART_ACTORS);
  return series.length === 0 ? null : { days, series };
}

/**
 * Builds the digest of one day (or of the week ending with it): the relevant articles, one entry per
 * story, grouped by phase (in phase order), then by actor (most stories first), then the relevant
 * articles the tagger found no actor or phase in. A story appears in every group it has a tag for,
 * once, with all its sources; within a group the newest comes first and at most `maxPerGroup` are
 * listed (`more` counts the rest). Articles the tagger judged not relevant are counted in `total` but
 * listed nowhere (they still count as sources of a relevant story). Articles are deduplicated by URL
 * (the first copy wins).
 *
 * With `previous`, each group carries its previous count and delta, and `newActors` lists the actors
 * absent last period. With `history`, `chart` holds the top actors' mentions over the last 7 days.
 *
 * The period's selection is the caller's: `day` and `timezone` are carried for the heading and for
 * showing local times, and validated so a bad config fails here with a clear message.
 *
 * @example
 * ```ts
 * const d = buildDigest({ day: '2025-12-18', timezone: 'Europe/London', articles,
 *   names: { 'steve-witkoff': 'Steve Witkoff', 'phase-2': 'Phase two' },
 *   previous: { actors: { 'steve-witkoff': 1 }, phases: {} } });
 * d.phases[0]; // { kind: 'phase', id: 'phase-2', name: 'Phase two', count: 3, previous: 0, delta: 3, … }
 * d.newActors; // [{ id: 'hamas', name: 'hamas', count: 2 }]
 * ```
 */
export function buildDigest(input: DigestInput): Digest {
  checkDay(input.day);
  checkTimezone(input.timezone);
  const names = input.names ?? {};
  const period = input.period ?? 'daily';
  const cap = Math.max(1, Math.floor(input.maxPerGroup ?? MAX_ENTRIES_PER_GROUP));

  const byUrl = new Map<string, DigestArticle>();
  for (const article of input.articles) {
    if (!byUrl.has(article.url)) byUrl.set(article.url, article);
  }
  const all = [...byUrl.values()];
  const relevant = all.filter((a) => a.relevant);
  const sources = sourcesByStory(all, input.stories ?? []);
  const previous = input.previous ?? null;

  const untaggedEntries = collapse(
    relevant
      .filter((a) => a.actors.length === 0 && a.phases.length === 0)
      .map((article) => ({ article, evidence: null, mentions: 0 })),
    sources,
  );
  const actors = groupBy(relevant, 'actor', names, sources, previous?.actors ?? null, cap);

  return {
    period,
    from: period === 'weekly' ? addDays(input.day, -(WEEK_DAYS - 1)) : input.day,
    day: input.day,
    timezone: input.timezone,
    total: all.length,
    relevant: relevant.length,
    hasPrevious: previous !== null,
    phases: groupBy(relevant, 'phase', names, sources, previous?.phases ?? null, cap),
    actors,
    untagged:
      untaggedEntries.length === 0
        ? null
        : {
            kind: 'untagged',
            id: 'untagged',
            name: 'Untagged relevant',
            count: untaggedEntries.length,
            previous: null,
            delta: null,
            entries: untaggedEntries.slice(0, cap),
            more: Math.max(0, untaggedEntries.length - cap),
          },
    topStories: topStories(relevant, sources),
    newActors:
      previous === null
        ? []
        : actors
            .filter((g) => (previous.actors[g.id] ?? 0) === 0)
            .map((g) => ({ id: g.id, name: g.name, count: g.count })),
    chart: input.history ? buildChart(input.history, input.day, names) : null,
  };
}
