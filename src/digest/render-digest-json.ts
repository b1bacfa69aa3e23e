/**
 * The digest as JSON: the archived, machine-readable copy beside the Markdown and HTML. The shape is
 * written out field by field (not `JSON.stringify(digest)`) so an internal field added to Digest does
 * not silently change the archive; a change of shape bumps DIGEST_JSON_SCHEMA.
 *
 * It holds what the Markdown holds (each story once, up to `maxPerGroup` per group), not the email's
 * shorter listing: the archive is not read in a mail client, so it has no byte budget.
 */
import type { Digest, DigestEntry, DigestEntryTag, DigestGroup, DigestSource } from './build-digest.ts';

/**
 * Names the shape below; readers check it before trusting any other field. @2: each story is in one
 * place only (top stories or the group it fits best) and names its tags; `stories` added.
 */
export const DIGEST_JSON_SCHEMA = 'ceasefire-watch/digest@2';

/** One story as archived. */
export interface DigestJsonEntry {
  title: string;
  url: string;
  feedId: string;
  published: string | null;
  storyId: string | null;
  /** Evidence of the group's tag (for a top story, of the tag it fits best); null when untagged. */
  evidence: string | null;
  mentions: number;
  /** Every copy, earliest first (the entry's own included). */
  sources: DigestSource[];
  /** Every phase and actor the story carries, most salient first. */
  tags: DigestEntryTag[];
}

export interface DigestJsonGroup {
  id: string;
  name: string;
  /** Stories carrying the tag, wherever they are listed. */
  count: number;
  previous: number | null;
  delta: number | null;
  /** The stories placed in this group (listed nowhere else in the document). */
  entries: DigestJsonEntry[];
  /** Stories placed in this group and not listed. */
  more: number;
}

/** The whole document: `JSON.parse(renderDigestJson(d))` has exactly this type. */
export interface DigestJson {
  schema: typeof DIGEST_JSON_SCHEMA;
  period: 'daily' | 'weekly';
  from: string;
  day: string;
  timezone: string;
  total: number;
  relevant: number;
  /** Distinct relevant stories; the ones not in topStories or any group's entries are in a `more`. */
  stories: number;
  hasPrevious: boolean;
  newActors: { id: string; name: string; count: number }[];
  topStories: (DigestJsonEntry & { salience: number })[];
  phases: DigestJsonGroup[];
  actors: DigestJsonGroup[];
  untagged: DigestJsonGroup | null;
  chart: { days: string[]; series: { id: string; name: string; counts: number[]; total: number }[] } | null;
}

function source(s: DigestSource): DigestSource {
  return { title: s.title, url: s.url, feedId: s.feedId };
}

function entry(x: DigestEntry): DigestJsonEntry {
  return {
    title: x.article.title,
    url: x.article.url,
    feedId: x.article.feedId,
    published: x.article.published,
    storyId: x.article.storyId ?? null,
    evidence: x.evidence,
    mentions: x.mentions,
    sources: x.sources.map(source),
    tags: x.tags.map((t) => ({ kind: t.kind, id: t.id, name: t.name })),
  };
}

function group(g: DigestGroup): DigestJsonGroup {
  return {
    id: g.id,
    name: g.name,
    count: g.count,
    previous: g.previous,
    delta: g.delta,
    entries: g.entries.map(entry),
    more: g.more,
  };
}

/**
 * The digest as pretty-printed JSON (2-space indent, trailing newline), keys in a fixed order so two
 * runs over the same data give the same bytes. Shape: {@link DigestJson}.
 *
 * @example
 * ```ts
 * renderDigestJson(buildDigest({ day: '2025-12-18', timezone: 'UTC', articles: [] }));
 * // '{\n  "schema": "ceasefire-watch/digest@2",\n  "period": "daily",\n  "from": "2025-12-18", …}\n'
 * ```
 */
export function renderDigestJson(d: Digest): string {
  const doc: DigestJson = {
    schema: DIGEST_JSON_SCHEMA,
    period: d.period,
    from: d.from,
    day: d.day,
    timezone: d.timezone,
    total: d.total,
    relevant: d.relevant,
    stories: d.stories,
    hasPrevious: d.hasPrevious,
    newActors: d.newActors.map((a) => ({ id: a.id, name: a.name, count: a.count })),
    topStories: d.topStories.map((s) => ({
      ...entry(s),
      storyId: s.storyId,
      salience: s.salience,
    })),
    phases: d.phases.map(group),
    actors: d.actors.map(group),
    untagged: d.untagged ? group(d.untagged) : null,
    chart: d.chart
      ? {
          days: [...d.chart.days],
          series: d.chart.series.map((s) => ({
            id: s.id,
            name: s.name,
            counts: [...s.counts],
            total: s.total,
          })),
        }
      : null,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
