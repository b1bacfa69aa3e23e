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

## Top stories

- [${seed.title}](<${seed.canonicalUrl}>) — seed · www.example.com · 16:30
- [Israel says phase two hinges on disarmament](<https://news.example.org/phase-two-disarmament>) — example · news.example.org · 00:15
- [Aid convoys wait at the border](<https://news.example.org/aid-convoys>) — example · news.example.org · undated

## By phase

### Phase two — 2 stories

- [${seed.title}](<${seed.canonicalUrl}>) — seed · www.example.com · 16:30
  > ${seed.tags.phases[0]?.evidence}
- [Israel says phase two hinges on disarmament](<https://news.example.org/phase-two-disarmament>) — example · news.example.org · 00:15
  > Phase two hinges on disarmament, officials said.

## By actor

### Hamas — 2 stories

- [${seed.title}](<${seed.canonicalUrl}>) — seed · www.example.com · 16:30
  > ${seedEvidence('hamas')}
- [Israel says phase two hinges on disarmament](<https://news.example.org/phase-two-disarmament>) — example · news.example.org · 00:15
  > Hamas has refused to disarm.

### Steve Witkoff — 1 story

- [${seed.title}](<${seed.canonicalUrl}>) — seed · www.example.com · 16:30
  > ${seedEvidence('steve-witkoff')}

## Untagged relevant — 1 story

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
      'Top stories',
      'By phase',
      'Phase two',
      'By actor',
      'Hamas',
      'Steve Witkoff',
      'Untagged relevant — 1 story',
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

describe('digest extras in Markdown and HTML', () => {
  const hamas = (slug: string, fields: Partial<DigestArticle> = {}): DigestArticle => ({
    ...lateStory,
    title: `Story ${slug}`,
    url: `https://news.example.org/${slug}`,
    published: '2025-12-18T10:00:00Z',
    ...fields,
  });
  const syndicated = ['ap', 'reuters', 'bbc'].map((feedId, i) =>
    hamas(`copy-${feedId}`, {
      feedId,
      url: `https://${feedId}.example.com/gaza`,
      storyId: 'story-1',
      published: `2025-12-18T0${i + 1}:00:00Z`,
    }),
  );
  const rich = buildDigest({
    day: '2025-12-18',
    timezone: 'UTC',
    articles: [...syndicated, hamas('b'), hamas('c'), hamas('d', { actors: [tag('qatar')] })],
    names: { hamas: 'Hamas', qatar: 'Qatar', 'phase-2': 'Phase two' },
    previous: { actors: { hamas: 5 }, phases: { 'phase-2': 1 } },
    history: [{ day: '2025-12-18', counts: { hamas: 7, qatar: 1 } }],
    maxPerGroup: 2,
  });
  function tag(id: string) {
    return { id, count: 1, evidence: `About ${id}.` };
  }

  it.each([
    { name: 'delta-down', md: '### Hamas — 3 stories (▼ 2 vs previous day)', html: '>▼ 2</span>' },
    { name: 'delta-up', md: '### Phase two — 4 stories (▲ 3 vs previous day)', html: '>▲ 3</span>' },
    { name: 'delta-new-actor', md: '### Qatar — 1 story (▲ 1 vs previous day)', html: '>▲ 1</span>' },
    {
      name: 'newly-appearing',
      md: '**Newly appearing:** Qatar (1 story)',
      html: '<strong>Newly appearing:</strong> Qatar (1 story)',
    },
    { name: 'plus-n-more', md: '\n- +1 more\n', html: '>+1 more</li>' },
    {
      name: 'all-sources',
      md: '  3 sources: [ap · ap.example.com](<https://ap.example.com/gaza>), [reuters · reuters.example.com](<https://reuters.example.com/gaza>), [bbc · bbc.example.com](<https://bbc.example.com/gaza>)',
      html: '3 sources: <a href="https://ap.example.com/gaza" title="Story copy-ap" style="color:#0b5394">ap · ap.example.com</a>',
    },
    { name: 'top-stories-heading', md: '## Top stories\n\n- [Story copy-ap]', html: '>Top stories</h2>' },
    {
      name: 'chart-section',
      md: '| Hamas | 0 | 0 | 0 | 0 | 0 | 0 | 7 | 7 |',
      html: '<svg xmlns="http://www.w3.org/2000/svg"',
    },
  ])('$name', ({ md, html }) => {
    expect(renderDigestMarkdown(rich)).toContain(md);
    expect(renderDigestHtml(rich)).toContain(html);
  });

  it('no-extras-without-inputs', () => {
    const md = renderDigestMarkdown(digest);
    const html = renderDigestHtml(digest);
    for (const s of ['▲', '▼', 'Newly appearing', '- +', 'sources:', '| Actor']) expect(md).not.toContain(s);
    for (const s of ['<svg', '▲', 'Newly appearing']) expect(html).not.toContain(s);
  });

  it('html-standalone', () => {
    const html = renderDigestHtml(rich);
    // Renders from a file or a mail client alone: nothing fetched, nothing run.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(|@import/i);
    expect([...html.matchAll(/href="([^"]*)"/g)].every((m) => m[1]?.startsWith('https://'))).toBe(true);
  });

  it.each([
    {
      name: 'weekly',
      d: buildDigest({ day: '2025-12-18', timezone: 'UTC', articles: [], period: 'weekly' }),
      md: '# Gaza ceasefire weekly digest — 2025-12-12 to 2025-12-18',
      empty: 'No relevant articles this week.',
      subject: 'Gaza ceasefire weekly digest 2025-12-12 to 2025-12-18: 0 relevant articles',
    },
    {
      name: 'weekly-previous-week',
      d: buildDigest({
        day: '2025-12-18',
        timezone: 'UTC',
        articles: [lateStory],
        period: 'weekly',
        previous: { actors: {}, phases: {} },
      }),
      md: '(▲ 1 vs previous week)',
      empty: null,
      subject: 'Gaza ceasefire weekly digest 2025-12-12 to 2025-12-18: 1 relevant article (phase-2: 1)',
    },
  ])('$name', ({ d, md, empty, subject }) => {
    expect(renderDigestMarkdown(d)).toContain(md);
    if (empty) expect(renderDigestHtml(d)).toContain(`<p>${empty}</p>`);
    expect(digestSubject(d)).toBe(subject);
  });

  it.each([
    {
      name: 'actor-name-everywhere',
      names: { hamas: '<b>Ha|mas</b> & *co*' },
      md: [
        '**Newly appearing:** \\<b\\>Ha\\|mas\\</b\\> & \\*co\\* (1 story)',
        '| \\<b\\>Ha\\|mas\\</b\\> & \\*co\\* |',
      ],
      html: ['&lt;b&gt;Ha|mas&lt;/b&gt; &amp; *co*'],
      forbidden: ['<b>Ha'],
    },
    {
      name: 'source-feed-and-title',
      feedId: '"><img src=x>',
      title: '"><svg onload=alert(1)>',
      names: {} as Record<string, string>,
      md: ['\\[x\\]'],
      html: ['title="&quot;&gt;&lt;svg onload=alert(1)&gt;"', '&quot;&gt;&lt;img src=x&gt;'],
      forbidden: ['<img', '<svg onload'],
    },
  ])('escapes-extras-$name', ({ names: n, md, html, forbidden, ...rest }) => {
    const copies = [1, 2].map((i) => ({
      ...lateStory,
      title: i === 2 && rest.title ? rest.title : `[x] copy ${i}`,
      feedId: i === 2 && rest.feedId ? rest.feedId : 'example',
      url: `https://news.example.org/copy-${i}`,
      storyId: 's',
    }));
    const d = buildDigest({
      day: '2025-12-18',
      timezone: 'UTC',
      articles: copies,
      names: n,
      previous: { actors: {}, phases: { 'phase-2': 1 } },
      history: [{ day: '2025-12-18', counts: { hamas: 2 } }],
    });
    const outMd = renderDigestMarkdown(d);
    const outHtml = renderDigestHtml(d);
    for (const s of md) expect(outMd).toContain(s);
    for (const s of html) expect(outHtml).toContain(s);
    for (const s of forbidden) expect(outHtml).not.toContain(s);
  });
});
