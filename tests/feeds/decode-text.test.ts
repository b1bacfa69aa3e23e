import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeText } from '../../src/feeds/decode-text.ts';

/** Built with iconv-lite from the text each case expects back. */
const TRUCE = 'Gaza — “truce” holds; aid worth €12m… don’t';
const HEBREW = 'הפסקת האש בעזה נכנסה לתוקף הבוקר, לאחר שישראל וחמאס הסכימו על השלב הראשון של העסקה';

describe('decodeText', () => {
  it.each([
    {
      // Node 20's TextDecoder gives U+0097 for this em dash and U+0080 for the euro sign.
      name: 'windows-1252-bytes-0x80-0x9f',
      bytes: iconv.encode(TRUCE, 'windows-1252'),
      declared: ['windows-1252'],
      text: TRUCE,
      encoding: 'windows-1252',
    },
    {
      // Labels mean what they mean to browsers: "ISO-8859-1" is windows-1252, and is reported as declared.
      name: 'iso-8859-1-label-is-windows-1252',
      bytes: iconv.encode(TRUCE, 'windows-1252'),
      declared: ['ISO-8859-1'],
      text: TRUCE,
      encoding: 'iso-8859-1',
    },
    {
      name: 'first-known-label-wins',
      bytes: iconv.encode(HEBREW, 'windows-1255'),
      declared: [undefined, 'x-bogus', 'windows-1255', 'windows-1256'],
      text: HEBREW,
      encoding: 'windows-1255',
    },
    {
      // The declaration is believed over what detection would say: these bytes read as Hebrew.
      name: 'declared-label-wins-over-detection',
      bytes: iconv.encode(HEBREW, 'windows-1255'),
      declared: ['windows-1256'],
      text: iconv.decode(iconv.encode(HEBREW, 'windows-1255'), 'windows-1256'),
      encoding: 'windows-1256',
    },
    {
      name: 'bom-wins-over-declared-label',
      bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TRUCE)]),
      declared: ['windows-1252'],
      text: TRUCE,
      encoding: 'utf-8',
    },
    {
      name: 'valid-utf-8-before-detection',
      bytes: Buffer.from(HEBREW),
      declared: [],
      text: HEBREW,
      encoding: 'utf-8',
    },
    {
      name: 'undeclared-legacy-bytes-are-detected',
      bytes: iconv.encode(HEBREW, 'windows-1255'),
      declared: [null, 'x-bogus'],
      text: HEBREW,
      encoding: 'windows-1255',
    },
    {
      // windows-1252 punctuation that went through a Latin-1 → UTF-8 conversion (C2 92 = U+0092).
      name: 'c1-controls-in-utf-8-are-windows-1252-punctuation',
      bytes: Buffer.from([0x64, 0x6f, 0x6e, 0xc2, 0x92, 0x74, 0x20, 0xc2, 0x81]),
      declared: [],
      text: 'don’t \u0081',
      encoding: 'utf-8',
    },
    {
      name: 'utf-32be-by-label',
      bytes: iconv.encode(HEBREW, 'utf-32be'),
      declared: ['UTF-32BE'],
      text: HEBREW,
      encoding: 'utf-32be',
    },
    {
      // iconv-lite has no ISO-2022-JP; Node's TextDecoder decodes it (bytes from Python's iso2022_jp codec).
      name: 'iso-2022-jp-by-label',
      bytes: Buffer.from('1b24424464406f1b2842', 'hex'),
      declared: ['iso-2022-jp'],
      text: '停戦',
      encoding: 'iso-2022-jp',
    },
  ])('$name', ({ bytes, declared, text, encoding }) => {
    expect(decodeText(bytes, declared)).toEqual({ text, encoding });
  });

  it('never-throws-on-bad-bytes', () => {
    expect(decodeText(Buffer.from([0x3c, 0x72, 0xff, 0xfe, 0xc3]), ['utf-8']).text).toBe(
      '<r\ufffd\ufffd\ufffd',
    );
  });
});

describe('charsetFromContentType', () => {
  it.each([
    { name: 'plain', contentType: 'text/html; charset=UTF-8', charset: 'utf-8' },
    {
      name: 'single-quoted-after-space',
      contentType: "application/rss+xml;charset= 'us-ascii'",
      charset: 'us-ascii',
    },
    { name: 'double-quoted', contentType: 'text/xml; charset="ISO-8859-1"', charset: 'iso-8859-1' },
    { name: 'spaces-around-equals', contentType: 'text/xml;charset = windows-1255', charset: 'windows-1255' },
    { name: 'no-charset', contentType: 'text/xml', charset: undefined },
    { name: 'empty-charset', contentType: 'text/xml;', charset: undefined },
    { name: 'no-header', contentType: undefined, charset: undefined },
  ])('$name', ({ contentType, charset }) => {
    expect(charsetFromContentType(contentType)).toBe(charset);
  });
});
