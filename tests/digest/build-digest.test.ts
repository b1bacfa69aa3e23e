import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDigest } from '../../src/digest/build-digest.ts';
import type { DigestArticle, DigestGroup } from '../../src/digest/build-digest.ts';
import { PipelineError } from '../../src/errors.ts';
import { TaggedArticleSchema } from '../../src/model.ts';

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

function art(slug: string, fields: Partial<DigestArticle> = {}): DigestArticle {
  return {
    title: `Story ${slug}`,
    url: `https://news.example.org/${slug}`,
    feedId: 'example',
    published: null,
    relevant: true,
    actors: [],
    phases: [],
    ...fields,
  };
}

const day = '2025-12-18';

/** Group ids with their article URLs' slugs, the shape most cases compare. */
function shape(groups: DigestGroup[]): [string, string[]][] {
  return groups.map((g) => [g.id, g.entries.map((e) => e.article.url.split('/').pop() ?? '')]);
}

describe('buildDigest', () => {
  it('seed-article-in-every-tag-group', () => {
    const d = buildDigest({ day, timezone: 'UTC', articles: [seedArticle] });
    expect(d).toMatchObject({ day, timezone: 'UTC', total: 1, relevant: 1, untagged: null });
    expect(d.phases.map((g) => [g.id, g.count])).toEqual([['phase-2', 1]]);
    expect(d.actors.map((g) => g.id).sort()).toEqual(seed.tags.actors.map((t) => t.id).sort());
    const witkoff = d.actors.find((g) => g.id === 'steve-witkoff');
    expect(witkoff?.entries[0]).toEqual({
      article: seedArticle,
      evidence: 'Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase of Gaza ceasefire',
      mentions: 3,
    });
  });

  it.each<{
    name: string;
    articles: DigestArticle[];
    phases: [string, string[]][];
    actors: [string, string[]][];
    untagged: string[] | null;
  }>([
    {
      name: 'phases-in-plan-order',
      articles: [
        art('a', { phases: [tag('phase-10')] }),
        art('b', { phases: [tag('phase-2')] }),
        art('c', { phases: [tag('phase-1'), tag('phase-2')] }),
      ],
      phases: [
        ['phase-1', ['c']],
        ['phase-2', ['b', 'c']],
        ['phase-10', ['a']],
      ],
      actors: [],
      untagged: null,
    },
    {
      name: 'actors-by-article-count-then-name',
      articles: [
        art('a', { actors: [tag('qatar'), tag('hamas')] }),
        art('b', { actors: [tag('hamas', 9)] }),
        art('c', { actors: [tag('egypt')] }),
      ],
      phases: [],
      actors: [
        ['hamas', ['a', 'b']],
        ['egypt', ['c']],
        ['qatar', ['a']],
      ],
      untagged: null,
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
      actors: [['hamas', ['evening', 'noon', 'morning', 'garbage-date', 'undated']]],
      untagged: null,
    },
    {
      name: 'untagged-relevant-group',
      articles: [
        art('tagged', { actors: [tag('israel')] }),
        art('bare-old', { published: '2025-12-18T01:00:00Z' }),
        art('bare-new', { published: '2025-12-18T09:00:00Z' }),
      ],
      phases: [],
      actors: [['israel', ['tagged']]],
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
      actors: [['steve-witkoff', ['gaza']]],
      untagged: null,
    },
    {
      name: 'same-url-once',
      articles: [
        art('a', { actors: [tag('hamas')], title: 'First copy' }),
        art('a', { actors: [tag('hamas')], title: 'Second copy' }),
      ],
      phases: [],
      actors: [['hamas', ['a']]],
      untagged: null,
    },
    {
      name: 'repeated-tag-id-counted-once',
      articles: [art('a', { actors: [tag('hamas'), tag('hamas')] })],
      phases: [],
      actors: [['hamas', ['a']]],
      untagged: null,
    },
    { name: 'empty-day', articles: [], phases: [], actors: [], untagged: null },
  ])('$name', ({ articles, phases, actors, untagged }) => {
    const d = buildDigest({ day, timezone: 'Europe/London', articles });
    expect(shape(d.phases)).toEqual(phases);
    expect(shape(d.actors)).toEqual(actors);
    expect(d.untagged ? shape([d.untagged])[0]?.[1] : null).toEqual(untagged);
    for (const g of [...d.phases, ...d.actors]) expect(g.count).toBe(g.entries.length);
  });

  it('counts-total-and-relevant', () => {
    const d = buildDigest({
      day,
      timezone: 'UTC',
      articles: [art('a'), art('b', { relevant: false }), art('a'), art('c', { actors: [tag('hamas')] })],
    });
    expect([d.total, d.relevant]).toEqual([3, 2]);
    expect(d.untagged).toMatchObject({
      kind: 'untagged',
      id: 'untagged',
      name: 'Untagged relevant',
      count: 1,
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

  it('group-evidence-and-mentions-are-the-groups-tag', () => {
    const a = art('a', { actors: [tag('hamas', 4), tag('israel', 2)], phases: [tag('phase-1', 3)] });
    const d = buildDigest({ day, timezone: 'UTC', articles: [a] });
    expect(d.actors.map((g) => [g.id, g.entries[0]?.evidence, g.entries[0]?.mentions])).toEqual([
      ['hamas', 'Evidence for hamas.', 4],
      ['israel', 'Evidence for israel.', 2],
    ]);
    expect(d.phases[0]?.entries[0]).toMatchObject({ evidence: 'Evidence for phase-1.', mentions: 3 });
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
