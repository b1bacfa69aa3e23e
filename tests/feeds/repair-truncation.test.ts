import { describe, expect, it } from 'vitest';
import { repairTruncation } from '../../src/feeds/repair-truncation.ts';

const HEAD = '<rss><channel><item><title>A</title></item>';

describe('repairTruncation', () => {
  it.each([
    {
      name: 'complete-document-unchanged',
      input: `${HEAD}</channel></rss>`,
      expected: `${HEAD}</channel></rss>`,
    },
    { name: 'missing-end-tags-closed', input: `${HEAD}\n`, expected: `${HEAD}</channel></rss>` },
    {
      name: 'text-cut-mid-url-drops-the-element',
      input: `${HEAD}<item><title>B</title><link>https://ex`,
      expected: `${HEAD}<item><title>B</title></item></channel></rss>`,
    },
    {
      name: 'cut-inside-cdata',
      input: `${HEAD}<item><title><![CD`,
      expected: `${HEAD}<item></item></channel></rss>`,
    },
    {
      name: 'cut-inside-a-tag',
      input: `${HEAD}<item><tit`,
      expected: `${HEAD}</channel></rss>`,
    },
    { name: 'cut-inside-an-end-tag', input: `${HEAD}</channel></rs`, expected: `${HEAD}</channel></rss>` },
    { name: 'cut-inside-a-comment', input: `${HEAD}<!-- a`, expected: `${HEAD}</channel></rss>` },
    {
      name: 'unclosed-html-inside-is-closed-by-its-parent',
      input: '<rss><item><description><p>a<br></p></description></item></rss>',
      expected: '<rss><item><description><p>a<br></p></description></item></rss>',
    },
  ])('$name', ({ input, expected }) => {
    expect(repairTruncation(input)).toBe(expected);
  });
});
