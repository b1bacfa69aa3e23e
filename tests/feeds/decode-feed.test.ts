import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeFeed } from '../../src/feeds/decode-feed.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url));
/**
 * The constructed fixtures are UTF-8 news-style text written for these tests (no recorded Hebrew, Arabic
 * or CJK news feed in a legacy charset was available); the legacy bytes are made from them with
 * iconv-lite, as a server would send them.
 */
const constructed = (lang: string) => fixture(`constructed--gaza-ceasefire-${lang}.xml`).toString('utf8');

const XML = '<?xml version="1.0"?><rss><channel><title>Café – Gaza “truce”</title></channel></rss>';
const encodeUtf16 = (text: string, littleEndian: boolean) => {
  const bytes = Buffer.from(text, 'utf16le');
  if (!littleEndian) bytes.swap16();
  return bytes;
};
const encodeUtf32 = (text: string, littleEndian: boolean) => {
  const codePoints = [...text].map((c) => c.codePointAt(0) ?? 0);
  const bytes = Buffer.alloc(codePoints.length * 4);
  codePoints.forEach((cp, i) =>
    littleEndian ? bytes.writeUInt32LE(cp, i * 4) : bytes.writeUInt32BE(cp, i * 4),
  );
  return bytes;
};
const latin1Doc = (declaration: string) =>
  Buffer.from(
    `<?xml version="1.0"${declaration}?><rss><channel><title>Caf\u00e9 \u00e0 Gaza</title></channel></rss>`,
    'latin1',
  );

describe('decodeFeed', () => {
  it.each([
    {
      name: 'utf-8-bom',
      bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(XML)]),
      contentType: undefined,
      encoding: 'utf-8',
      title: 'Café – Gaza “truce”',
    },
    {
      name: 'utf-16le-bom',
      bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), encodeUtf16(XML, true)]),
      contentType: undefined,
      encoding: 'utf-16le',
      title: 'Café – Gaza “truce”',
    },
    {
      name: 'utf-16be-bom',
      bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), encodeUtf16(XML, false)]),
      contentType: 'text/xml; charset=iso-8859-1',
      encoding: 'utf-16be',
      title: 'Café – Gaza “truce”',
    },
    {
      name: 'utf-16be-without-bom',
      bytes: encodeUtf16(XML, false),
      contentType: undefined,
      encoding: 'utf-16be',
      title: 'Café – Gaza “truce”',
    },
    {
      name: 'utf-16le-without-bom',
      bytes: encodeUtf16(XML, true),
      contentType: undefined,
      encoding: 'utf-16le',
      title: 'Café – Gaza “truce”',
    },
    {
      name: 'utf-32le-bom',
      bytes: Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x00]), encodeUtf32(XML, true)]),
      contentType: undefined,
      encoding: 'utf-32le',
      title: 'Café – Gaza “truce”',
    },
    {
      name: 'utf-32be-bom',
      bytes: Buffer.concat([Buffer.from([0x00, 0x00, 0xfe, 0xff]), encodeUtf32(XML, false)]),
      contentType: undefined,
      encoding: 'utf-32be',
      title: 'Café – Gaza “truce”',
    },
    {
      name: 'utf-32be-without-bom',
      bytes: encodeUtf32(XML, false),
      contentType: undefined,
      encoding: 'utf-32be',
      title: 'Café – Gaza “truce”',
    },
    {
      name: 'iso-8859-1-from-http-charset',
      bytes: latin1Doc(''),
      contentType: 'application/rss+xml; charset="ISO-8859-1"',
      encoding: 'iso-8859-1',
      title: 'Café à Gaza',
    },
    {
      name: 'iso-8859-1-from-xml-declaration',
      bytes: latin1Doc(' encoding="ISO-8859-1"'),
      contentType: 'application/rss+xml',
      encoding: 'iso-8859-1',
      title: 'Café à Gaza',
    },
    {
      name: 'http-charset-overrides-declaration',
      bytes: latin1Doc(' encoding="utf-8"'),
      contentType: 'text/xml; charset=windows-1252',
      encoding: 'windows-1252',
      title: 'Café à Gaza',
    },
    {
      // 0x96, 0x93 and 0x94: C1 controls to Node 20's TextDecoder('windows-1252').
      name: 'windows-1252-punctuation-from-xml-declaration',
      bytes: iconv.encode(XML.replace('?>', ' encoding="windows-1252"?>'), 'windows-1252'),
      contentType: undefined,
      encoding: 'windows-1252',
      title: 'Café – Gaza “truce”',
    },
    {
      name: 'undeclared-windows-1252-falls-back',
      bytes: Buffer.from([...Buffer.from('<rss><title>don'), 0x92, ...Buffer.from('t</title></rss>')]),
      contentType: undefined,
      encoding: 'windows-1252',
      title: 'don’t',
    },
    {
      name: 'undeclared-valid-utf-8',
      bytes: Buffer.from(XML),
      contentType: 'text/xml',
      encoding: 'utf-8',
      title: 'Café – Gaza “truce”',
    },
    {
      name: 'unknown-charset-label-ignored',
      bytes: Buffer.from(XML),
      contentType: 'text/xml; charset=x-bogus',
      encoding: 'utf-8',
      title: 'Café – Gaza “truce”',
    },
  ])('$name', ({ bytes, contentType, encoding, title }) => {
    const decoded = decodeFeed(bytes, contentType);
    expect(decoded.encoding).toBe(encoding);
    expect(/<title>(.*)<\/title>/.exec(decoded.text)?.[1]).toBe(title);
    expect(decoded.text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it.each([
    { name: 'hebrew-windows-1255', lang: 'he', charset: 'windows-1255', encoding: 'windows-1255' },
    { name: 'arabic-windows-1256', lang: 'ar', charset: 'windows-1256', encoding: 'windows-1256' },
    // Read as GB18030, the superset of GB2312: the same characters.
    { name: 'simplified-chinese-gb2312', lang: 'zh-hans', charset: 'gb2312', encoding: 'gb18030' },
    { name: 'traditional-chinese-big5', lang: 'zh-hant', charset: 'big5', encoding: 'big5' },
    { name: 'japanese-shift-jis', lang: 'ja', charset: 'shift_jis', encoding: 'shift_jis' },
    { name: 'korean-euc-kr', lang: 'ko', charset: 'euc-kr', encoding: 'euc-kr' },
  ])('undeclared-$name-is-detected', ({ lang, charset, encoding }) => {
    const text = constructed(lang);
    expect(decodeFeed(iconv.encode(text, charset), 'application/rss+xml')).toEqual({ text, encoding });
  });

  it.each([
    {
      name: 'korean-euc-kr',
      file: 'feedparser--chardet-euckr.xml',
      encoding: 'euc-kr',
      fragment: '<title>EUC-KR 에서 TypeKey 한글닉네임 표시하기</title>',
    },
    {
      name: 'russian-koi8-r',
      file: 'feedparser--chardet-koi8r.xml',
      encoding: 'koi8-r',
      fragment: '<title>Как пережить новогоднюю ночь</title>',
    },
    {
      name: 'thai-tis-620',
      file: 'feedparser--chardet-tis620.xml',
      encoding: 'tis-620',
      fragment: '<description>สำนักงานส่งเสริมอุตสาหกรรมซอฟต์แวร์แห่งชาติ',
    },
  ])('undeclared-recorded-$name-is-detected', ({ file, encoding, fragment }) => {
    const decoded = decodeFeed(fixture(file));
    expect(decoded.encoding).toBe(encoding);
    expect(decoded.text).toContain(fragment);
  });

  it.each([
    {
      name: 'http-charset',
      xml: (body: string) => body,
      contentType: 'application/rss+xml; charset=windows-1256',
      encoding: 'windows-1256',
    },
    {
      name: 'xml-declaration',
      xml: (body: string) => `<?xml version="1.0" encoding="ISO-8859-8"?>${body}`,
      contentType: 'application/rss+xml',
      encoding: 'iso-8859-8',
    },
  ])('declared-$name-wins-over-detection', ({ xml, contentType, encoding }) => {
    // Hebrew bytes, which detection reads as windows-1255, declared as something else.
    const bytes = iconv.encode(xml(constructed('he')), 'windows-1255');
    const decoded = decodeFeed(bytes, contentType);
    expect(decoded.encoding).toBe(encoding);
    expect(decoded.text).toBe(iconv.decode(bytes, encoding));
  });

  it('never-throws-on-bad-bytes', () => {
    const decoded = decodeFeed(Buffer.from([0x3c, 0x72, 0xff, 0xfe, 0xc3]), 'text/xml; charset=utf-8');
    expect(decoded.text).toContain('\ufffd');
  });
});
