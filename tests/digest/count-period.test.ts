import { describe, expect, it } from 'vitest';
import type { DigestArticle } from '../../src/digest/build-digest.ts';
import { countStoriesByTag, mentionHistory } from '../../src/digest/count-period.ts';

const article = (
  over: Partial<DigestArticle & { fetchedAt: string }>,
): DigestArticle & { fetchedAt: string } => ({
  title: 't',
  url: `https://example.org/${Math.random()}`,
  feedId: 'f',
  published: '2025-12-18T10:00:00Z',
  fetchedAt: '2025-12-18T10:05:00Z',
  relevant: true,
  actors: [{ id: 'qatar', count: 2, evidence: 'e' }],
  phases: [{ id: 'phase-2', count: 1, evidence: 'e' }],
  storyId: null,
  ...over,
});

describe('countStoriesByTag', () => {
  it.each([
    {
      name: 'copies-of-one-story-count-once',
      articles: [article({ storyId: '7' }), article({ storyId: '7' }), article({ storyId: '8' })],
      expected: { actors: { qatar: 2 }, phases: { 'phase-2': 2 } },
    },
    {
      name: 'no-story-counts-each-article',
      articles: [article({}), article({})],
      expected: { actors: { qatar: 2 }, phases: { 'phase-2': 2 } },
    },
    {
      name: 'irrelevant-articles-do-not-count',
      articles: [article({ relevant: false })],
      expected: { actors: {}, phases: {} },
    },
  ])('$name', ({ articles, expected }) => {
    expect(countStoriesByTag(articles)).toEqual(expected);
  });
});

describe('mentionHistory', () => {
  it('counts mentions per actor on each local day, undated articles by their fetch time', () => {
    const history = mentionHistory(
      [
        article({ published: '2025-12-18T23:30:00Z' }), // 19 Dec in Jerusalem
        article({ published: null, fetchedAt: '2025-12-17T08:00:00Z' }),
        article({ published: '2025-12-01T08:00:00Z' }), // outside the window
        article({ relevant: false }),
      ],
      '2025-12-17',
      '2025-12-19',
      'Asia/Jerusalem',
    );
    expect(history).toEqual([
      { day: '2025-12-17', counts: { qatar: 2 } },
      { day: '2025-12-18', counts: {} },
      { day: '2025-12-19', counts: { qatar: 2 } },
    ]);
  });
});
