import { describe, expect, it } from 'vitest';
import { webUrl } from '../../src/alerts/alert-facts.ts';

describe('alert facts', () => {
  it.each([
    { name: 'https', url: 'https://example.org/a', expected: 'https://example.org/a' },
    { name: 'http', url: 'http://example.org/a?id=7', expected: 'http://example.org/a?id=7' },
    { name: 'javascript-is-not-linked', url: 'javascript:alert(1)', expected: null },
    { name: 'data-is-not-linked', url: 'data:text/html,<script>alert(1)</script>', expected: null },
    { name: 'relative-is-not-linked', url: '/a/b', expected: null },
    { name: 'garbage-is-not-linked', url: 'not a url', expected: null },
  ])('webUrl: $name', ({ url, expected }) => {
    expect(webUrl(url)?.href ?? null).toBe(expected);
  });
});
