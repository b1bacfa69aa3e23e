/**
 * The numbers a digest compares against: stories per actor and phase in the previous period, and
 * mentions per actor on each of the last days (the chart). Pure: the caller passes the articles.
 */
import { DateTime } from 'luxon';
import type { DigestArticle, DigestHistoryDay, DigestPreviousCounts } from './build-digest.ts';

/**
 * Stories (articles sharing a storyId count once) per actor and phase, relevant articles only — the
 * same unit the digest's groups count, so that deltas compare like with like.
 *
 * @example
 * countStoriesByTag(yesterdaysArticles); // { actors: { qatar: 3 }, phases: { 'phase-2': 2 } }
 */
export function countStoriesByTag(articles: readonly DigestArticle[]): DigestPreviousCounts {
  const seen = { actors: new Map<string, Set<string>>(), phases: new Map<string, Set<string>>() };
  for (const article of articles) {
    if (!article.relevant) continue;
    const story = article.storyId ?? article.url;
    for (const [kind, tags] of [
      ['actors', article.actors],
      ['phases', article.phases],
    ] as const) {
      for (const tag of tags) {
        const stories = seen[kind].get(tag.id) ?? new Set<string>();
        stories.add(story);
        seen[kind].set(tag.id, stories);
      }
    }
  }
  const count = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([id, s]) => [id, s.size]));
  return { actors: count(seen.actors), phases: count(seen.phases) };
}

/**
 * Mentions per actor on each local day from `firstDay` to `lastDay` (inclusive), relevant articles only;
 * an article counts on the day it was published (or fetched, when undated) in `timezone`.
 *
 * @example
 * mentionHistory(lastWeek, '2025-12-13', '2025-12-19', 'Asia/Jerusalem');
 */
export function mentionHistory(
  articles: readonly (DigestArticle & { fetchedAt?: string })[],
  firstDay: string,
  lastDay: string,
  timezone: string,
): DigestHistoryDay[] {
  const days: DigestHistoryDay[] = [];
  for (
    let d = DateTime.fromISO(firstDay, { zone: timezone });
    (d.toISODate() ?? lastDay) <= lastDay;
    d = d.plus({ days: 1 })
  ) {
    days.push({ day: d.toISODate() ?? '', counts: {} });
    if (days.length > 366) break; // a malformed range must not loop forever
  }
  const byDay = new Map(days.map((d) => [d.day, d.counts]));
  for (const article of articles) {
    const at = article.published ?? article.fetchedAt;
    if (!article.relevant || !at) continue;
    const counts = byDay.get(DateTime.fromISO(at, { zone: timezone }).toISODate() ?? '');
    if (!counts) continue;
    for (const tag of article.actors) counts[tag.id] = (counts[tag.id] ?? 0) + tag.count;
  }
  return days;
}
