import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectCharset } from '../../src/feeds/detect-charset.ts';

const feedFixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url));
/**
 * The constructed fixtures are UTF-8 news-style text written for these tests (no recorded Hebrew, Arabic
 * or CJK news feed in a legacy charset was available); the legacy bytes are made from them with
 * iconv-lite, as a server would send them.
 */
const constructed = (lang: string, charset: string) =>
  iconv.encode(feedFixture(`constructed--gaza-ceasefire-${lang}.xml`).toString('utf8'), charset);
const rss = (title: string, charset: string) =>
  iconv.encode(`<rss version="2.0"><channel><item><title>${title}</title></item></channel></rss>`, charset);

describe('detectCharset', () => {
  it.each([
    { name: 'hebrew-windows-1255', bytes: constructed('he', 'windows-1255'), label: 'windows-1255' },
    { name: 'arabic-windows-1256', bytes: constructed('ar', 'windows-1256'), label: 'windows-1256' },
    // GB2312 text is read as GB18030, its superset: the same characters.
    { name: 'simplified-chinese-gb2312', bytes: constructed('zh-hans', 'gb2312'), label: 'gb18030' },
    { name: 'traditional-chinese-big5', bytes: constructed('zh-hant', 'big5'), label: 'big5' },
    { name: 'japanese-shift-jis', bytes: constructed('ja', 'shift_jis'), label: 'shift_jis' },
    { name: 'korean-euc-kr', bytes: constructed('ko', 'euc-kr'), label: 'euc-kr' },
    { name: 'recorded-korean-euc-kr', bytes: feedFixture('feedparser--chardet-euckr.xml'), label: 'euc-kr' },
    { name: 'recorded-russian-koi8-r', bytes: feedFixture('feedparser--chardet-koi8r.xml'), label: 'koi8-r' },
    // Thai among English words: decided on the Thai words alone, named TIS-620 without Microsoft's bytes.
    { name: 'recorded-thai-tis-620', bytes: feedFixture('feedparser--chardet-tis620.xml'), label: 'tis-620' },
    {
      // ₪ is 0xA4 in windows-1255 and ¤ in ISO-8859-8, which is what chardet names Hebrew without C1 bytes.
      name: 'hebrew-without-c1-bytes-is-windows-1255',
      bytes: rss('עלות הלחימה בחודש האחרון הגיעה ל-4 מיליארד ₪, לפי הערכת משרד האוצר', 'windows-1255'),
      label: 'windows-1255',
    },
    {
      // Its accented words alone look Central European; the whole sentence is Spanish.
      name: 'spanish-iso-8859-1',
      bytes: rss(
        'El alto el fuego en Gaza entró en vigor el domingo por la mañana. Según el acuerdo, Hamás liberará a tres rehenes.',
        'latin1',
      ),
      label: 'iso-8859-1',
    },
    {
      name: 'polish-iso-8859-2',
      bytes: rss(
        'Zawieszenie broni w Strefie Gazy weszło w życie w niedzielę rano, po tygodniach negocjacji w Dosze.',
        'iso-8859-2',
      ),
      label: 'iso-8859-2',
    },
    {
      name: 'english-with-curly-quotes-is-windows-1252',
      bytes: rss('Netanyahu’s cabinet approves deal after “long night”', 'windows-1252'),
      label: 'windows-1252',
    },
    {
      name: 'one-accented-word-falls-back',
      bytes: rss('Café owners in Rafah reopen', 'latin1'),
      label: 'windows-1252',
    },
    {
      name: 'ascii-only-falls-back',
      bytes: Buffer.from('<rss><title>Truce</title></rss>'),
      label: 'windows-1252',
    },
    {
      name: 'high-bytes-only-in-markup-fall-back',
      bytes: Buffer.from('<rss a="\xe9\xe8"/>', 'latin1'),
      label: 'windows-1252',
    },
  ])('$name', ({ bytes, label }) => {
    expect(detectCharset(bytes)).toBe(label);
  });
});
