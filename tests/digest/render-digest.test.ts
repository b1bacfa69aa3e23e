import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDigest } from '../../src/digest/build-digest.ts';
import type { DigestArticle } from '../../src/digest/build-digest.ts';
import {
  digestSubject,
  MAX_DIGEST_HTML_BYTES,
  MAX_EMAIL_STORIES,
  renderDigestHtml,
  renderDigestMarkdown,
} from '../../src/digest/render-digest.ts';
import { TaggedArticleSchema } from '../../src/model.ts';
import { heavyDay, reportedDay } from './sample-days.ts';

const seed = TaggedArticleSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/alerts/seed-tagged.json', import.meta.url), 'utf8')),
);

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
/** A quiet day: three relevant stories, all of them top stories. */
const digest = buildDigest({ day: '2025-12-18', timezone: 'Asia/Jerusalem', articles, names });

/** A busier day: the quiet day's stories plus five more; three are placed in sections. */
const newer = (slug: string, hour: number, fields: Partial<DigestArticle>): DigestArticle => ({
  ...untaggedStory,
  title: `Update ${slug}`,
  url: `https://wire.example.com/${slug}`,
  feedId: 'wire',
  published: `2025-12-18T${hour}:00:00Z`,
  ...fields,
});
const busy = buildDigest({
  day: '2025-12-18',
  timezone: 'Asia/Jerusalem',
  articles: [
    ...articles,
    newer('rafah', 13, {
      actors: [{ id: 'egypt', count: 1, evidence: 'Egypt will reopen Rafah.', inTitle: true }],
    }),
    newer('board', 12, { phases: [{ id: 'phase-2', count: 1, evidence: 'The board oversees phase two.' }] }),
    newer('weather', 11, {}),
    newer('doha', 10, { actors: [{ id: 'qatar', count: 1, evidence: 'Qatar hosted the talks.' }] }),
    {
      ...lateStory,
      title: 'Qatar presses Hamas on the hostages',
      url: 'https://news.example.org/qatar-presses-hamas',
      published: '2025-12-17T20:00:00Z',
      phases: [],
      actors: [
        { id: 'hamas', count: 3, evidence: 'Hamas was pressed.' },
        { id: 'qatar', count: 1, evidence: 'Qatar pressed Hamas.' },
      ],
    },
  ],
  names: { ...names, qatar: 'Qatar', egypt: 'Egypt' },
  previous: { actors: { hamas: 4, qatar: 1 }, phases: { 'phase-2': 2 } },
});

describe('renderDigestMarkdown', () => {
  it('quiet-day-golden', () => {
    expect(renderDigestMarkdown(digest)).toBe(`# Gaza ceasefire digest — 2025-12-18

3 relevant articles (1 more received, judged not relevant) · times in Asia/Jerusalem

## Top stories

- [${seed.title}](<${seed.canonicalUrl}>) — seed · www.example.com · 16:30
  About: Phase two · Hamas · Steve Witkoff
  > ${seed.tags.phases[0]?.evidence}
- [Israel says phase two hinges on disarmament](<https://news.example.org/phase-two-disarmament>) — example · news.example.org · 00:15
  About: Hamas · Phase two
  > Phase two hinges on disarmament, officials said.
- [Aid convoys wait at the border](<https://news.example.org/aid-convoys>) — example · news.example.org · undated

## At a glance

Stories per phase and actor, each story counted under every tag it carries. Below, each story is listed once, under the phase or actor it is most about.

| Phase | Stories |
| --- | ---: |
| Phase two | 2 |

| Actor | Stories |
| --- | ---: |
| Hamas | 2 |
| Steve Witkoff | 1 |

Untagged relevant: 1 story
`);
  });

  it('busy-day-golden', () => {
    expect(renderDigestMarkdown(busy)).toBe(`# Gaza ceasefire digest — 2025-12-18

8 relevant articles (1 more received, judged not relevant) · times in Asia/Jerusalem

**Newly appearing:** Egypt (1 story), Steve Witkoff (1 story)

## Top stories

- [Update rafah](<https://wire.example.com/rafah>) — wire · wire.example.com · 15:00
  About: Egypt
  > Egypt will reopen Rafah.
- [${seed.title}](<${seed.canonicalUrl}>) — seed · www.example.com · 16:30
  About: Phase two · Hamas · Steve Witkoff
  > ${seed.tags.phases[0]?.evidence}
- [Update board](<https://wire.example.com/board>) — wire · wire.example.com · 14:00
  About: Phase two
  > The board oversees phase two.
- [Update weather](<https://wire.example.com/weather>) — wire · wire.example.com · 13:00
- [Update doha](<https://wire.example.com/doha>) — wire · wire.example.com · 12:00
  About: Qatar
  > Qatar hosted the talks.

## At a glance

Stories per phase and actor, each story counted under every tag it carries. Below, each story is listed once, under the phase or actor it is most about.

| Phase | Stories | vs previous day |
| --- | ---: | ---: |
| Phase two | 3 | ▲ 1 |

| Actor | Stories | vs previous day |
| --- | ---: | ---: |
| Hamas | 3 | ▼ 1 |
| Qatar | 2 | ▲ 1 |
| Egypt | 1 | ▲ 1 |
| Steve Witkoff | 1 | ▲ 1 |

Untagged relevant: 2 stories

## By phase

### Phase two

- [Israel says phase two hinges on disarmament](<https://news.example.org/phase-two-disarmament>) — example · news.example.org · 00:15
  About: Hamas · Phase two
  > Phase two hinges on disarmament, officials said.

## By actor

### Hamas

- [Qatar presses Hamas on the hostages](<https://news.example.org/qatar-presses-hamas>) — example · news.example.org · 17 Dec 22:00
  About: Hamas · Qatar
  > Hamas was pressed.

## Untagged relevant

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
      articles: [
        { ...lateStory, phases: [], actors: [{ id: 'hamas', count: 1, evidence: '1. Hamas <b>said</b>' }] },
      ],
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
    const html = renderDigestHtml(busy);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">/);
    expect(html.trimEnd()).toMatch(/<\/body>\n<\/html>$/);
    expect(html).not.toContain('<style');
    expect(html).toContain(`<title>${digestSubject(busy)}</title>`);
    const headings = [...html.matchAll(/<h[23][^>]*>([^<]*)/g)].map((m) => m[1]?.trim());
    // Qatar's two stories are listed elsewhere (top stories, Hamas), so it has no heading.
    expect(headings).toEqual([
      'Top stories',
      'At a glance',
      'By phase',
      'Phase two',
      'By actor',
      'Hamas',
      'Untagged relevant',
    ]);
    expect(html).toContain(
      '<tr><td>Qatar</td><td align="right">2</td><td align="right" style="color:#137333" title="previous day: 1">▲ 1</td></tr>',
    );
    expect(html).toContain(
      '<tr><th align="left">Untagged relevant</th><td align="right">2</td><td></td></tr>',
    );
    expect(html).toContain('<span style="color:#555;font-size:13px">About: Hamas · Qatar</span>');
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
        // No phase, so the actor's evidence is the one quoted.
        phases: [],
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
    // Eight stories: story-1 and b to e on top (most sources, then by title), f to h placed under
    // Phase two, which lists two and counts one more.
    articles: [
      ...syndicated,
      ...['b', 'c', 'e', 'f', 'g', 'h'].map((slug) => hamas(slug)),
      hamas('d', { actors: [tag('qatar')] }),
    ],
    names: { hamas: 'Hamas', qatar: 'Qatar', 'phase-2': 'Phase two' },
    previous: { actors: { hamas: 9 }, phases: { 'phase-2': 1 } },
    history: [{ day: '2025-12-18', counts: { hamas: 7, qatar: 1 } }],
    maxPerGroup: 2,
  });
  function tag(id: string) {
    return { id, count: 1, evidence: `About ${id}.` };
  }

  it.each([
    {
      name: 'delta-down',
      md: '| Actor | Stories | vs previous day |\n| --- | ---: | ---: |\n| Hamas | 7 | ▼ 2 |\n',
      html: '<tr><td>Hamas</td><td align="right">7</td><td align="right" style="color:#a50e0e" title="previous day: 9">▼ 2</td></tr>',
    },
    {
      name: 'delta-up',
      md: '| Phase two | 8 | ▲ 7 |',
      html: '<tr><td>Phase two</td><td align="right">8</td><td align="right" style="color:#137333" title="previous day: 1">▲ 7</td></tr>',
    },
    {
      name: 'delta-new-actor',
      md: '| Qatar | 1 | ▲ 1 |',
      html: '<tr><td>Qatar</td><td align="right">1</td><td align="right" style="color:#137333" title="previous day: 0">▲ 1</td></tr>',
    },
    {
      name: 'newly-appearing',
      md: '**Newly appearing:** Qatar (1 story)',
      html: '<strong>Newly appearing:</strong> Qatar (1 story)',
    },
    {
      name: 'plus-n-more',
      md: '### Phase two\n\n- [Story f]',
      html: '>+1 more</li></ul>',
    },
    { name: 'plus-n-more-line', md: '\n- +1 more\n', html: '>Story g</a>' },
    {
      name: 'stories-not-listed',
      md: '\n+1 more story not listed; At a glance counts them all.\n',
      // Nothing is cut for size, so the email does not send readers to the files.
      html: '<p style="margin:16px 0 0;color:#555">+1 more story not listed; At a glance counts them all.</p>',
    },
    {
      name: 'all-sources',
      md: '  3 sources: [ap · ap.example.com](<https://ap.example.com/gaza>), [reuters · reuters.example.com](<https://reuters.example.com/gaza>), [bbc · bbc.example.com](<https://bbc.example.com/gaza>)',
      // The shown copy's title is the link's text already; a copy's different title is its tooltip.
      html: '3 sources: <a href="https://ap.example.com/gaza" style="color:#0b5394">ap · ap.example.com</a>, <a href="https://reuters.example.com/gaza" title="Story copy-reuters" style="color:#0b5394">reuters · reuters.example.com</a>',
    },
    {
      name: 'tags-beside-entry',
      md: '- [Story d](<https://news.example.org/d>) — example · news.example.org · 10:00\n  About: Phase two · Qatar\n',
      html: '<span style="color:#555;font-size:13px">About: Phase two · Qatar</span>',
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
    for (const s of [
      '▲',
      '▼',
      'vs previous',
      'Newly appearing',
      '- +',
      'not listed',
      'sources:',
      '| Actor | 12-',
    ]) {
      expect(md).not.toContain(s);
    }
    for (const s of ['<svg', '▲', 'vs previous', 'Newly appearing', 'not listed'])
      expect(html).not.toContain(s);
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
      md: '| Phase | Stories | vs previous week |\n| --- | ---: | ---: |\n| phase-2 | 1 | ▲ 1 |\n',
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
        '| \\<b\\>Ha\\|mas\\</b\\> & \\*co\\* | 0 |',
        '| \\<b\\>Ha\\|mas\\</b\\> & \\*co\\* | 1 | ▲ 1 |',
        '  About: \\<b\\>Ha\\|mas\\</b\\> & \\*co\\* · phase-2\n',
      ],
      html: [
        '<tr><td>&lt;b&gt;Ha|mas&lt;/b&gt; &amp; *co*</td>',
        'About: &lt;b&gt;Ha|mas&lt;/b&gt; &amp; *co* · phase-2</span>',
      ],
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

describe('each story listed once, under the mail clip size', () => {
  /** Title links to `url` (a source link has no `text-decoration:none`, a sources line no `- [`). */
  const titleLinks = (md: string, html: string, url: string) => [
    md.split('\n').filter((line) => line.startsWith('- [') && line.includes(`](<${url}>)`)).length,
    html.split(`<a href="${url}" style="color:#0b5394;text-decoration:none">`).length - 1,
  ];
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

  const manyTags: DigestArticle = {
    ...lateStory,
    title: 'Witkoff meets Hamas, Qatar and Egypt mediators on phase two',
    url: 'https://news.example.org/many-tags',
    actors: ['hamas', 'qatar', 'egypt', 'steve-witkoff', 'israel'].map((id, i) => ({
      id,
      count: i + 1,
      evidence: `About ${id}.`,
    })),
    phases: [{ id: 'phase-2', count: 1, evidence: 'About phase two.' }],
  };
  /** Five stories of two copies each, which take the top stories so `manyTags` is placed. */
  const crowd = Array.from({ length: 5 }, (_, i) =>
    [1, 2].map((c) => ({
      ...untaggedStory,
      url: `https://crowd.example.com/${i}/${c}`,
      storyId: `crowd-${i}`,
    })),
  ).flat();

  it.each([
    { name: 'as-top-story', articles: [manyTags, seedStory, untaggedStory], placed: null },
    { name: 'placed-in-a-section', articles: [...crowd, manyTags, seedStory], placed: 'Phase two' },
  ])('story-with-many-tags-listed-once-$name', ({ articles: list, placed }) => {
    const d = buildDigest({ day: '2025-12-18', timezone: 'UTC', articles: list, names });
    const md = renderDigestMarkdown(d);
    const html = renderDigestHtml(d);
    expect(titleLinks(md, html, manyTags.url)).toEqual([1, 1]);
    // Counted under each of its six tags all the same.
    for (const id of ['hamas', 'qatar', 'egypt', 'steve-witkoff', 'israel', 'phase-2']) {
      const g = [...d.actors, ...d.phases].find((x) => x.id === id);
      expect(g?.count).toBe(id === 'hamas' || id === 'steve-witkoff' || id === 'phase-2' ? 2 : 1);
    }
    expect(md).toContain('  About: israel · Steve Witkoff · egypt · qatar +2\n');
    if (placed) {
      // From the group's heading to the next heading.
      const from = md.slice(md.indexOf(`\n### ${placed}\n`) + 1);
      const section = from.slice(0, from.indexOf('\n#') === -1 ? undefined : from.indexOf('\n#'));
      expect(section).toContain(`\n- [${manyTags.title}]`);
    }
  });

  it('reported-day-every-story-once-well-under-the-clip-size', () => {
    const input = reportedDay();
    const d = buildDigest(input);
    const md = renderDigestMarkdown(d);
    const html = renderDigestHtml(d);
    const links = [...new Set(input.articles.map((a) => a.url))].map((url) => titleLinks(md, html, url));
    // Ten stories (the seed in three copies), each linked by its title once in each rendering.
    expect(links.filter(([m]) => m === 1)).toHaveLength(10);
    expect(links.every(([m, h]) => m === h && (m === 0 || m === 1))).toBe(true);
    // 112 KB before stories were listed once (the report measured 126 KB on the real day).
    expect(bytes(html)).toBeLessThan(MAX_DIGEST_HTML_BYTES / 2);
    expect(html).not.toContain('not listed');
  });

  it('heavy-day-under-the-clip-size-says-how-many-are-not-listed', () => {
    const input = heavyDay();
    const d = buildDigest(input);
    const md = renderDigestMarkdown(d);
    const html = renderDigestHtml(d);
    expect(d.stories).toBe(150);
    expect(bytes(html)).toBeLessThanOrEqual(MAX_DIGEST_HTML_BYTES);
    const urls = [...new Set(input.articles.map((a) => a.url))];
    const sum = (k: 0 | 1) => urls.map((url) => titleLinks(md, html, url)[k] ?? 0).reduce((a, b) => a + b, 0);
    const [inMd, inHtml] = [sum(0), sum(1)];
    const note =
      /\+(\d+) more stories not listed; At a glance counts them all\. (\d+) of them are listed in this digest&#39;s Markdown and JSON files/.exec(
        html,
      );
    expect(note).not.toBeNull();
    const [notListed, inFiles] = [Number(note?.[1]), Number(note?.[2])];
    expect(inHtml + notListed).toBe(150);
    expect(inHtml + inFiles).toBe(inMd);
    expect(md).toContain(`\n+${150 - inMd} more stories not listed; At a glance counts them all.\n`);
    // Cut to fit, not emptied: a heavy day still lists a good share, top stories included.
    expect(inHtml).toBeGreaterThanOrEqual(25);
    expect(inHtml).toBeLessThanOrEqual(MAX_EMAIL_STORIES);
    expect(html).toContain('>Top stories</h2>');
    expect(html).toMatch(/>\+\d+ more<\/li>/);
  });

  it('heavy-day-counts-and-deltas-for-every-tag', () => {
    const d = buildDigest(heavyDay());
    const md = renderDigestMarkdown(d);
    const html = renderDigestHtml(d);
    const groups = [...d.phases, ...d.actors];
    expect(groups).toHaveLength(43);
    for (const g of groups) {
      const delta =
        g.delta === null ? '' : g.delta > 0 ? `▲ ${g.delta}` : g.delta < 0 ? `▼ ${-g.delta}` : '= 0';
      expect(md).toContain(`\n| ${g.name} | ${g.count} | ${delta} |\n`);
      expect(html).toMatch(
        new RegExp(
          `<tr><td>${g.name}</td><td align="right">${g.count}</td><td align="right" style="color:#[0-9a-f]{6}" title="previous day: ${g.previous}">${delta}</td></tr>`,
        ),
      );
    }
  });

  it('counts-table-never-cut-even-over-budget', () => {
    // 1,500 actors, one story each: the table alone is over budget, so no story is listed.
    const actors = Array.from({ length: 1500 }, (_, i) => `actor-with-a-long-name-${i}`);
    const d = buildDigest({
      day: '2025-12-18',
      timezone: 'UTC',
      articles: actors.map((id, i) => ({
        ...untaggedStory,
        url: `https://news.example.org/${i}`,
        actors: [{ id, count: 1, evidence: 'x' }],
      })),
      previous: { actors: {}, phases: {} },
    });
    const html = renderDigestHtml(d);
    expect(bytes(html)).toBeGreaterThan(MAX_DIGEST_HTML_BYTES);
    for (const id of actors) expect(html).toContain(`<tr><td>${id}</td><td align="right">1</td>`);
    expect(html).not.toContain('<li');
    expect(html).toContain(
      '+1500 more stories not listed; At a glance counts them all. All 1500 are listed in this digest&#39;s',
    );
  });
});
