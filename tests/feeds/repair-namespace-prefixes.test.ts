import { describe, expect, it } from 'vitest';
import { repairNamespacePrefixes } from '../../src/feeds/repair-namespace-prefixes.ts';

const RSS2 = 'xmlns:r="http://backend.userland.com/rss2"';
const ATOM = 'http://www.w3.org/2005/Atom';

describe('repairNamespacePrefixes', () => {
  it.each([
    {
      name: 'prefixed-rss-unprefixed-and-clash-kept',
      input: `<r:rss ${RSS2} xmlns:x="urn:x"><r:item><x:description>no</x:description><r:description>yes</r:description></r:item></r:rss>`,
      expected: `<rss ${RSS2} xmlns:x="urn:x"><item><x:description>no</x:description><description>yes</description></item></rss>`,
    },
    {
      name: 'prefixed-atom-root-unprefixed',
      input: `<a:feed xmlns:a="${ATOM}"><a:entry><a:link href="/x"/></a:entry></a:feed>`,
      expected: `<feed xmlns:a="${ATOM}"><entry><link href="/x"/></entry></feed>`,
    },
    {
      name: 'atom-inside-rss-under-another-prefix-becomes-atom',
      input: `<rss xmlns:at="${ATOM}"><channel><at:link href="/x"/></channel></rss>`,
      expected: `<rss xmlns:at="${ATOM}"><channel><atom:link href="/x"/></channel></rss>`,
    },
    {
      name: 'rdf-attributes-under-another-prefix',
      input: '<R:RDF xmlns:R="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item R:about="u"/></R:RDF>',
      expected:
        '<rdf:RDF xmlns:R="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item rdf:about="u"/></rdf:RDF>',
    },
    {
      name: 'prefix-rebound-in-a-child-scope',
      input: `<r:rss ${RSS2}><r:channel xmlns:r="urn:other"><r:title>t</r:title></r:channel></r:rss>`,
      expected: `<rss ${RSS2}><r:channel xmlns:r="urn:other"><r:title>t</r:title></r:channel></rss>`,
    },
    {
      name: 'canonical-document-unchanged',
      input: `<rss xmlns:atom="${ATOM}" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:date>d</dc:date></rss>`,
      expected: `<rss xmlns:atom="${ATOM}" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:date>d</dc:date></rss>`,
    },
  ])('$name', ({ input, expected }) => {
    expect(repairNamespacePrefixes(input)).toBe(expected);
  });
});
