import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/http/parse-retry-after.ts';

const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

describe('parseRetryAfter', () => {
  it.each([
    { name: 'delay-seconds', value: '120', expected: 120_000 },
    { name: 'zero-seconds', value: '0', expected: 0 },
    { name: 'surrounding-space', value: ' 5 ', expected: 5_000 },
    { name: 'imf-fixdate-ahead', value: 'Wed, 21 Oct 2015 07:29:30 GMT', expected: 90_000 },
    { name: 'rfc-850-date', value: 'Wednesday, 21-Oct-15 07:29:00 GMT', expected: 60_000 },
    { name: 'asctime-date', value: 'Wed Oct 21 07:28:10 2015', expected: 10_000 },
    { name: 'date-already-past', value: 'Wed, 21 Oct 2015 07:00:00 GMT', expected: 0 },
    { name: 'seconds-capped-at-a-day', value: '999999', expected: MAX_RETRY_AFTER_MS },
    { name: 'date-capped-at-a-day', value: 'Fri, 23 Oct 2015 07:28:00 GMT', expected: MAX_RETRY_AFTER_MS },
    { name: 'absent', value: undefined, expected: null },
    { name: 'empty', value: '', expected: null },
    { name: 'negative-seconds', value: '-5', expected: null },
    { name: 'fractional-seconds', value: '1.5', expected: null },
    { name: 'words', value: 'soon', expected: null },
    { name: 'bad-date', value: 'Wed, 99 Foo 2015 07:28:00 GMT', expected: null },
  ])('$name', ({ value, expected }) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
