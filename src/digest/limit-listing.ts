/**
 * Fewer stories listed in a digest, the counts untouched: what the HTML renderer uses to fit a heavy
 * day under a mail client's size limit. Pure: Digest in, Digest out.
 */
import type { Digest, DigestGroup } from './build-digest.ts';

/**
 * Stories a digest lists: its top stories plus every group's entries. Each story is listed at most
 * once, so `d.stories - countListed(d)` is the number not listed.
 *
 * @example
 * countListed(buildDigest({ day: '2025-12-18', timezone: 'UTC', articles: [] })); // 0
 */
export function countListed(d: Digest): number {
  const groups = [...d.phases, ...d.actors, ...(d.untagged ? [d.untagged] : [])];
  return d.topStories.length + groups.reduce((n, g) => n + g.entries.length, 0);
}

/**
 * The digest with at most `total` stories listed: the top stories first, then the groups' entries
 * dealt round-robin (one per group in section order — phases, actors, untagged — then a second, …),
 * so a cut thins every section instead of emptying the last ones. Within a group the first (newest)
 * entries stay; the cut ones are added to its `more`. Counts, deltas, the chart and everything else
 * are unchanged. Never lists more than `d` does.
 *
 * @example
 * ```ts
 * const short = limitListing(digest, 20);
 * countListed(short); // Math.min(20, countListed(digest))
 * ```
 */
export function limitListing(d: Digest, total: number): Digest {
  let left = Math.max(0, Math.floor(total));
  const topStories = d.topStories.slice(0, left);
  left -= topStories.length;
  const groups = [...d.phases, ...d.actors, ...(d.untagged ? [d.untagged] : [])];
  const kept = new Map<DigestGroup, number>(groups.map((g) => [g, 0]));
  for (let dealt = true; left > 0 && dealt;) {
    dealt = false;
    for (const g of groups) {
      const n = kept.get(g) ?? 0;
      if (left === 0 || n >= g.entries.length) continue;
      kept.set(g, n + 1);
      left--;
      dealt = true;
    }
  }
  const cut = (g: DigestGroup): DigestGroup => {
    const n = kept.get(g) ?? 0;
    return { ...g, entries: g.entries.slice(0, n), more: g.more + g.entries.length - n };
  };
  return {
    ...d,
    topStories,
    phases: d.phases.map(cut),
    actors: d.actors.map(cut),
    untagged: d.untagged ? cut(d.untagged) : null,
  };
}
