import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFeed } from '../../src/feeds/decode-feed.ts';
import { decodeLegacyCharset } from '../../src/feeds/decode-legacy-charset.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url));
const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('decodeLegacyCharset', () => {
  it.each([
    { name: 'korean-euc-kr', bytes: fixture('feedparser--chardet-euckr.xml'), label: 'euc-kr' },
    { name: 'russian-koi8-r', bytes: fixture('feedparser--chardet-koi8r.xml'), label: 'koi8-r' },
    { name: 'thai-tis-620', bytes: fixture('feedparser--chardet-tis620.xml'), label: 'tis-620' },
    {
      name: 'french-stays-undecided',
      bytes: latin1('<rss><title>L\u00e9t\u00e9 \u00e0 Gaza : la tr\u00eave tient</title></rss>'),
      label: null,
    },
    {
      // Big5 bytes decode "validly" as several candidates; no structural signal tells them apart.
      name: 'big5-is-not-guessed',
      bytes: Buffer.from('a4a4a4e5b773bb44a141b0b1a4f5bdcda750a4b4a662c47ec4f2', 'hex'),
      label: null,
    },
  ])('$name', ({ bytes, label }) => {
    expect(decodeLegacyCharset(bytes)).toBe(label);
  });

  it('decode-feed-uses-it-for-undeclared-non-utf-8', () => {
    const decoded = decodeFeed(fixture('feedparser--chardet-koi8r.xml'));
    expect(decoded.encoding).toBe('koi8-r');
    expect(decoded.text).toContain('<title>Как пережить новогоднюю ночь</title>');
  });
});
