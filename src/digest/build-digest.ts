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
}

export interface DigestInput {
  /** The local day the digest covers, `YYYY-MM-DD` in `timezone`. */
  day: string;
  /** IANA zone of the day's boundaries and of the times shown. */
  timezone: string;
  articles: DigestArticle[];
  /** Display names by taxonomy id (`steve-witkoff` → `Steve Witkoff`); ids show as-is when absent. */
  names?: Record<string, string>;
}

/** An article inside a group, with the evidence sentence for that group's tag. */
export interface DigestEntry {
  article: DigestArticle;
  /** The tag's evidence sentence, or null in the untagged group. */
  evidence: string | null;
  /** Mentions of the group's tag in this article (0 in the untagged group). */
  mentions: number;
}

export interface DigestGroup {
  kind: 'phase' | 'actor' | 'untagged';
  /** Taxonomy id; `untagged` for the untagged group. */
  id: string;
  name: string;
  /** Number of articles in the group. */
  count: number;
  /** Newest first; undated articles last. */
  entries: DigestEntry[];
}

export interface Digest {
  day: string;
  timezone: string;
  /** Distinct articles received (by URL). */
  total: number;
  /** Distinct relevant articles: the ones the groups are made of. */
  relevant: number;
  phases: DigestGroup[];
  actors: DigestGroup[];
  /** Relevant articles with no actor and no phase tag; null when there are none. */
  untagged: DigestGroup | null;
}

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
function byPublishedDesc(a: DigestEntry, b: DigestEntry): number {
  const diff = publishedMs(b.article) - publishedMs(a.article);
  if (diff !== 0 && !Number.isNaN(diff)) return diff;
  return a.article.title.localeCompare(b.article.title) || a.article.url.localeCompare(b.article.url);
}

/** Phase ids in numeric order (`phase-2` before `phase-10`), the order the plan unfolds in. */
const collator = new Intl.Collator('en', { numeric: true });

function groupBy(
  articles: DigestArticle[],
  kind: 'phase' | 'actor',
  names: Record<string, string>,
): DigestGroup[] {
  const groups = new Map<string, DigestEntry[]>();
  for (const article of articles) {
    const tags = kind === 'phase' ? article.phases : article.actors;
    const seen = new Set<string>();
    for (const tag of tags) {
      if (seen.has(tag.id)) continue;
      seen.add(tag.id);
      const entries = groups.get(tag.id) ?? [];
      entries.push({ article, evidence: tag.evidence.trim() || null, mentions: tag.count });
      groups.set(tag.id, entries);
    }
  }
  const result = [...groups].map(([id, entries]): DigestGroup => ({
    kind,
    id,
    name: names[id] ?? id,
    count: entries.length,
    entries: entries.sort(byPublishedDesc),
  }));
  // Phases follow the plan's order; actors the day's attention (most articles first), then name.
  return kind === 'phase'
    ? result.sort((a, b) => collator.compare(a.id, b.id))
    : result.sort((a, b) => b.count - a.count || collator.compare(a.name, b.name));
}

/**
 * Builds the digest of one day: the relevant articles grouped by phase (in phase order), then by actor
 * (most articles first), then the relevant articles the tagger found no actor or phase in. An article
 * appears in every group it has a tag for; within a group the newest comes first. Articles the
 * tagger judged not relevant are counted in `total` but listed nowhere. Articles are deduplicated by
 * URL (the first copy wins), since a story re-fetched under the same URL is the same story.
 *
 * The day's selection is the caller's: `day` and `timezone` are carried for the heading and for
 * showing local times, and validated so a bad config fails here with a clear message.
 *
 * @example
 * ```ts
 * const d = buildDigest({ day: '2025-12-18', timezone: 'Europe/London', articles,
 *   names: { 'steve-witkoff': 'Steve Witkoff', 'phase-2': 'Phase two' } });
 * d.phases[0]; // { kind: 'phase', id: 'phase-2', name: 'Phase two', count: 3, entries: [...] }
 * ```
 */
export function buildDigest(input: DigestInput): Digest {
  checkDay(input.day);
  checkTimezone(input.timezone);
  const names = input.names ?? {};

  const byUrl = new Map<string, DigestArticle>();
  for (const article of input.articles) {
    if (!byUrl.has(article.url)) byUrl.set(article.url, article);
  }
  const all = [...byUrl.values()];
  const relevant = all.filter((a) => a.relevant);

  const untaggedEntries = relevant
    .filter((a) => a.actors.length === 0 && a.phases.length === 0)
    .map((article): DigestEntry => ({ article, evidence: null, mentions: 0 }))
    .sort(byPublishedDesc);

  return {
    day: input.day,
    timezone: input.timezone,
    total: all.length,
    relevant: relevant.length,
    phases: groupBy(relevant, 'phase', names),
    actors: groupBy(relevant, 'actor', names),
    untagged:
      untaggedEntries.length === 0
        ? null
        : {
            kind: 'untagged',
            id: 'untagged',
            name: 'Untagged relevant',
            count: untaggedEntries.length,
            entries: untaggedEntries,
          },
  };
}
