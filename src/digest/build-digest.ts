/**
 * The daily digest: one day's articles as stories, each listed once (top stories, then under its best
 * ceasefire phase or actor), with every phase's and actor's story count. Pure: the caller
 * (the digest step) selects the day's articles from the store and passes them in with the day and
 * zone; rendering lives beside this file in render-digest.ts.
 */
import { addDays, isCalendarDay } from '../calendar-day.ts';
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

/** An actor or phase a story carries, as shown beside it ("Hamas · Qatar · Phase two"). */
export interface DigestEntryTag {
  kind: 'phase' | 'actor';
  id: string;
  name: string;
}

/** A listed story (one entry however many copies), with the evidence for the tag it is placed under. */
export interface DigestEntry {
  /** The copy shown: the most salient, then the earliest (the original rather than a re-post). */
  article: DigestArticle;
  /** Evidence sentence of the group's tag; null in the untagged group. */
  evidence: string | null;
  /** Mentions of the group's tag in the shown copy; 0 in the untagged group. */
  mentions: number;
  /** Every copy of the story, the shown one included, earliest first; length 1 for a lone article. */
  sources: DigestSource[];
  /**
   * Every phase and actor the story carries, most salient first (title, then lead, then mentions;
   * phases before actors on a tie), since the story is listed in one place only.
   */
  tags: DigestEntryTag[];
}

export interface DigestGroup {
  kind: 'phase' | 'actor' | 'untagged';
  /** Taxonomy id; `untagged` for the untagged group. */
  id: string;
  name: string;
  /**
   * Stories carrying the tag, wherever they are listed (= articles when no story ids are given): the
   * number analysts compare day to day, in the same unit as countStoriesByTag.
   */
  count: number;
  /** Count in the previous period, or null when no previous counts were given (and for untagged). */
  previous: number | null;
  /** `count - previous`, or null when `previous` is. */
  delta: number | null;
  /**
   * The stories placed here (the group they fit best, top stories excepted), newest first, undated
   * last, at most `maxPerGroup`. Empty when every story of the tag is listed elsewhere.
   */
  entries: DigestEntry[];
  /** Stories placed here and not listed (the "+N more"). */
  more: number;
}

/**
 * A top story: one entry for all its copies. Listed nowhere else, so `evidence` and `mentions` are
 * those of the tag it would be placed under (its best phase, else its best actor; null/0 untagged).
 */
export interface DigestStory extends DigestEntry {
  /** The story id, or `url:<url>` for an article without one. */
  storyId: string;
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
  /**
   * Distinct relevant stories (copies of a story count once). Each is listed at most once: in
   * `topStories` or in the one group it fits best; the rest are counted in the groups' `more`.
   */
  stories: number;
  /** Whether previous-period counts were given (deltas and newActors are meaningful). */
  hasPrevious: boolean;
  phases: DigestGroup[];
  actors: DigestGroup[];
  /** Relevant stories with no actor and no phase tag; null when there are none. */
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

function checkDay(day: string): void {
  if (!isCalendarDay(day)) {
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

/** One story of the period: its shown copy, its sources, and the tags of its relevant copies. */
interface Story {
  key: string;
  article: DigestArticle;
  sources: DigestSource[];
  /** One tag per id: the shown copy's, else that of the next copy in byShownCopy order. */
  actors: DigestTag[];
  phases: DigestTag[];
}

/** First tag per id across the lists, so the shown copy's tag wins over another copy's. */
function mergeTags(lists: DigestTag[][]): DigestTag[] {
  const byId = new Map<string, DigestTag>();
  for (const tag of lists.flat()) {
    if (!byId.has(tag.id)) byId.set(tag.id, tag);
  }
  return [...byId.values()];
}

/** The relevant articles as stories, one per story id (or per URL without one). */
function storiesOf(relevant: DigestArticle[], sources: Map<string, DigestSource[]>): Story[] {
  const copies = new Map<string, DigestArticle[]>();
  for (const a of relevant) {
    const list = copies.get(storyKey(a)) ?? [];
    list.push(a);
    copies.set(storyKey(a), list);
  }
  return [...copies].flatMap(([key, list]): Story[] => {
    const sorted = [...list].sort(byShownCopy);
    const article = sorted[0];
    if (!article) return [];
    return [
      {
        key,
        article,
        sources: sources.get(key) ?? [],
        actors: mergeTags(sorted.map((a) => a.actors)),
        phases: mergeTags(sorted.map((a) => a.phases)),
      },
    ];
  });
}

/** Where a tag sits in its copy (the shown one when it has the tag): title 2, lead 1, body only 0. */
function tagRank(tag: DigestTag): number {
  return tag.inTitle ? SALIENCE_WEIGHTS.title : tag.inLead ? SALIENCE_WEIGHTS.lead : 0;
}

/** The tag a story is most about: title before lead before body, then more mentions. */
function bySalience(a: DigestTag, b: DigestTag): number {
  return tagRank(b) - tagRank(a) || b.count - a.count;
}

function nameOf(id: string, names: Record<string, string>): string {
  return names[id] ?? id;
}

/** The phase (ties: plan order) or, without one, the actor (ties: name) a story is listed under. */
function bestTag(
  story: Story,
  names: Record<string, string>,
): { kind: 'phase' | 'actor'; tag: DigestTag } | null {
  const phase = [...story.phases].sort((a, b) => bySalience(a, b) || collator.compare(a.id, b.id))[0];
  if (phase) return { kind: 'phase', tag: phase };
  const actor = [...story.actors].sort(
    (a, b) => bySalience(a, b) || collator.compare(nameOf(a.id, names), nameOf(b.id, names)),
  )[0];
  return actor ? { kind: 'actor', tag: actor } : null;
}

/** The story's phases and actors, most salient first; phases before actors on a tie, then by name. */
function entryTags(story: Story, names: Record<string, string>): DigestEntryTag[] {
  const tagged = [
    ...story.phases.map((tag) => ({ kind: 'phase' as const, tag })),
    ...story.actors.map((tag) => ({ kind: 'actor' as const, tag })),
  ];
  return tagged
    .sort(
      (a, b) =>
        bySalience(a.tag, b.tag) ||
        (a.kind === b.kind ? 0 : a.kind === 'phase' ? -1 : 1) ||
        collator.compare(nameOf(a.tag.id, names), nameOf(b.tag.id, names)),
    )
    .map(({ kind, tag }) => ({ kind, id: tag.id, name: nameOf(tag.id, names) }));
}

function entryOf(story: Story, tag: DigestTag | null, names: Record<string, string>): DigestEntry {
  return {
    article: story.article,
    evidence: tag ? tag.evidence.trim() || null : null,
    mentions: tag ? tag.count : 0,
    sources: story.sources,
    tags: entryTags(story, names),
  };
}

/**
 * One group per tag id any story carries: its count is every story with the tag, its entries only
 * the stories placed under it (`placed`, keyed by id).
 */
function groupsOf(
  kind: 'phase' | 'actor',
  stories: Story[],
  placed: Map<string, DigestEntry[]>,
  names: Record<string, string>,
  previous: Record<string, number> | null,
  cap: number,
): DigestGroup[] {
  const counts = new Map<string, number>();
  for (const story of stories) {
    for (const tag of kind === 'phase' ? story.phases : story.actors) {
      counts.set(tag.id, (counts.get(tag.id) ?? 0) + 1);
    }
  }
  const result = [...counts].map(([id, count]): DigestGroup => {
    const entries = [...(placed.get(id) ?? [])].sort(byPublishedDesc);
    const prev = previous === null ? null : (previous[id] ?? 0);
    return {
      kind,
      id,
      name: nameOf(id, names),
      count,
      previous: prev,
      delta: prev === null ? null : count - prev,
      entries: entries.slice(0, cap),
      more: Math.max(0, entries.length - cap),
    };
  });
  // Phases follow the plan's order; actors the period's attention (most stories first), then name.
  return kind === 'phase'
    ? result.sort((a, b) => collator.compare(a.id, b.id))
    : result.sort((a, b) => b.count - a.count || collator.compare(a.name, b.name));
}

/** At most TOP_STORIES: most sources first (the most covered), then salience, then the newest. */
function topStories(stories: Story[], names: Record<string, string>): DigestStory[] {
  return stories
    .map((s): DigestStory => ({
      ...entryOf(s, bestTag(s, names)?.tag ?? null, names),
      storyId: s.key,
      salience: salienceOf(s.article),
    }))
    .sort((a, b) => b.sources.length - a.sources.length || b.salience - a.salience || byPublishedDesc(a, b))
    .slice(0, TOP_STORIES);
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
 * Builds the digest of one day (or of the week ending with it) from the relevant articles, one story
 * per story id, each listed once: the top stories first, then every other story under the one group
 * it fits best — its most salient phase (in the title, then in the lead, then most mentions, then
 * plan order), or without a phase its most salient actor (same order, then name), or else "Untagged
 * relevant". Listing a story under each of its tags repeated it up to fifteen times and made a
 * 12-article day 126 KB of HTML (issue 9); every entry instead names all its tags.
 *
 * Every group still counts every story carrying its tag (`count`, with `previous` and `delta` when
 * `previous` is given): phases in plan order, actors most stories first. Within a group the placed
 * stories come newest first, at most `maxPerGroup` (`more` counts the rest); a group may have no
 * entry when its stories are listed elsewhere. Articles the tagger judged not relevant are counted in
 * `total` but listed nowhere (they still count as sources of a relevant story). Articles are
 * deduplicated by URL (the first copy wins). With `previous`, `newActors` lists the actors absent last
 * period; with `history`, `chart` holds the top actors' mentions over the last 7 days.
 *
 * The period's selection is the caller's: `day` and `timezone` are carried for the heading and for
 * showing local times, and validated so a bad config fails here with a clear message.
 *
 * @example
 * ```ts
 * const d = buildDigest({ day: '2025-12-18', timezone: 'Europe/London', articles,
 *   names: { 'steve-witkoff': 'Steve Witkoff', 'phase-2': 'Phase two' },
 *   previous: { actors: { 'steve-witkoff': 1 }, phases: {} } });
 * d.phases[0]; // { kind: 'phase', id: 'phase-2', name: 'Phase two', count: 3, previous: 0, delta: 3, entries: […], … }
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
  const stories = storiesOf(relevant, sourcesByStory(all, input.stories ?? []));
  const previous = input.previous ?? null;

  const top = topStories(stories, names);
  const listedOnTop = new Set(top.map((s) => s.storyId));
  const placed = { phase: new Map<string, DigestEntry[]>(), actor: new Map<string, DigestEntry[]>() };
  const untagged: DigestEntry[] = [];
  for (const story of stories) {
    if (listedOnTop.has(story.key)) continue;
    const best = bestTag(story, names);
    if (!best) {
      untagged.push(entryOf(story, null, names));
      continue;
    }
    const group = placed[best.kind];
    const entries = group.get(best.tag.id) ?? [];
    entries.push(entryOf(story, best.tag, names));
    group.set(best.tag.id, entries);
  }
  untagged.sort(byPublishedDesc);
  const untaggedCount = stories.filter((s) => s.actors.length === 0 && s.phases.length === 0).length;
  const actors = groupsOf('actor', stories, placed.actor, names, previous?.actors ?? null, cap);

  return {
    period,
    from: period === 'weekly' ? addDays(input.day, -(WEEK_DAYS - 1)) : input.day,
    day: input.day,
    timezone: input.timezone,
    total: all.length,
    relevant: relevant.length,
    stories: stories.length,
    hasPrevious: previous !== null,
    phases: groupsOf('phase', stories, placed.phase, names, previous?.phases ?? null, cap),
    actors,
    untagged:
      untaggedCount === 0
        ? null
        : {
            kind: 'untagged',
            id: 'untagged',
            name: 'Untagged relevant',
            count: untaggedCount,
            previous: null,
            delta: null,
            entries: untagged.slice(0, cap),
            more: Math.max(0, untagged.length - cap),
          },
    topStories: top,
    newActors:
      previous === null
        ? []
        : actors
            .filter((g) => (previous.actors[g.id] ?? 0) === 0)
            .map((g) => ({ id: g.id, name: g.name, count: g.count })),
    chart: input.history ? buildChart(input.history, input.day, names) : null,
  };
}
