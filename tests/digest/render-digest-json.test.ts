import { describe, expect, it } from 'vitest';
import { buildDigest, type DigestArticle } from '../../src/digest/build-digest.ts';
import {
  DIGEST_JSON_SCHEMA,
  renderDigestJson,
  type DigestJson,
} from '../../src/digest/render-digest-json.ts';
import { heavyDay } from './sample-days.ts';

function art(slug: string, fields: Partial<DigestArticle> = {}): DigestArticle {
  return {
    title: `Story ${slug}`,
    url: `https://news.example.org/${slug}`,
    feedId: 'example',
    published: '2025-12-18T10:00:00Z',
    relevant: true,
    actors: [{ id: 'hamas', count: 2, evidence: 'Hamas said.', inTitle: true }],
    phases: [],
    ...fields,
  };
}

/**
 * Story s (two copies) and t0 to t3 (Hamas in the title) are the top stories; p (Hamas in the body)
 * is placed under Hamas and u under Untagged relevant.
 */
const digest = buildDigest({
  day: '2025-12-18',
  timezone: 'UTC',
  articles: [
    art('a', { storyId: 's' }),
    art('b', { storyId: 's', feedId: 'other' }),
    ...['t0', 't1', 't2', 't3'].map((slug) => art(slug)),
    art('p', {
      actors: [{ id: 'hamas', count: 2, evidence: 'Hamas said.' }],
      published: '2025-12-18T09:00:00Z',
    }),
    art('u', { actors: [] }),
  ],
  names: { hamas: 'Hamas' },
  previous: { actors: { hamas: 3 }, phases: {} },
  history: [{ day: '2025-12-18', counts: { hamas: 4 } }],
});

describe('renderDigestJson', () => {
  it('shape', () => {
    expect(DIGEST_JSON_SCHEMA).toBe('ceasefire-watch/digest@2');
    const doc = JSON.parse(renderDigestJson(digest)) as DigestJson;
    expect(Object.keys(doc)).toEqual([
      'schema',
      'period',
      'from',
      'day',
      'timezone',
      'total',
      'relevant',
      'stories',
      'hasPrevious',
      'newActors',
      'topStories',
      'phases',
      'actors',
      'untagged',
      'chart',
    ]);
    expect(doc).toMatchObject({
      schema: DIGEST_JSON_SCHEMA,
      period: 'daily',
      from: '2025-12-18',
      total: 8,
      relevant: 8,
      stories: 7,
      hasPrevious: true,
      newActors: [],
      phases: [],
      chart: { days: expect.any(Array), series: [{ id: 'hamas', name: 'Hamas', total: 4 }] },
    });
    const hamas = { kind: 'actor', id: 'hamas', name: 'Hamas' };
    // Counted: all six Hamas stories; listed here: only p, the rest being top stories.
    expect(doc.actors).toEqual([
      {
        id: 'hamas',
        name: 'Hamas',
        count: 6,
        previous: 3,
        delta: 3,
        more: 0,
        entries: [
          {
            title: 'Story p',
            url: 'https://news.example.org/p',
            feedId: 'example',
            published: '2025-12-18T09:00:00Z',
            storyId: null,
            evidence: 'Hamas said.',
            mentions: 2,
            sources: [{ title: 'Story p', url: 'https://news.example.org/p', feedId: 'example' }],
            tags: [hamas],
          },
        ],
      },
    ]);
    expect(doc.topStories.map((s) => [s.storyId, s.sources.length, s.salience])).toEqual([
      ['s', 2, 2],
      ['url:https://news.example.org/t0', 1, 2],
      ['url:https://news.example.org/t1', 1, 2],
      ['url:https://news.example.org/t2', 1, 2],
      ['url:https://news.example.org/t3', 1, 2],
    ]);
    expect(doc.topStories[0]).toMatchObject({
      title: 'Story a',
      evidence: 'Hamas said.',
      mentions: 2,
      tags: [hamas],
      sources: [
        { title: 'Story a', url: 'https://news.example.org/a', feedId: 'example' },
        { title: 'Story b', url: 'https://news.example.org/b', feedId: 'other' },
      ],
    });
    expect(doc.untagged).toMatchObject({ id: 'untagged', count: 1, previous: null, delta: null, more: 0 });
    expect(doc.untagged?.entries.map((e) => [e.url, e.tags])).toEqual([['https://news.example.org/u', []]]);
  });

  it('each-story-once', () => {
    const doc = JSON.parse(renderDigestJson(buildDigest({ ...heavyDay(), maxPerGroup: 1000 }))) as DigestJson;
    const listed = [
      ...doc.topStories.map((s) => s.storyId),
      ...[...doc.phases, ...doc.actors, ...(doc.untagged ? [doc.untagged] : [])].flatMap((g) =>
        g.entries.map((e) => e.storyId),
      ),
    ];
    expect(listed).toHaveLength(150);
    expect(new Set(listed).size).toBe(150);
    // Every tag keeps its count and delta, listed or not.
    expect(doc.actors).toHaveLength(40);
    expect(doc.phases.map((g) => [g.id, g.delta === g.count - (g.previous ?? 0)])).toEqual([
      ['phase-1', true],
      ['phase-2', true],
      ['phase-3', true],
    ]);
  });

  it.each([
    { name: 'empty-day', d: buildDigest({ day: '2025-12-18', timezone: 'UTC', articles: [] }) },
    { name: 'full', d: digest },
  ])('stable-and-round-trips-$name', ({ d }) => {
    const json = renderDigestJson(d);
    expect(json.endsWith('}\n')).toBe(true);
    expect(renderDigestJson(d)).toBe(json);
    expect(`${JSON.stringify(JSON.parse(json), null, 2)}\n`).toBe(json);
  });

  it('no-internal-fields', () => {
    // Tags (with salience flags) stay out of the archive: the entry fields are the whole contract.
    const json = renderDigestJson(digest);
    expect(json).not.toContain('inTitle');
    expect(json).not.toContain('"inLead"');
  });
});
