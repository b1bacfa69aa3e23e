import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { buildAtomFeed, escapeXml } from '../../src/alerts/atom-feed.ts';
import type { AlertFeedEntry } from '../../src/alerts/atom-feed.ts';
import { parseFeed } from '../../src/feeds/parse-feed.ts';

const SELF = 'https://cw.example.org/alerts/witkoff-phase-2.atom';

const entry = (over: Partial<AlertFeedEntry> = {}): AlertFeedEntry => ({
  url: 'https://www.example.com/world/2025/12/18/witkoff-miami-talks?utm_source=rss&x=1',
  canonicalUrl: 'https://www.example.com/world/2025/12/18/witkoff-miami-talks',
  title: 'Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase',
  feedId: 'aljazeera',
  published: '2025-12-18T14:30:00.000Z',
  sentAt: '2025-12-18T15:00:00.000Z',
  reasons: ['actor: steve-witkoff', 'phase: phase-2'],
  evidence: 'US envoy Steve Witkoff will meet mediators in Miami on Friday.',
  ...over,
});

/** A strict XML parse (the browser's DOMParser): null when the document is well-formed. */
function xmlError(xml: string): string | null {
  const doc = new new JSDOM('').window.DOMParser().parseFromString(xml, 'application/xml');
  return doc.getElementsByTagName('parsererror')[0]?.textContent ?? null;
}

function dom(xml: string): Document {
  return new new JSDOM('').window.DOMParser().parseFromString(xml, 'application/xml');
}

describe('buildAtomFeed', () => {
  it('required-elements', () => {
    const xml = buildAtomFeed({
      ruleId: 'witkoff-phase-2',
      description: 'Witkoff and phase two',
      selfUrl: SELF,
      entries: [entry()],
    });
    expect(xmlError(xml)).toBeNull();
    const doc = dom(xml);
    const feed = doc.documentElement;
    expect(feed.namespaceURI).toBe('http://www.w3.org/2005/Atom');
    const child = (el: Element, name: string) => Array.from(el.children).find((c) => c.localName === name);
    expect(child(feed, 'id')?.textContent).toBe('tag:ceasefire-watch,2025:alerts/witkoff-phase-2');
    expect(child(feed, 'title')?.textContent).toBe('ceasefire-watch alerts: witkoff-phase-2');
    expect(child(feed, 'subtitle')?.textContent).toBe('Witkoff and phase two');
    expect(child(feed, 'updated')?.textContent).toBe('2025-12-18T15:00:00.000Z');
    const self = child(feed, 'link');
    expect([self?.getAttribute('rel'), self?.getAttribute('href')]).toEqual(['self', SELF]);
    const e = child(feed, 'entry');
    if (!e) throw new Error('no entry');
    expect(child(e, 'id')?.textContent).toBe('https://www.example.com/world/2025/12/18/witkoff-miami-talks');
    expect(child(e, 'link')?.getAttribute('href')).toBe(entry().url);
    expect(child(e, 'updated')?.textContent).toBe('2025-12-18T15:00:00.000Z');
    expect(child(e, 'published')?.textContent).toBe('2025-12-18T14:30:00.000Z');
    expect(child(e, 'summary')?.textContent).toBe(entry().evidence);
    expect(child(e, 'author')?.textContent).toBe('aljazeera');
    expect(
      Array.from(e.children)
        .filter((c) => c.localName === 'category')
        .map((c) => c.getAttribute('term')),
    ).toEqual(['actor: steve-witkoff', 'phase: phase-2']);
    expect(child(e, 'content')).toBeUndefined();
  });

  it('round-trips-through-parse-feed', async () => {
    const entries = [
      entry(),
      entry({
        url: 'https://www.example.org/b',
        canonicalUrl: 'https://www.example.org/b',
        title: 'Older alert',
        sentAt: '2025-12-17T09:00:00.000Z',
        published: null,
        evidence: null,
      }),
    ];
    const xml = buildAtomFeed({ ruleId: 'witkoff-phase-2', selfUrl: SELF, entries: [...entries].reverse() });
    const parsed = await parseFeed(xml, SELF, { contentType: 'application/atom+xml; charset=utf-8' });
    expect(parsed.repairs).toEqual([]);
    expect(parsed.title).toBe('ceasefire-watch alerts: witkoff-phase-2');
    expect(parsed.items.map((i) => [i.title, i.link, i.id, i.summary])).toEqual([
      [entries[0]?.title, entries[0]?.url, entries[0]?.canonicalUrl, entries[0]?.evidence],
      [
        'Older alert',
        'https://www.example.org/b',
        'https://www.example.org/b',
        'actor: steve-witkoff; phase: phase-2',
      ],
    ]);
    expect(parsed.items[0]?.published).toBe('2025-12-18T14:30:00.000Z');
  });

  it.each([
    { name: 'script-tag', title: '<script>alert(1)</script>' },
    { name: 'cdata-end', title: 'Talks ]]> <![CDATA[ collapse' },
    { name: 'ampersand-and-entity', title: 'Hamas & Israel &amp; &lt;b&gt; &#60;' },
    { name: 'quotes-in-attribute-context', title: `"/><link href="javascript:alert(1)"/>'` },
    { name: 'xml-comment-and-pi', title: '<!-- x --> <?xml-stylesheet href="evil.xsl"?>' },
  ])('title-injection-stays-text-$name', async ({ title }) => {
    const xml = buildAtomFeed({
      ruleId: 'r',
      selfUrl: SELF,
      entries: [entry({ title, evidence: title, feedId: title, reasons: [title] })],
    });
    expect(xmlError(xml)).toBeNull();
    const e = dom(xml).getElementsByTagName('entry')[0];
    // id, title, link, updated, published, author, category, summary: nothing injected beside them.
    expect(Array.from(e?.children ?? []).map((c) => c.localName)).toEqual([
      'id',
      'title',
      'link',
      'updated',
      'published',
      'author',
      'category',
      'summary',
    ]);
    expect(e?.getElementsByTagName('title')[0]?.textContent).toBe(title);
    expect(e?.getElementsByTagName('summary')[0]?.textContent).toBe(title);
    expect(e?.getElementsByTagName('name')[0]?.textContent).toBe(title);
    expect(e?.getElementsByTagName('category')[0]?.getAttribute('term')).toBe(title);
    expect(e?.getElementsByTagName('link')).toHaveLength(1);
    const parsed = await parseFeed(xml, SELF);
    expect(parsed.repairs).toEqual([]);
    expect(parsed.items[0]?.title).toBe(title.replace(/\s+/g, ' ').trim());
  });

  it.each([
    { name: 'javascript-url', url: 'javascript:alert(1)' },
    { name: 'relative-url', url: '/world/x' },
  ])('non-web-link-not-linked-$name', ({ url }) => {
    const xml = buildAtomFeed({ ruleId: 'r', selfUrl: SELF, entries: [entry({ url, canonicalUrl: url })] });
    expect(xmlError(xml)).toBeNull();
    const e = dom(xml).getElementsByTagName('entry')[0];
    expect(e?.getElementsByTagName('link')).toHaveLength(0);
    // RFC 4287 §4.1.2: no alternate link, so content is required; the id falls back to a tag URI.
    expect(e?.getElementsByTagName('content')[0]?.textContent).toContain(url);
    expect(e?.getElementsByTagName('id')[0]?.textContent).toMatch(
      /^tag:ceasefire-watch,2025:alert\/r\/[0-9a-f]{32}$/,
    );
  });

  it('control-characters-replaced', () => {
    const xml = buildAtomFeed({
      ruleId: 'r',
      selfUrl: SELF,
      entries: [entry({ title: 'a\u0000b\u0007c\uD800d' })],
    });
    expect(xmlError(xml)).toBeNull();
    expect(dom(xml).getElementsByTagName('title')[1]?.textContent).toBe('a\uFFFDb\uFFFDc\uFFFDd');
  });

  it('empty-feed-deterministic', () => {
    const a = buildAtomFeed({ ruleId: 'r', selfUrl: SELF, entries: [] });
    expect(xmlError(a)).toBeNull();
    expect(a).toContain('<updated>1970-01-01T00:00:00.000Z</updated>');
    expect(buildAtomFeed({ ruleId: 'r', selfUrl: SELF, entries: [] })).toBe(a);
  });
});

describe('escapeXml', () => {
  it.each([
    { name: 'markup', input: '<a href="x">', expected: '&lt;a href=&quot;x&quot;&gt;' },
    { name: 'cdata-end', input: ']]>', expected: ']]&gt;' },
    { name: 'ampersand-first', input: '&lt;', expected: '&amp;lt;' },
    { name: 'apostrophe', input: "O'Brien", expected: 'O&apos;Brien' },
  ])('$name', ({ input, expected }) => {
    expect(escapeXml(input)).toBe(expected);
  });
});
