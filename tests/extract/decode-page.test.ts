import { describe, expect, it } from 'vitest';
import { decodePage } from '../../src/extract/decode-page.ts';

const latin1Page = (meta: string) =>
  Buffer.concat([
    Buffer.from(`<html><head>${meta}</head><body>`),
    Buffer.from([0x45, 0x72, 0x64, 0x6f, 0xf0]),
    Buffer.from('</body></html>'),
  ]);

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
      name: 'unknown-label-falls-back-to-utf8',
      bytes: Buffer.from('<p>Türkiye</p>'),
      contentType: 'text/html; charset=x-nonsense',
      expected: 'Türkiye',
    },
    {
      name: 'bad-bytes-never-throw',
      bytes: Buffer.from([0x3c, 0x70, 0x3e, 0xff, 0xfe, 0x41]),
      contentType: undefined,
      expected: '\uFFFD\uFFFDA',
    },
  ])('$name', ({ bytes, contentType, expected }) => {
    expect(decodePage(bytes, contentType)).toContain(expected);
  });
});
