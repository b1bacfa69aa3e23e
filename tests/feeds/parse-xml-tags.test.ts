import { describe, expect, it } from 'vitest';
import { parseXmlTags } from '../../src/feeds/parse-xml-tags.ts';

describe('parseXmlTags', () => {
  it.each([
    {
      name: 'start-end-and-empty-tags',
      text: '<?xml version="1.0"?><a x="1" y=\'>\'><b/></a>',
      tags: [
        ['start', 'a'],
        ['empty', 'b'],
        ['end', 'a'],
      ],
      completeUpTo: 44,
    },
    {
      name: 'markup-inside-cdata-comments-and-doctype-is-skipped',
      text: '<!DOCTYPE r [<!ENTITY e "<x>">]><r><!-- <c> --><![CDATA[<d>]]></r>',
      tags: [
        ['start', 'r'],
        ['end', 'r'],
      ],
      completeUpTo: 66,
    },
    { name: 'unterminated-cdata', text: '<r><![CDATA[<x>', tags: [['start', 'r']], completeUpTo: 3 },
    { name: 'unterminated-tag', text: '<r><item a="1', tags: [['start', 'r']], completeUpTo: 3 },
    {
      name: 'bare-less-than-in-text',
      text: '<r>1 < 2</r>',
      tags: [
        ['start', 'r'],
        ['end', 'r'],
      ],
      completeUpTo: 12,
    },
  ])('$name', ({ text, tags, completeUpTo }) => {
    const scan = parseXmlTags(text);
    expect(scan.tags.map((tag) => [tag.kind, tag.name])).toEqual(tags);
    expect(scan.completeUpTo).toBe(completeUpTo);
  });

  it('attribute-offsets-point-at-their-names', () => {
    const text = '<r:item  r:about="x" b=\'y\'>';
    const [tag] = parseXmlTags(text).tags;
    expect(
      tag?.attributes.map(([name, value, at]) => [name, value, text.slice(at, at + name.length)]),
    ).toEqual([
      ['r:about', 'x', 'r:about'],
      ['b', 'y', 'b'],
    ]);
    expect(text.slice(tag?.nameStart, (tag?.nameStart ?? 0) + 6)).toBe('r:item');
  });
});
