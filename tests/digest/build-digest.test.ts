import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildDigest,
  CHART_DAYS,
  MAX_CHART_ACTORS,
  MAX_ENTRIES_PER_GROUP,
  TOP_STORIES,
} from '../../src/digest/build-digest.ts';
import type { Digest, DigestArticle, DigestGroup } from '../../src/digest/build-digest.ts';
import { countStoriesByTag } from '../../src/digest/count-period.ts';
import { countListed } from '../../src/digest/limit-listing.ts';
import { PipelineError } from '../../src/errors.ts';
import { TaggedArticleSchema } from '../../src/model.ts';
import { art, heavyDay, reportedDay } from './sample-days.ts';

const seed = TaggedArticleSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/alerts/seed-tagged.json', import.meta.url), 'utf8')),
);

/** The seed article as the store would hand it to the digest step. */
const seedArticle: DigestArticle = {
  title: seed.title,
  url: seed.canonicalUrl,
  feedId: seed.feedId,
  published: seed.published,
  relevant: seed.tags.relevant,
  actors: seed.tags.actors,
  phases: seed.tags.phases,
};

function tag(id: string, count = 1) {
  return { id, count, evidence: `Evidence for ${id}.` };
}

const day = '2025-12-18';

/**
 * Five untagged stories of three copies each: they outrank any story of fewer copies for the top
 * stories, so the articles of a case are placed in groups, where the case can see them.
 */
const crowd = Array.from({ length: TOP_STORIES }, (_, i) =>
  [1, 2, 3].map((copy) => art(`top-${i}-${copy}`, { storyId: `top-${i}` })),
).flat();
const crowdIds = Array.from({ length: TOP_STORIES }, (_, i) => `top-${i}`);

const slug = (url: string) => url.split('/').pop() ?? '';

/** Group ids with their story counts and the slugs of the stories placed there. */
function shape(groups: DigestGroup[]): [string, number, string[]][] {
  return groups.map((g) => [g.id, g.count, g.entries.map((e) => slug(e.article.url))]);
}

/** Every story key listed (top stories and every group's entries), in document order. */
function listedKeys(d: Digest): string[] {
  const groups = [...d.phases, ...d.actors, ...(d.untagged ? [d.untagged] : [])];
  return [
    ...d.topStories.map((s) => s.storyId),
    ...groups.flatMap((g) => g.entries.map((e) => e.article.storyId ?? `url:${e.article.url}`)),
  ];
}

describe('buildDigest', () => {
  it('seed-article-counted-under-every-tag-listed-once', () => {
    const d = buildDigest({ day, timezone: 'UTC', articles: [seedArticle] });
    expect(d).toMatchObject({ day, timezone: 'UTC', total: 1, relevant: 1, stories: 1, untagged: null });
    expect(d.phases.map((g) => [g.id, g.count])).toEqual([['phase-2', 1]]);
    expect(d.actors.map((g) => [g.id, g.count]).sort()).toEqual(
      seed.tags.actors.map((t) => [t.id, 1]).sort(),
    );
    // The only story is the top story, and listed there alone: no group repeats it.
    expect(listedKeys(d)).toEqual([`url:${seed.canonicalUrl}`]);
    for (const g of [...d.phases, ...d.actors]) expect([g.entries, g.more]).toEqual([[], 0]);
    expect(d.topStories[0]).toMatchObject({
      article: seedArticle,
      // The tag it would be placed under: its phase.
      evidence: seed.tags.phases[0]?.evidence,
      mentions: seed.tags.phases[0]?.count,
      sources: [{ title: seed.title, url: seed.canonicalUrl, feedId: seed.feedId }],
    });
    expect(d.topStories[0]?.tags.map((t) => t.id).sort()).toEqual(
      [...seed.tags.actors, ...seed.tags.phases].map((t) => t.id).sort(),
    );
  });

  it.each<{
    name: string;
    articles: DigestArticle[];
    phases: [string, number, string[]][];
    actors: [string, number, string[]][];
    untagged: string[];
  }>([
    {
      name: 'phases-in-plan-order-tie-goes-to-first-phase',
      articles: [
        art('a', { phases: [tag('phase-10')] }),
        art('b', { phases: [tag('phase-2')] }),
        art('c', { phases: [tag('phase-2'), tag('phase-1')] }),
      ],
      phases: [
        ['phase-1', 1, ['c']],
        ['phase-2', 2, ['b']],
        ['phase-10', 1, ['a']],
      ],
      actors: [],
      untagged: [],
    },
    {
      name: 'phase-beats-actor-even-in-title',
      articles: [art('a', { actors: [{ ...tag('hamas', 9), inTitle: true }], phases: [tag('phase-2')] })],
      phases: [['phase-2', 1, ['a']]],
      actors: [['hamas', 1, []]],
      untagged: [],
    },
    {
      name: 'best-phase-title-over-lead-over-mentions',
      articles: [
        art('title', {
          phases: [
            { ...tag('phase-1', 9), inLead: true },
            { ...tag('phase-3', 1), inTitle: true },
          ],
        }),
        art('lead', { phases: [tag('phase-1', 9), { ...tag('phase-3', 1), inLead: true }] }),
        art('count', { phases: [tag('phase-1', 3), tag('phase-3', 2)] }),
      ],
      phases: [
        ['phase-1', 3, ['count']],
        ['phase-3', 3, ['lead', 'title']],
      ],
      actors: [],
      untagged: [],
    },
    {
      name: 'actors-by-story-count-then-name',
      articles: [
        art('a', { actors: [tag('qatar'), tag('hamas')] }),
        art('b', { actors: [tag('hamas', 9)] }),
        art('c', { actors: [tag('egypt')] }),
      ],
      phases: [],
      // a: a tie between hamas and qatar goes to the first name.
      actors: [
        ['hamas', 2, ['a', 'b']],
        ['egypt', 1, ['c']],
        ['qatar', 1, []],
      ],
      untagged: [],
    },
    {
      name: 'best-actor-title-over-lead-over-mentions',
      articles: [
        art('title', {
          actors: [
            { ...tag('egypt', 9), inLead: true },
            { ...tag('qatar'), inTitle: true },
          ],
        }),
        art('lead', { actors: [tag('egypt', 9), { ...tag('qatar'), inLead: true }] }),
        art('count', { actors: [tag('egypt', 3), tag('qatar', 2)] }),
      ],
      phases: [],
      actors: [
        ['egypt', 3, ['count']],
        ['qatar', 3, ['lead', 'title']],
      ],
      untagged: [],
    },
    {
      name: 'newest-first-undated-last',
      articles: [
        art('undated', { actors: [tag('hamas')] }),
        art('morning', { actors: [tag('hamas')], published: '2025-12-18T08:00:00Z' }),
        art('evening', { actors: [tag('hamas')], published: '2025-12-18T20:00:00+02:00' }),
        art('noon', { actors: [tag('hamas')], published: '2025-12-18T12:00:00.000Z' }),
        art('garbage-date', { actors: [tag('hamas')], published: 'yesterday' }),
      ],
      phases: [],
      actors: [['hamas', 5, ['evening', 'noon', 'morning', 'garbage-date', 'undated']]],
      untagged: [],
    },
    {
      name: 'untagged-relevant-group',
      articles: [
        art('tagged', { actors: [tag('israel')] }),
        art('bare-old', { published: '2025-12-18T01:00:00Z' }),
        art('bare-new', { published: '2025-12-18T09:00:00Z' }),
      ],
      phases: [],
      actors: [['israel', 1, ['tagged']]],
      untagged: ['bare-new', 'bare-old'],
    },
    {
      name: 'irrelevant-articles-listed-nowhere',
      articles: [
        art('ukraine-talks', { relevant: false, actors: [tag('steve-witkoff')] }),
        art('thanksgiving', { relevant: false }),
        art('gaza', { actors: [tag('steve-witkoff')] }),
      ],
      phases: [],
      actors: [['steve-witkoff', 1, ['gaza']]],
      untagged: [],
    },
    {
      name: 'same-url-once',
      articles: [
        art('a', { actors: [tag('hamas')], title: 'First copy' }),
        art('a', { actors: [tag('hamas')], title: 'Second copy' }),
      ],
      phases: [],
      actors: [['hamas', 1, ['a']]],
      untagged: [],
    },
    {
      name: 'repeated-tag-id-counted-once',
      articles: [art('a', { actors: [tag('hamas'), tag('hamas')] })],
      phases: [],
      actors: [['hamas', 1, ['a']]],
      untagged: [],
    },
    {
      name: 'placed-by-the-shown-copy',
      // The copy with the phase in its title is shown (most salient), so its phase wins over the
      // earlier copy's; the story still counts under both.
      articles: [
        art('wire', { storyId: 's', published: '2025-12-18T01:00:00Z', phases: [tag('phase-1', 5)] }),
        art('repost', {
          storyId: 's',
          published: '2025-12-18T02:00:00Z',
          phases: [{ ...tag('phase-2'), inTitle: true }],
        }),
      ],
      phases: [
        ['phase-1', 1, []],
        ['phase-2', 1, ['repost']],
      ],
      actors: [],
      untagged: [],
    },
    { name: 'empty-day', articles: [], phases: [], actors: [], untagged: [] },
  ])('placed-$name', ({ articles, phases, actors, untagged }) => {
    const d = buildDigest({ day, timezone: 'Europe/London', articles: [...crowd, ...articles] });
    expect(shape(d.phases)).toEqual(phases);
    expect(shape(d.actors)).toEqual(actors);
    expect(d.untagged?.entries.map((e) => slug(e.article.url))).toEqual(untagged);
    expect(d.topStories.map((s) => s.storyId)).toEqual(crowdIds);
  });

  it.each([
    { name: 'reported-day', input: { ...reportedDay(), maxPerGroup: 1000 } },
    { name: 'heavy-day', input: { ...heavyDay(), maxPerGroup: 1000 } },
    { name: 'heavy-day-capped', input: heavyDay() },
  ])('each-story-listed-at-most-once-$name', ({ input }) => {
    const d = buildDigest(input);
    const keys = listedKeys(d);
    expect(new Set(keys).size).toBe(keys.length);
    expect(countListed(d)).toBe(keys.length);
    // Uncapped, every story is listed; capped, the rest is in the groups' "+N more".
    const more = [...d.phases, ...d.actors, ...(d.untagged ? [d.untagged] : [])].reduce(
      (n, g) => n + g.more,
      0,
    );
    expect(keys.length + more).toBe(d.stories);
    if (input.maxPerGroup === 1000) expect(more).toBe(0);
  });

  it.each([
    { name: 'reported-day', input: reportedDay() },
    { name: 'heavy-day', input: heavyDay() },
  ])('every-tag-counted-as-countStoriesByTag-counts-$name', ({ input }) => {
    const d = buildDigest(input);
    const counts = countStoriesByTag(input.articles);
    expect(Object.fromEntries(d.phases.map((g) => [g.id, g.count]))).toEqual(counts.phases);
    expect(Object.fromEntries(d.actors.map((g) => [g.id, g.count]))).toEqual(counts.actors);
    for (const g of [...d.phases, ...d.actors]) {
      const previous = (g.kind === 'phase' ? input.previous?.phases : input.previous?.actors)?.[g.id] ?? 0;
      expect([g.previous, g.delta]).toEqual([previous, g.count - previous]);
    }
  });

  it('counts-total-and-relevant', () => {
    const d = buildDigest({
      day,
      timezone: 'UTC',
      articles: [art('a'), art('b', { relevant: false }), art('a'), art('c', { actors: [tag('hamas')] })],
    });
    expect([d.total, d.relevant, d.stories]).toEqual([3, 2, 2]);
    // Both stories are top stories: the untagged one is counted in its group, listed on top only.
    expect(d.untagged).toEqual({
      kind: 'untagged',
      id: 'untagged',
      name: 'Untagged relevant',
      count: 1,
      previous: null,
      delta: null,
      entries: [],
      more: 0,
    });
  });

  it('names-for-ids', () => {
    const d = buildDigest({
      day,
      timezone: 'UTC',
      articles: [seedArticle],
      names: { 'phase-2': 'Phase two', 'steve-witkoff': 'Steve Witkoff' },
    });
    expect(d.phases[0]?.name).toBe('Phase two');
    expect(d.actors.find((g) => g.id === 'steve-witkoff')?.name).toBe('Steve Witkoff');
    // Ids without a name show as themselves.
    expect(d.actors.find((g) => g.id === 'hamas')?.name).toBe('hamas');
  });

  it('entry-evidence-and-mentions-are-its-groups-tag', () => {
    const a = art('a', { actors: [tag('hamas', 4), tag('israel', 2)], phases: [tag('phase-1', 3)] });
    const d = buildDigest({ day, timezone: 'UTC', articles: [...crowd, a] });
    expect(d.phases[0]?.entries).toEqual([
      {
        article: a,
        evidence: 'Evidence for phase-1.',
        mentions: 3,
        sources: [{ title: a.title, url: a.url, feedId: a.feedId }],
        tags: [
          { kind: 'actor', id: 'hamas', name: 'hamas' },
          { kind: 'phase', id: 'phase-1', name: 'phase-1' },
          { kind: 'actor', id: 'israel', name: 'israel' },
        ],
      },
    ]);
    expect(d.actors.map((g) => [g.id, g.count, g.entries.length])).toEqual([
      ['hamas', 1, 0],
      ['israel', 1, 0],
    ]);
  });

  it.each([
    {
      name: 'title-then-lead-then-mentions',
      actors: [tag('qatar', 1), { ...tag('egypt', 1), inLead: true }, { ...tag('hamas', 1), inTitle: true }],
      phases: [tag('phase-2', 5)],
      expected: ['hamas', 'egypt', 'phase-2', 'qatar'],
    },
    {
      name: 'phase-before-actor-on-tie-then-name',
      actors: [tag('qatar', 2), tag('israel', 2)],
      phases: [tag('phase-2', 2)],
      expected: ['phase-2', 'israel', 'qatar'],
    },
    { name: 'untagged-none', actors: [], phases: [], expected: [] },
  ])('entry-tags-$name', ({ actors, phases, expected }) => {
    const d = buildDigest({
      day,
      timezone: 'UTC',
      articles: [art('a', { actors, phases })],
      names: { qatar: 'Qatar' },
    });
    expect(d.topStories[0]?.tags.map((t) => t.id)).toEqual(expected);
    if (expected.includes('qatar')) {
      expect(d.topStories[0]?.tags).toContainEqual({ kind: 'actor', id: 'qatar', name: 'Qatar' });
    }
  });

  it.each([
    { name: 'day-not-a-date', day: '18/12/2025', timezone: 'UTC', culprit: '"18/12/2025"' },
    { name: 'day-impossible', day: '2025-02-30', timezone: 'UTC', culprit: '"2025-02-30"' },
    { name: 'day-with-time', day: '2025-12-18T00:00', timezone: 'UTC', culprit: '"2025-12-18T00:00"' },
    { name: 'timezone-unknown', day, timezone: 'Mars/Olympus', culprit: '"Mars/Olympus"' },
  ])('rejects-$name', ({ day: badDay, timezone, culprit }) => {
    let error: unknown;
    try {
      buildDigest({ day: badDay, timezone, articles: [] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({ stage: 'digest', code: 'CONFIG_INVALID', culprit, permanent: true });
  });
});

describe('buildDigest deltas and newly appearing', () => {
  const articles = [
    art('a', { actors: [tag('hamas'), tag('qatar')], phases: [tag('phase-2')] }),
    art('b', { actors: [tag('hamas')] }),
    art('c', { actors: [tag('egypt')] }),
  ];
  it.each<{
    name: string;
    previous: { actors: Record<string, number>; phases: Record<string, number> } | undefined;
    actors: [string, number | null, number | null][];
    phases: [string, number | null, number | null][];
    newActors: string[];
  }>([
    {
      name: 'no-previous-no-deltas',
      previous: undefined,
      actors: [
        ['hamas', null, null],
        ['egypt', null, null],
        ['qatar', null, null],
      ],
      phases: [['phase-2', null, null]],
      newActors: [],
    },
    {
      name: 'up-down-same-and-new',
      previous: { actors: { hamas: 5, egypt: 1, israel: 4 }, phases: { 'phase-2': 0 } },
      actors: [
        ['hamas', 5, -3],
        ['egypt', 1, 0],
        ['qatar', 0, 1],
      ],
      phases: [['phase-2', 0, 1]],
      newActors: ['qatar'],
    },
    {
      name: 'empty-previous-everyone-new',
      previous: { actors: {}, phases: {} },
      actors: [
        ['hamas', 0, 2],
        ['egypt', 0, 1],
        ['qatar', 0, 1],
      ],
      phases: [['phase-2', 0, 1]],
      newActors: ['hamas', 'egypt', 'qatar'],
    },
    {
      name: 'previous-zero-counts-as-absent',
      previous: { actors: { hamas: 1, egypt: 0, qatar: 2 }, phases: {} },
      actors: [
        ['hamas', 1, 1],
        ['egypt', 0, 1],
        ['qatar', 2, -1],
      ],
      phases: [['phase-2', 0, 1]],
      newActors: ['egypt'],
    },
  ])('$name', ({ previous, actors, phases, newActors }) => {
    const d = buildDigest({ day, timezone: 'UTC', articles, ...(previous ? { previous } : {}) });
    expect(d.hasPrevious).toBe(previous !== undefined);
    expect(d.actors.map((g) => [g.id, g.previous, g.delta])).toEqual(actors);
    expect(d.phases.map((g) => [g.id, g.previous, g.delta])).toEqual(phases);
    expect(d.newActors.map((a) => a.id)).toEqual(newActors);
  });
});

describe('buildDigest stories', () => {
  /** Five syndicated copies of one story from five feeds, an hour apart. */
  const copies = ['ap', 'reuters', 'aljazeera', 'toi', 'bbc'].map((feedId, i) =>
    art(`copy-${feedId}`, {
      feedId,
      storyId: 'story-1',
      published: `2025-12-18T0${i + 1}:00:00Z`,
      actors: [tag('hamas')],
      phases: [tag('phase-2')],
    }),
  );

  it('five-copies-one-story-five-sources', () => {
    const d = buildDigest({ day, timezone: 'UTC', articles: copies });
    expect([d.relevant, d.stories]).toEqual([5, 1]);
    // Counted once under each tag, listed once, as the top story.
    for (const g of [...d.actors, ...d.phases]) expect([g.count, g.entries.length]).toEqual([1, 0]);
    expect(d.topStories).toHaveLength(1);
    expect(d.topStories[0]).toMatchObject({ storyId: 'story-1' });
    expect(d.topStories[0]?.sources.map((s) => s.feedId)).toEqual([
      'ap',
      'reuters',
      'aljazeera',
      'toi',
      'bbc',
    ]);
    // The original (earliest) copy is the one shown.
    expect(d.topStories[0]?.article.feedId).toBe('ap');
  });

  it.each<{
    name: string;
    articles: DigestArticle[];
    stories?: { storyId: string; sources: { title: string; url: string; feedId: string }[] }[];
    top: [string, number][];
  }>([
    {
      name: 'more-sources-first',
      articles: [
        art('lone', { published: '2025-12-18T23:00:00Z', actors: [tag('hamas')] }),
        art('s1', { storyId: 's', published: '2025-12-18T01:00:00Z' }),
        art('s2', { storyId: 's', published: '2025-12-18T02:00:00Z' }),
      ],
      top: [
        ['s', 2],
        ['url:https://news.example.org/lone', 1],
      ],
    },
    {
      name: 'salience-breaks-source-ties',
      articles: [
        art('newer-body-only', { published: '2025-12-18T23:00:00Z', actors: [tag('hamas')] }),
        art('older-in-title', {
          published: '2025-12-18T01:00:00Z',
          actors: [{ ...tag('hamas'), inTitle: true }],
        }),
        art('lead', { published: '2025-12-18T00:30:00Z', actors: [{ ...tag('hamas'), inLead: true }] }),
      ],
      top: [
        ['url:https://news.example.org/older-in-title', 1],
        ['url:https://news.example.org/lead', 1],
        ['url:https://news.example.org/newer-body-only', 1],
      ],
    },
    {
      name: 'recency-breaks-full-ties',
      articles: [
        art('undated'),
        art('old', { published: '2025-12-18T01:00:00Z' }),
        art('new', { published: '2025-12-18T09:00:00Z' }),
      ],
      top: [
        ['url:https://news.example.org/new', 1],
        ['url:https://news.example.org/old', 1],
        ['url:https://news.example.org/undated', 1],
      ],
    },
    {
      name: 'irrelevant-copy-still-a-source',
      articles: [art('r', { storyId: 's' }), art('i', { storyId: 's', relevant: false })],
      top: [['s', 2]],
    },
    {
      name: 'extra-sources-merged-by-url',
      articles: [art('r', { storyId: 's' })],
      stories: [
        {
          storyId: 's',
          sources: [
            { title: 'dup', url: 'https://news.example.org/r', feedId: 'example' },
            { title: 'Yesterday copy', url: 'https://other.example.net/r', feedId: 'other' },
          ],
        },
        { storyId: 'absent', sources: [{ title: 'x', url: 'https://x.example/x', feedId: 'x' }] },
      ],
      top: [['s', 2]],
    },
    {
      name: 'only-irrelevant-no-top-story',
      articles: [art('i', { relevant: false })],
      top: [],
    },
  ])('top-$name', ({ articles, stories, top }) => {
    const d = buildDigest({ day, timezone: 'UTC', articles, ...(stories ? { stories } : {}) });
    expect(d.topStories.map((s) => [s.storyId, s.sources.length])).toEqual(top);
  });

  it('top-stories-capped', () => {
    const many = Array.from({ length: TOP_STORIES + 3 }, (_, i) => art(`s${i}`));
    expect(buildDigest({ day, timezone: 'UTC', articles: many }).topStories).toHaveLength(TOP_STORIES);
  });
});

describe('buildDigest +N more', () => {
  const many = (n: number, fields: Partial<DigestArticle> = {}) =>
    Array.from({ length: n }, (_, i) =>
      art(`a${String(i).padStart(2, '0')}`, {
        published: `2025-12-18T${String(i).padStart(2, '0')}:00:00Z`,
        ...fields,
      }),
    );
  it.each([
    {
      name: 'under-cap',
      n: MAX_ENTRIES_PER_GROUP - 1,
      cap: undefined,
      listed: MAX_ENTRIES_PER_GROUP - 1,
      more: 0,
    },
    { name: 'at-cap', n: MAX_ENTRIES_PER_GROUP, cap: undefined, listed: MAX_ENTRIES_PER_GROUP, more: 0 },
    {
      name: 'over-cap',
      n: MAX_ENTRIES_PER_GROUP + 7,
      cap: undefined,
      listed: MAX_ENTRIES_PER_GROUP,
      more: 7,
    },
    { name: 'custom-cap', n: 5, cap: 2, listed: 2, more: 3 },
    { name: 'cap-below-one-lists-one', n: 3, cap: 0, listed: 1, more: 2 },
  ])('$name', ({ n, cap, listed, more }) => {
    const input = { day, timezone: 'UTC', ...(cap !== undefined ? { maxPerGroup: cap } : {}) };
    // The crowd takes the top stories, so all n are placed in the group.
    const tagged = buildDigest({ ...input, articles: [...crowd, ...many(n, { actors: [tag('hamas')] })] });
    expect(tagged.actors[0]).toMatchObject({ count: n, more });
    expect(tagged.actors[0]?.entries).toHaveLength(listed);
    // The newest are the ones listed.
    expect(tagged.actors[0]?.entries[0]?.article.url).toBe(
      `https://news.example.org/a${String(n - 1).padStart(2, '0')}`,
    );
    const untagged = buildDigest({ ...input, articles: [...crowd, ...many(n)] });
    // The crowd's untagged stories are counted, but listed on top.
    expect(untagged.untagged).toMatchObject({ count: n + TOP_STORIES, more });
    expect(untagged.untagged?.entries).toHaveLength(listed);
  });
});

describe('buildDigest period and chart', () => {
  it.each([
    { name: 'daily-default', period: undefined, from: '2025-12-18', expected: 'daily' },
    { name: 'weekly', period: 'weekly' as const, from: '2025-12-12', expected: 'weekly' },
    {
      name: 'weekly-across-month',
      period: 'weekly' as const,
      day: '2026-03-02',
      from: '2026-02-24',
      expected: 'weekly',
    },
  ])('$name', ({ period, from, expected, ...rest }) => {
    const d = buildDigest({
      day: rest.day ?? day,
      timezone: 'UTC',
      articles: [],
      ...(period ? { period } : {}),
    });
    expect([d.period, d.from]).toEqual([expected, from]);
  });

  it.each<{
    name: string;
    history: { day: string; counts: Record<string, number> }[] | undefined;
    series: [string, number[]][] | null;
  }>([
    { name: 'no-history', history: undefined, series: null },
    { name: 'empty-history', history: [], series: null },
    { name: 'only-zeros', history: [{ day, counts: { hamas: 0 } }], series: null },
    {
      name: 'missing-days-zero-and-old-days-ignored',
      history: [
        { day: '2025-12-01', counts: { israel: 99 } },
        { day: '2025-12-12', counts: { hamas: 1 } },
        { day: '2025-12-18', counts: { hamas: 4, qatar: 2 } },
      ],
      series: [
        ['hamas', [1, 0, 0, 0, 0, 0, 4]],
        ['qatar', [0, 0, 0, 0, 0, 0, 2]],
      ],
    },
    {
      name: 'same-day-twice-summed',
      history: [
        { day: '2025-12-17', counts: { hamas: 1 } },
        { day: '2025-12-17', counts: { hamas: 2 } },
      ],
      series: [['hamas', [0, 0, 0, 0, 0, 3, 0]]],
    },
    {
      name: 'top-actors-only',
      history: [
        {
          day,
          counts: Object.fromEntries(
            Array.from({ length: MAX_CHART_ACTORS + 2 }, (_, i) => [`actor-${i}`, i + 1]),
          ),
        },
      ],
      series: Array.from({ length: MAX_CHART_ACTORS }, (_, i): [string, number[]] => {
        const n = MAX_CHART_ACTORS + 2 - i;
        return [`actor-${n - 1}`, [0, 0, 0, 0, 0, 0, n]];
      }),
    },
  ])('chart-$name', ({ history, series }) => {
    const d = buildDigest({ day, timezone: 'UTC', articles: [], ...(history ? { history } : {}) });
    expect(d.chart?.series.map((s) => [s.id, s.counts]) ?? null).toEqual(series);
    if (d.chart) {
      expect(d.chart.days).toHaveLength(CHART_DAYS);
      expect(d.chart.days[CHART_DAYS - 1]).toBe(day);
    }
  });
});
