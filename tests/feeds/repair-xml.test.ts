import { describe, expect, it } from 'vitest';
import { repairXml } from '../../src/feeds/repair-xml.ts';

describe('repairXml', () => {
  it.each([
    {
      name: 'well-formed-unchanged',
      input: '<r>a &amp; b &#233;</r>',
      text: '<r>a &amp; b &#233;</r>',
      repairs: [],
    },
    {
      name: 'junk-before-declaration',
      input: 'PHP Notice: x\n<?xml version="1.0"?><r/>',
      text: '<?xml version="1.0"?><r/>',
      repairs: ['junk before XML declaration'],
    },
    {
      name: 'leading-whitespace-is-no-repair',
      input: '\n  <?xml version="1.0"?><r/>',
      text: '<?xml version="1.0"?><r/>',
      repairs: [],
    },
    { name: 'bare-ampersand', input: '<r>Q&A</r>', text: '<r>Q&amp;A</r>', repairs: ['bare & escaped'] },
    {
      name: 'html-entity',
      input: '<r>&eacute;</r>',
      text: '<r>&#233;</r>',
      repairs: ['HTML entities replaced'],
    },
    {
      name: 'undefined-entity',
      input: '<r>&bogus;</r>',
      text: '<r>&amp;bogus;</r>',
      repairs: ['undefined entity escaped'],
    },
    {
      name: 'cdata-left-alone',
      input: '<r><![CDATA[a & b]]></r>',
      text: '<r><![CDATA[a & b]]></r>',
      repairs: [],
    },
    {
      name: 'declared-plain-entity-substituted',
      input: '<!DOCTYPE r [<!ENTITY id "tag:x,">]><r>&id;</r>',
      text: '<!DOCTYPE r [<!ENTITY id "tag:x,">]><r>tag:x,</r>',
      repairs: [],
    },
    {
      name: 'recursive-entity-not-expanded',
      input: '<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r>&b;</r>',
      text: '<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r>&amp;b;</r>',
      repairs: ['undefined entity escaped'],
    },
  ])('$name', ({ input, text, repairs }) => {
    expect(repairXml(input)).toEqual({ text, repairs });
  });
});
