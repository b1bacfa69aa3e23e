import { describe, expect, it } from 'vitest';
import { buildDigest, TOP_STORIES } from '../../src/digest/build-digest.ts';
import { countListed, limitListing } from '../../src/digest/limit-listing.ts';
import { art, heavyDay } from './sample-days.ts';

const tag = (id: string) => ({ id, count: 1, evidence: `About ${id}.` });

/** Five two-copy top stories, then 3 stories placed under phase-1, 2 under hamas, 1 untagged. */
const digest = buildDigest({
  day: '2025-12-18',
  timezone: 'UTC',
  articles: [
    ...Array.from({ length: TOP_STORIES }, (_, i) =>
      [1, 2].map((c) => art(`top-${i}-${c}`, { storyId: `top-${i}`, phases: [tag('phase-1')] })),
    ).flat(),
    ...['p1', 'p2', 'p3'].map((s) => art(s, { phases: [tag('phase-1')], actors: [tag('hamas')] })),
    ...['h1', 'h2'].map((s) => art(s, { actors: [tag('hamas')] })),
    art('u1'),
  ],
});

/** Listed slugs per section: top, then each group's as `id:slug,slug`, and the groups' more. */
function listing(d: ReturnType<typeof buildDigest>) {
  const slug = (url: string) => url.split('/').pop() ?? '';
  const groups = [...d.phases, ...d.actors, ...(d.untagged ? [d.untagged] : [])];
  return {
    top: d.topStories.length,
    groups: groups.map((g) => `${g.id}:${g.entries.map((e) => slug(e.article.url)).join(',')}`),
    more: groups.map((g) => g.more),
  };
}

describe('limitListing', () => {
  it.each([
    {
      name: 'no-cut-when-enough',
      total: 100,
      expected: { top: 5, groups: ['phase-1:p1,p2,p3', 'hamas:h1,h2', 'untagged:u1'], more: [0, 0, 0] },
    },
    {
      name: 'round-robin-one-each-first',
      total: 8,
      expected: { top: 5, groups: ['phase-1:p1', 'hamas:h1', 'untagged:u1'], more: [2, 1, 0] },
    },
    {
      name: 'round-robin-second-round',
      total: 10,
      expected: { top: 5, groups: ['phase-1:p1,p2', 'hamas:h1,h2', 'untagged:u1'], more: [1, 0, 0] },
    },
    {
      name: 'top-stories-first',
      total: 3,
      expected: { top: 3, groups: ['phase-1:', 'hamas:', 'untagged:'], more: [3, 2, 1] },
    },
    {
      name: 'zero-lists-nothing',
      total: 0,
      expected: { top: 0, groups: ['phase-1:', 'hamas:', 'untagged:'], more: [3, 2, 1] },
    },
    {
      name: 'negative-as-zero',
      total: -4,
      expected: { top: 0, groups: ['phase-1:', 'hamas:', 'untagged:'], more: [3, 2, 1] },
    },
  ])('$name', ({ total, expected }) => {
    const cut = limitListing(digest, total);
    expect(listing(cut)).toEqual(expected);
    expect(countListed(cut)).toBe(Math.min(Math.max(0, total), countListed(digest)));
  });

  it('counts-and-everything-else-untouched', () => {
    const d = buildDigest(heavyDay());
    const cut = limitListing(d, 7);
    const counts = (x: typeof d) =>
      [...x.phases, ...x.actors].map((g) => [g.id, g.count, g.previous, g.delta, g.entries.length + g.more]);
    expect(counts(cut)).toEqual(counts(d));
    expect(cut.untagged?.count).toBe(d.untagged?.count);
    expect([cut.stories, cut.relevant, cut.total, cut.chart, cut.newActors]).toEqual([
      d.stories,
      d.relevant,
      d.total,
      d.chart,
      d.newActors,
    ]);
    expect(countListed(cut)).toBe(7);
    // The input is not changed.
    expect(countListed(d)).toBeGreaterThan(7);
  });
});
