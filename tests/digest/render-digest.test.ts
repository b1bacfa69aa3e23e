import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDigest } from '../../src/digest/build-digest.ts';
import type { DigestArticle } from '../../src/digest/build-digest.ts';
import { digestSubject, renderDigestHtml, renderDigestMarkdown } from '../../src/digest/render-digest.ts';
import { TaggedArticleSchema } from '../../src/model.ts';

const seed = TaggedArticleSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/alerts/seed-tagged.json', import.meta.url), 'utf8')),
);
const seedEvidence = (id: string) => seed.tags.actors.find((t) => t.id === id)?.evidence ?? '';

/** A small day: the seed story, a late story from the evening before, an untagged one, an irrelevant one. */
const seedStory: DigestArticle = {
  title: seed.title,
  url: seed.canonicalUrl,
  feedId: seed.feedId,
  published: seed.published,
  relevant: true,
  actors: seed.tags.actors.filter((t) => t.id === 'steve-witkoff' || t.id === 'hamas'),
  phases: seed.tags.phases,
};
const lateStory: DigestArticle = {
  title: 'Israel says phase two hinges on disarmament',
  url: 'https://news.example.org/phase-two-disarmament',
  feedId: 'example',
  published: '2025-12-17T22:15:00Z',
  relevant: true,
  actors: [{ id: 'hamas', count: 2, evidence: 'Hamas has refused to disarm.' }],
  phases: [{ id: 'phase-2', count: 1, evidence: 'Phase two hinges on disarmament, officials said.' }],
};
const untaggedStory: DigestArticle = {
  title: 'Aid convoys wait at the border',
  url: 'https://news.example.org/aid-convoys',
  feedId: 'example',
  published: null,
  relevant: true,
  actors: [],
  phases: [],
};
const irrelevantStory: DigestArticle = {
  title: 'Thanksgiving turkey prices rise',
  url: 'https://food.example.net/turkey',
  feedId: 'food',
  published: '2025-12-18T09:00:00Z',
  relevant: false,
  actors: [],
  phases: [],
};
const articles = [seedStory, lateStory, untaggedStory, irrelevantStory];

const names = { 'phase-2': 'Phase two', 'steve-witkoff': 'Steve Witkoff', hamas: 'Hamas' };
const digest = buildDigest({ day: '2025-12-18', timezone: 'Asia/Jerusalem', articles, names });

describe('renderDigestMarkdown', () => {
  it('groups-golden', () => {
    expect(renderDigestMarkdown(digest)).toBe(`# Gaza ceasefire digest — 2025-12-18

3 relevant articles (1 more received, judged not relevant) · times in Asia/Jerusalem

## By phase

### Phase two — 2 articles

- [${seed.title}](<${seed.canonicalUrl}>) — seed · www.example.com · 16:30
  > ${seed.tags.phases[0]?.evidence}
- [Israel says phase two hinges on disarmament](<https://news.example.org/phase-two-disarmament>) — example · news.example.org · 00:15
  > Phase two hinges on disarmament, officials said.

## By actor

### Hamas — 2 articles

- [${seed.title}](<${seed.canonicalUrl}>) — seed · www.example.com · 16:30
  > ${seedEvidence('hamas')}
- [Israel says phase two hinges on disarmament](<https://news.example.org/phase-two-disarmament>) — example · news.example.org · 00:15
  > Hamas has refused to disarm.

### Steve Witkoff — 1 article

- [${seed.title}](<${seed.canonicalUrl}>) — seed · www.example.com · 16:30
  > ${seedEvidence('steve-witkoff')}

## Untagged relevant — 1 article

- [Aid convoys wait at the border](<https://news.example.org/aid-convoys>) — example · news.example.org · undated
`);
  });

  it.each([
    { name: 'same-day-local-time', timezone: 'UTC', published: '2025-12-18T23:30:00Z', shown: '· 23:30' },
    {
      name: 'previous-local-day',
      timezone: 'America/New_York',
      published: '2025-12-18T03:00:00Z',
      shown: '· 17 Dec 22:00',
    },
    {
      name: 'next-local-day',
      timezone: 'Asia/Tokyo',
      published: '2025-12-18T16:00:00Z',
      shown: '· 19 Dec 01:00',
    },
    { name: 'unreadable-date', timezone: 'UTC', published: 'soon', shown: '· undated' },
  ])('time-$name', ({ timezone, published, shown }) => {
    const d = buildDigest({
      day: '2025-12-18',
      timezone,
      articles: [{ ...untaggedStory, published }],
    });
    expect(renderDigestMarkdown(d)).toContain(`news.example.org ${shown}\n`);
  });

  it.each([
    {
      name: 'link-and-emphasis-in-title',
      title: '[click](http://evil.example) *now* _here_',
      expected: '\\[click\\](http://evil.example) \\*now\\* \\_here\\_',
    },
    {
      name: 'raw-html-in-title',
      title: '<img src=x onerror=alert(1)>',
      expected: '\\<img src=x onerror=alert(1)\\>',
    },
    { name: 'heading-and-table-in-title', title: '# Breaking | live', expected: '\\# Breaking \\| live' },
    { name: 'code-and-entity-in-title', title: '`rm -rf` &amp; more', expected: '\\`rm -rf\\` \\&amp; more' },
    { name: 'newline-in-title', title: 'Line one\n## Line two', expected: 'Line one \\#\\# Line two' },
  ])('escapes-$name', ({ title, expected }) => {
    const d = buildDigest({ day: '2025-12-18', timezone: 'UTC', articles: [{ ...untaggedStory, title }] });
    expect(renderDigestMarkdown(d)).toContain(`- [${expected}](<https://news.example.org/aid-convoys>)`);
  });

  it('escapes-evidence-list-marker', () => {
    const d = buildDigest({
      day: '2025-12-18',
      timezone: 'UTC',
      articles: [{ ...lateStory, actors: [{ id: 'hamas', count: 1, evidence: '1. Hamas <b>said</b>' }] }],
    });
    expect(renderDigestMarkdown(d)).toContain('  > 1\\. Hamas \\<b\\>said\\</b\\>\n');
  });

  it('non-web-url-not-linked', () => {
    const d = buildDigest({
      day: '2025-12-18',
      timezone: 'UTC',
      articles: [{ ...untaggedStory, url: 'javascript:alert(1)' }],
    });
    const md = renderDigestMarkdown(d);
    expect(md).not.toContain('javascript:');
    expect(md).toContain('- Aid convoys wait at the border — example · undated\n');
  });

  it('empty-day', () => {
    const d = buildDigest({ day: '2025-12-18', timezone: 'UTC', articles: [] });
    expect(renderDigestMarkdown(d)).toBe(
      '# Gaza ceasefire digest — 2025-12-18\n\n0 relevant articles · times in UTC\n\nNo relevant articles on this day.\n',
    );
  });
});

describe('renderDigestHtml', () => {
  it('complete-document-with-groups', () => {
    const html = renderDigestHtml(digest);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">/);
    expect(html.trimEnd()).toMatch(/<\/body>\n<\/html>$/);
    expect(html).not.toContain('<style');
    expect(html).toContain(`<title>${digestSubject(digest)}</title>`);
    const headings = [...html.matchAll(/<h[23][^>]*>([^<]*)/g)].map((m) => m[1]?.trim());
    expect(headings).toEqual([
      'By phase',
      'Phase two',
      'By actor',
      'Hamas',
      'Steve Witkoff',
      'Untagged relevant — 1 article',
    ]);
    expect(html).toContain(
      `<a href="${seed.canonicalUrl}" style="color:#0b5394;text-decoration:none">${seed.title}</a>`,
    );
    expect(html).toContain('<time datetime="2025-12-17T22:15:00Z">00:15</time>');
    expect(html).not.toContain('Thanksgiving');
  });

  it.each<{
    name: string;
    article: Partial<DigestArticle>;
    names: Record<string, string>;
    expected: string[];
    forbidden: string[];
  }>([
    {
      name: 'title',
      article: { title: '<script>alert("x")</script> & co' },
      names: {},
      expected: ['&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'],
      forbidden: ['<script'],
    },
    {
      name: 'url-attribute-breakout',
      article: { url: 'https://news.example.org/a"onmouseover="alert(1)' },
      names: {},
      expected: ['href="https://news.example.org/a%22onmouseover=%22alert(1)"'],
      forbidden: ['"onmouseover'],
    },
    {
      name: 'javascript-url',
      article: { url: 'javascript:alert(1)' },
      names: {},
      expected: ['Israel says phase two hinges on disarmament<br>'],
      forbidden: ['javascript:', '<a '],
    },
    {
      name: 'evidence-and-feed-id',
      article: {
        feedId: '<b>feed</b>',
        actors: [{ id: 'hamas', count: 1, evidence: 'He said "<iframe src=x>" & left' }],
      },
      names: {},
      expected: ['&lt;b&gt;feed&lt;/b&gt;', 'He said &quot;&lt;iframe src=x&gt;&quot; &amp; left'],
      forbidden: ['<b>feed', '<iframe'],
    },
    {
      name: 'display-name',
      article: {},
      names: { hamas: '<svg onload=alert(1)>' },
      expected: ['&lt;svg onload=alert(1)&gt;'],
      forbidden: ['<svg'],
    },
  ])('escapes-$name', ({ article, names: n, expected, forbidden }) => {
    const d = buildDigest({
      day: '2025-12-18',
      timezone: 'UTC',
      articles: [{ ...lateStory, ...article }],
      names: n,
    });
    const html = renderDigestHtml(d);
    for (const s of expected) expect(html).toContain(s);
    for (const s of forbidden) expect(html).not.toContain(s);
  });
});

describe('digestSubject', () => {
  it.each([
    {
      name: 'with-phases',
      d: digest,
      expected: 'Gaza ceasefire digest 2025-12-18: 3 relevant articles (Phase two: 2)',
    },
    {
      name: 'one-article-no-phase',
      d: buildDigest({ day: '2025-12-18', timezone: 'UTC', articles: [untaggedStory] }),
      expected: 'Gaza ceasefire digest 2025-12-18: 1 relevant article',
    },
    {
      name: 'name-with-line-break',
      d: buildDigest({
        day: '2025-12-18',
        timezone: 'UTC',
        articles: [lateStory],
        names: { 'phase-2': 'Phase\r\nBcc: x@example.net' },
      }),
      expected: 'Gaza ceasefire digest 2025-12-18: 1 relevant article (Phase Bcc: x@example.net: 1)',
    },
  ])('$name', ({ d, expected }) => {
    expect(digestSubject(d)).toBe(expected);
  });
});
