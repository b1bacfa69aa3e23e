import { describe, expect, it } from 'vitest';
import { buildDigest, type DigestArticle } from '../../src/digest/build-digest.ts';
import {
  DIGEST_JSON_SCHEMA,
  renderDigestJson,
  type DigestJson,
} from '../../src/digest/render-digest-json.ts';

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

const digest = buildDigest({
  day: '2025-12-18',
  timezone: 'UTC',
  articles: [
    art('a', { storyId: 's' }),
    art('b', { storyId: 's', feedId: 'other' }),
    art('u', { actors: [] }),
  ],
  names: { hamas: 'Hamas' },
  previous: { actors: { hamas: 3 }, phases: {} },
  history: [{ day: '2025-12-18', counts: { hamas: 4 } }],
});

describe('renderDigestJson', () => {
  it('shape', () => {
    const doc = JSON.parse(renderDigestJson(digest)) as DigestJson;
    expect(Object.keys(doc)).toEqual([
      'schema',
      'period',
      'from',
      'day',
      'timezone',
      'total',
      'relevant',
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
      total: 3,
      relevant: 3,
      hasPrevious: true,
      newActors: [],
      phases: [],
      chart: { days: expect.any(Array), series: [{ id: 'hamas', name: 'Hamas', total: 4 }] },
    });
    expect(doc.actors).toEqual([
      {
        id: 'hamas',
        name: 'Hamas',
        count: 1,
        previous: 3,
        delta: -2,
        more: 0,
        entries: [
          {
            title: 'Story a',
            url: 'https://news.example.org/a',
            feedId: 'example',
            published: '2025-12-18T10:00:00Z',
            storyId: 's',
            evidence: 'Hamas said.',
            mentions: 2,
            sources: [
              { title: 'Story a', url: 'https://news.example.org/a', feedId: 'example' },
              { title: 'Story b', url: 'https://news.example.org/b', feedId: 'other' },
            ],
          },
        ],
      },
    ]);
    expect(doc.topStories.map((s) => [s.storyId, s.sources.length, s.salience])).toEqual([
      ['s', 2, 2],
      ['url:https://news.example.org/u', 1, 0],
    ]);
    expect(doc.untagged).toMatchObject({ id: 'untagged', count: 1, previous: null, delta: null, more: 0 });
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
