import { describe, expect, it } from 'vitest';
import { repairRelativeUrls } from '../../src/feeds/repair-relative-urls.ts';

const BASE = 'https://ex.com/news/';

describe('repairRelativeUrls', () => {
  it.each([
    {
      name: 'relative-href',
      html: '<a href="a.html">a</a>',
      expected: '<a href="https://ex.com/news/a.html">a</a>',
    },
    {
      name: 'root-relative-src-single-quotes',
      html: "<img src='/i.png'>",
      expected: "<img src='https://ex.com/i.png'>",
    },
    {
      name: 'srcset-candidates',
      html: '<img srcset="a.jpg 1x, /b.jpg 2x">',
      expected: '<img srcset="https://ex.com/news/a.jpg 1x, https://ex.com/b.jpg 2x">',
    },
    {
      name: 'absolute-left-as-written',
      html: '<a href="HTTP://Other.com">o</a>',
      expected: '<a href="HTTP://Other.com">o</a>',
    },
    { name: 'fragment-left-as-written', html: '<a href="#top">t</a>', expected: '<a href="#top">t</a>' },
    {
      name: 'mailto-left-as-written',
      html: '<a href="mailto:x@ex.com">m</a>',
      expected: '<a href="mailto:x@ex.com">m</a>',
    },
    {
      name: 'non-ascii-kept-as-iri',
      html: '<a href="\u00c0">u</a>',
      expected: '<a href="https://ex.com/news/\u00c0">u</a>',
    },
    {
      name: 'escaped-stays-escaped',
      html: '<a href="%C3%80">u</a>',
      expected: '<a href="https://ex.com/news/%C3%80">u</a>',
    },
    { name: 'text-mentioning-href-unchanged', html: 'the href= attribute', expected: 'the href= attribute' },
  ])('$name', ({ html, expected }) => {
    expect(repairRelativeUrls(html, BASE)).toBe(expected);
  });
});
