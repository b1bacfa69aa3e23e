import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodePage } from '../../src/extract/decode-page.ts';

const latin1Page = (meta: string) =>
  Buffer.concat([
    Buffer.from(`<html><head>${meta}</head><body>`),
    Buffer.from([0x45, 0x72, 0x64, 0x6f, 0xf0]),
    Buffer.from('</body></html>'),
  ]);

/**
 * The constructed pages are UTF-8 news-style text written for these tests (no recorded Hebrew, Arabic
 * or CJK news page in a legacy charset was available); the legacy bytes are made from them with
 * iconv-lite, as a server would send them.
 */
const constructed = (lang: string) =>
  readFileSync(
    new URL(`../fixtures/pages/constructed--gaza-ceasefire-${lang}.html`, import.meta.url),
    'utf8',
  );
const withMeta = (html: string, meta: string) => html.replace('<head>', `<head>\n    ${meta}`);
const ENGLISH = constructed('en');

describe('decodePage', () => {
  it.each([
    {
      name: 'utf8-default',
      bytes: Buffer.from('<p>Erdoğan</p>'),
      contentType: undefined,
      expected: 'Erdoğan',
    },
    {
      name: 'http-charset-wins',
      bytes: latin1Page('<meta charset="utf-8">'),
      contentType: 'text/html; charset=iso-8859-9',
      expected: 'Erdoğ',
    },
    {
      name: 'meta-charset',
      bytes: latin1Page('<meta charset="iso-8859-9">'),
      contentType: 'text/html',
      expected: 'Erdoğ',
    },
    {
      name: 'meta-http-equiv',
      bytes: latin1Page('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-9">'),
      contentType: undefined,
      expected: 'Erdoğ',
    },
    {
      name: 'unknown-label-is-skipped',
      bytes: Buffer.from('<p>Türkiye</p>'),
      contentType: 'text/html; charset=x-nonsense',
      expected: 'Türkiye',
    },
    {
      name: 'bom-wins-over-http-charset',
      bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<p>Türkiye</p>')]),
      contentType: 'text/html; charset=windows-1252',
      expected: '<p>Türkiye</p>',
    },
    {
      // The HTML standard: a UTF-16 label in ASCII-compatible bytes means UTF-8.
      name: 'meta-utf-16-means-utf-8',
      bytes: Buffer.from('<meta charset="utf-16"><p>Türkiye</p>'),
      contentType: undefined,
      expected: 'Türkiye',
    },
    {
      name: 'bad-bytes-never-throw',
      bytes: Buffer.from([0x3c, 0x70, 0x3e, 0xff, 0xfe, 0x41]),
      contentType: 'text/html; charset=utf-8',
      expected: '\uFFFD\uFFFDA',
    },
  ])('$name', ({ bytes, contentType, expected }) => {
    expect(decodePage(bytes, contentType)).toContain(expected);
  });

  // Em dash, en dash, curly quotes, apostrophe, ellipsis and euro sign are bytes 0x80–0x9F in
  // windows-1252, which Node 20's TextDecoder turns into invisible C1 controls.
  it.each([
    { name: 'http-charset', html: ENGLISH, contentType: 'text/html; charset=windows-1252' },
    {
      name: 'meta-charset',
      html: withMeta(ENGLISH, '<meta charset="windows-1252">'),
      contentType: 'text/html',
    },
    // Browsers read "ISO-8859-1" as windows-1252, the charset such pages are really in.
    { name: 'mislabelled-iso-8859-1', html: ENGLISH, contentType: 'text/html; charset=ISO-8859-1' },
    { name: 'undeclared', html: ENGLISH, contentType: undefined },
  ])('windows-1252-punctuation-$name', ({ html, contentType }) => {
    const decoded = decodePage(iconv.encode(html, 'windows-1252'), contentType);
    expect(decoded).toBe(html);
    expect(decoded).toContain('first night — aid trucks');
    expect(decoded).toContain('“held through the night,”');
    expect(decoded).toContain('worth €12 million');
  });

  it.each([
    { name: 'hebrew-windows-1255', lang: 'he', charset: 'windows-1255' },
    { name: 'arabic-windows-1256', lang: 'ar', charset: 'windows-1256' },
    { name: 'simplified-chinese-gb2312', lang: 'zh-hans', charset: 'gb2312' },
    { name: 'traditional-chinese-big5', lang: 'zh-hant', charset: 'big5' },
    { name: 'japanese-shift-jis', lang: 'ja', charset: 'shift_jis' },
    { name: 'korean-euc-kr', lang: 'ko', charset: 'euc-kr' },
  ])('undeclared-$name-is-detected', ({ lang, charset }) => {
    const html = constructed(lang);
    expect(decodePage(iconv.encode(html, charset), 'text/html')).toBe(html);
  });

  it.each([
    { name: 'http-charset', meta: '', contentType: 'text/html; charset=windows-1256' },
    { name: 'meta-charset', meta: '<meta charset="windows-1256">', contentType: 'text/html' },
  ])('declared-$name-wins-over-detection', ({ meta, contentType }) => {
    // Hebrew bytes, which detection reads as windows-1255, declared as Arabic.
    const bytes = iconv.encode(withMeta(constructed('he'), meta), 'windows-1255');
    expect(decodePage(bytes, contentType)).toBe(iconv.decode(bytes, 'windows-1256'));
  });
});
