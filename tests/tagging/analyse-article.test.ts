import { describe, expect, it } from 'vitest';
import { analyseArticle } from '../../src/tagging/analyse-article.ts';
import { devRecords, matcher } from './shipped-watchlist.ts';

const decisions = (record: { title: string; text: string; published: string | null }, trace: boolean) => {
  const a = analyseArticle(record, matcher, trace);
  return {
    relevance: a.relevance,
    actors: a.actors.map((list) => list.map((c) => [c.field, c.start, c.end, c.rule])),
    phases: a.phases.map((list) => list.map((c) => [c.field, c.start, c.end, c.rule])),
  };
};

describe('analyseArticle', () => {
  it.each(devRecords.map((r) => ({ name: r.id, record: r })))(
    'tracing changes no decision: $name',
    ({ record }) => {
      expect(decisions(record, true)).toEqual(decisions(record, false));
    },
  );

  it('records refusals only when traced', () => {
    const article = { title: '', text: 'Talks resumed in Cairo. Israel Katz spoke.' };
    expect(analyseArticle(article, matcher, false).refused).toEqual([]);
    const refused = analyseArticle(article, matcher, true).refused.map((c) => c.refused);
    expect(refused).toContainEqual(expect.stringMatching(/is a place/));
    expect(refused).toContainEqual(expect.stringMatching(/an exclusion/));
  });

  it.each([
    { name: 'iso-instant', published: '2024-06-01T23:30:00Z', expected: [] },
    { name: 'iso-day', published: '2025-06-01', expected: ['donald-trump'] },
    { name: 'garbage-date-reads-as-undated', published: 'yesterday', expected: ['donald-trump'] },
  ])('reads the article date: $name', ({ published, expected }) => {
    const a = analyseArticle({ title: '', text: 'The American president spoke.', published }, matcher, false);
    const trump = matcher.actors.findIndex((x) => x.id === 'donald-trump');
    expect((a.actors[trump] ?? []).length > 0 ? ['donald-trump'] : []).toEqual(expected);
  });
});
