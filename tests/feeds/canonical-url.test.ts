import { describe, expect, it } from 'vitest';
import { articleJobId, canonicalUrl } from '../../src/feeds/canonical-url.ts';

describe('canonicalUrl', () => {
  it.each([
    {
      name: 'lowercases-scheme-and-host',
      url: 'HTTPS://Www.BBC.co.uk/News/World',
      expected: 'https://www.bbc.co.uk/News/World',
    },
    { name: 'drops-fragment', url: 'https://example.com/a#comments', expected: 'https://example.com/a' },
    { name: 'drops-default-https-port', url: 'https://example.com:443/a', expected: 'https://example.com/a' },
    { name: 'drops-default-http-port', url: 'http://example.com:80/a', expected: 'http://example.com/a' },
    { name: 'keeps-other-port', url: 'http://example.com:8080/a', expected: 'http://example.com:8080/a' },
    {
      name: 'drops-tracking-params',
      url: 'https://example.com/a?utm_source=rss&UTM_Medium=x&fbclid=1&gclid=2&mc_cid=3&mc_eid=4',
      expected: 'https://example.com/a',
    },
    {
      name: 'sorts-remaining-params',
      url: 'https://example.com/a?b=2&utm_campaign=x&a=1&id=7',
      expected: 'https://example.com/a?a=1&b=2&id=7',
    },
    { name: 'not-a-url-unchanged', url: ' /relative/path ', expected: '/relative/path' },
  ])('$name', ({ url, expected }) => {
    expect(canonicalUrl(url)).toBe(expected);
  });
});

describe('articleJobId', () => {
  it('is-32-hex-chars-without-colons', () => {
    const id = articleJobId('https://example.com/a');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('equal-for-equivalent-urls', () => {
    const a = articleJobId(canonicalUrl('https://example.com/a?utm_source=x#top'));
    const b = articleJobId(canonicalUrl('HTTPS://EXAMPLE.com:443/a'));
    expect(a).toBe(b);
    expect(articleJobId(canonicalUrl('https://example.com/b'))).not.toBe(a);
  });
});
