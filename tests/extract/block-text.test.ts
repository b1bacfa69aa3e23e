import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { blockText } from '../../src/extract/block-text.ts';

describe('blockText', () => {
  it.each([
    { name: 'list-items-do-not-glue', html: '<ul><li>FL</li><li>June</li></ul>', text: 'FL\nJune' },
    {
      name: 'inline-stays-on-line',
      html: '<p>Talks <b>resume</b> in <a href="/x">Cairo</a></p>',
      text: 'Talks resume in Cairo',
    },
    { name: 'br-breaks-line', html: '<p>one<br>two</p>', text: 'one\ntwo' },
    {
      name: 'spaces-collapsed',
      html: '<p>  Rafah\u00a0 &amp;  Kerem   Shalom </p>',
      text: 'Rafah & Kerem Shalom',
    },
    { name: 'empty-blocks-dropped', html: '<div><p> </p><p>News</p><div></div></div>', text: 'News' },
    {
      name: 'table-cells-split',
      html: '<table><tr><td>Rockledge</td><td>44</td></tr></table>',
      text: 'Rockledge\n44',
    },
  ])('$name', ({ html, text }) => {
    expect(blockText(JSDOM.fragment(html))).toBe(text);
  });
});
