import { describe, expect, it } from 'vitest';
import { firstEvidence, webUrl } from '../../src/alerts/alert-facts.ts';
import type { Mention, TaggedArticle } from '../../src/model.ts';

const mention = (field: Mention['field'], start: number, sentence: string): Mention => ({
  kind: 'actor',
  id: 'qatar',
  field,
  start,
  end: start + 5,
  text: 'Qatar',
  sentence,
});

const article = (mentions: Mention[], evidence = ' Actor evidence. '): TaggedArticle => ({
  feedId: 'f',
  url: 'https://example.org/a',
  canonicalUrl: 'https://example.org/a',
  title: 'Qatar says',
  byline: null,
  lang: 'en',
  text: 'x',
  published: null,
  fetchedAt: '2025-12-19T00:00:00.000Z',
  source: 'page',
  tags: {
    relevant: true,
    actors: evidence ? [{ id: 'qatar', count: 1, evidence }] : [],
    phases: [],
    mentions,
  },
});

describe('alert facts', () => {
  it.each([
    { name: 'https', url: 'https://example.org/a', expected: 'https://example.org/a' },
    { name: 'javascript-is-not-linked', url: 'javascript:alert(1)', expected: null },
    { name: 'relative-is-not-linked', url: '/a/b', expected: null },
  ])('webUrl: $name', ({ url, expected }) => {
    expect(webUrl(url)?.href ?? null).toBe(expected);
  });

  it.each([
    {
      name: 'title-before-text',
      mentions: [mention('text', 0, 'Text first.'), mention('title', 10, 'Title sentence.')],
      expected: 'Title sentence.',
    },
    {
      name: 'earliest-in-text',
      mentions: [mention('text', 40, 'Later.'), mention('text', 3, ' Earlier. ')],
      expected: 'Earlier.',
    },
    { name: 'no-mentions-uses-tag-evidence', mentions: [], expected: 'Actor evidence.' },
  ])('firstEvidence: $name', ({ mentions, expected }) => {
    expect(firstEvidence(article(mentions))).toBe(expected);
  });

  it('firstEvidence: nothing to show is null', () => {
    expect(firstEvidence(article([], ''))).toBeNull();
  });
});
