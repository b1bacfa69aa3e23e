import { describe, expect, it } from 'vitest';
import { parseFeedDate } from '../../src/feeds/parse-feed-date.ts';

// Date strings and expected instants from feedparser's tests/test_date_parsers.py where it has them;
// the rest are the variants its parsers accept. Null wherever the text does not say one instant.
describe('parseFeedDate', () => {
  it.each([
    // RFC 822 and its variants
    { name: 'rfc-822', input: 'Thu, 01 Jan 2004 19:48:21 GMT', expected: '2004-01-01T19:48:21.000Z' },
    { name: 'two-digit-year', input: 'Thu, 01 Jan 04 19:48:21 GMT', expected: '2004-01-01T19:48:21.000Z' },
    {
      name: 'two-digit-year-in-the-nineties',
      input: 'Sun, 12 Nov 95 08:00:00 GMT',
      expected: '1995-11-12T08:00:00.000Z',
    },
    {
      name: 'single-digit-day',
      input: 'Thu,  5 Apr 2012 10:00:00 GMT',
      expected: '2012-04-05T10:00:00.000Z',
    },
    { name: 'no-day-name', input: '05 Apr 2012 10:00:00 GMT', expected: '2012-04-05T10:00:00.000Z' },
    {
      name: 'no-space-after-day-name',
      input: 'Fri,24 Nov 2023 18:28:36 -0000',
      expected: '2023-11-24T18:28:36.000Z',
    },
    { name: 'no-seconds', input: 'Thu, 01 Jan 2004 00:00 GMT', expected: '2004-01-01T00:00:00.000Z' },
    { name: 'no-time', input: 'Thu, 01 Jan 2004', expected: '2004-01-01T00:00:00.000Z' },
    { name: 'no-zone-is-utc', input: 'Thu, 01 Jan 2004 19:48:21', expected: '2004-01-01T19:48:21.000Z' },
    {
      name: 'comma-after-month',
      input: 'Mon, 13 Feb, 2012 06:28:00 UTC',
      expected: '2012-02-13T06:28:00.000Z',
    },
    {
      name: 'long-month-name',
      input: 'Mon, 26 January 2004 16:31:00 ET',
      expected: '2004-01-26T21:31:00.000Z',
    },
    { name: 'lower-case', input: 'thu, 01 jan 2004 19:48:21 est', expected: '2004-01-02T00:48:21.000Z' },
    {
      name: 'extra-whitespace',
      input: '  Thu,\t01  Jan\n2004   19:48:21  GMT ',
      expected: '2004-01-01T19:48:21.000Z',
    },
    { name: 'greek', input: 'Κυρ, 11 Ιούλ 2004 12:00:00 EST', expected: '2004-07-11T17:00:00.000Z' },
    // Zones
    { name: 'zone-est', input: 'Mon, 26 Jan 2004 16:31:00 EST', expected: '2004-01-26T21:31:00.000Z' },
    { name: 'zone-met', input: 'Thu, 30 Apr 2015 08:57:00 MET', expected: '2015-04-30T07:57:00.000Z' },
    { name: 'zone-mest', input: 'Thu, 30 Apr 2015 08:57:00 MEST', expected: '2015-04-30T06:57:00.000Z' },
    { name: 'zone-at', input: 'Mon, 26 January 2004 16:31:00 AT', expected: '2004-01-26T20:31:00.000Z' },
    { name: 'zone-pt', input: 'Mon, 26 January 2004 16:31:00 PT', expected: '2004-01-27T00:31:00.000Z' },
    {
      name: 'zone-etc-gmt',
      input: 'Wed, 19 Aug 2009 18:28:00 Etc/GMT',
      expected: '2009-08-19T18:28:00.000Z',
    },
    {
      name: 'zone-gmt-hh-mm',
      input: 'Wed, 19 Feb 2012 22:40:00 GMT-01:01',
      expected: '2012-02-19T23:41:00.000Z',
    },
    {
      name: 'zone-gmt-hours',
      input: 'Wed, 19 Feb 2012 22:40:00 GMT+2',
      expected: '2012-02-19T20:40:00.000Z',
    },
    {
      name: 'zone-hh-colon-mm',
      input: 'Wed, 19 Feb 2012 22:40:00 +05:30',
      expected: '2012-02-19T17:10:00.000Z',
    },
    { name: 'zone-hhmm', input: 'Wed, 19 Feb 2012 22:40:00 -0130', expected: '2012-02-20T00:10:00.000Z' },
    // RFC 822's military letters, with its signs (A is −1 hour, N +1), as feedparser reads them.
    { name: 'zone-military-z', input: 'Wed, 19 Feb 2012 22:40:00 Z', expected: '2012-02-19T22:40:00.000Z' },
    { name: 'zone-military-a', input: 'Wed, 19 Feb 2012 22:40:00 A', expected: '2012-02-19T23:40:00.000Z' },
    { name: 'zone-military-m', input: 'Wed, 19 Feb 2012 22:40:00 M', expected: '2012-02-20T10:40:00.000Z' },
    { name: 'zone-military-n', input: 'Wed, 19 Feb 2012 22:40:00 N', expected: '2012-02-19T21:40:00.000Z' },
    { name: 'zone-military-y', input: 'Wed, 19 Feb 2012 22:40:00 Y', expected: '2012-02-19T10:40:00.000Z' },
    // Month before day
    { name: 'asctime', input: 'Sun Jan  4 16:29:06 2004', expected: '2004-01-04T16:29:06.000Z' },
    {
      name: 'asctime-with-zone',
      input: 'Sun Jul 15 01:16:00 +0000 2012',
      expected: '2012-07-15T01:16:00.000Z',
    },
    { name: 'js-date-string', input: 'Thu Aug 30 2012 17:26:16 +0200', expected: '2012-08-30T15:26:16.000Z' },
    {
      name: 'js-date-string-with-zone-name',
      input: 'Thu Aug 30 2012 17:26:16 GMT+0200 (Central European Summer Time)',
      expected: '2012-08-30T15:26:16.000Z',
    },
    // W3DTF and ISO 8601
    { name: 'w3dtf', input: '2003-12-31T10:14:55-08:00', expected: '2003-12-31T18:14:55.000Z' },
    { name: 'w3dtf-fraction', input: '2007-04-23T23:25:47.538+10:00', expected: '2007-04-23T13:25:47.000Z' },
    { name: 'w3dtf-date', input: '2003-12-31', expected: '2003-12-31T00:00:00.000Z' },
    { name: 'w3dtf-month', input: '2003-12', expected: '2003-12-01T00:00:00.000Z' },
    { name: 'w3dtf-year', input: '2003', expected: '2003-01-01T00:00:00.000Z' },
    {
      name: 'w3dtf-leap-day-rollover',
      input: '2004-02-28T18:14:55-08:00',
      expected: '2004-02-29T02:14:55.000Z',
    },
    { name: 'mssql-with-zone', input: '2004-07-08 23:56:58 -00:20', expected: '2004-07-09T00:16:58.000Z' },
    { name: 'mssql-fraction', input: '2004-07-08 23:56:58.0', expected: '2004-07-08T23:56:58.000Z' },
    {
      name: 'iso-extra-zero-in-month',
      input: '2003-012-31T10:14:55+00:00',
      expected: '2003-12-31T10:14:55.000Z',
    },
    { name: 'iso-basic', input: '20031231', expected: '2003-12-31T00:00:00.000Z' },
    { name: 'iso-two-digit-year', input: '03-12-31', expected: '2003-12-31T00:00:00.000Z' },
    { name: 'iso-two-digit-year-basic', input: '031231', expected: '2003-12-31T00:00:00.000Z' },
    { name: 'iso-two-digit-year-month', input: '-03-12', expected: '2003-12-01T00:00:00.000Z' },
    // feedparser's other handlers
    { name: 'perforce', input: 'Fri, 2006/09/15 08:19:53 EDT', expected: '2006-09-15T12:19:53.000Z' },
    { name: 'hungarian', input: '2004-július-13T9:15-05:00', expected: '2004-07-13T14:15:00.000Z' },
    { name: 'korean-nate', input: '2004-05-25 오후 11:23:17', expected: '2004-05-25T14:23:17.000Z' },
    { name: 'korean-onblog', input: '2004년 05월 28일  01:31:15', expected: '2004-05-27T16:31:15.000Z' },
    // Unreadable: no date rather than a guess
    { name: 'empty', input: '', expected: null },
    { name: 'garbage', input: 'yesterday-ish', expected: null },
    { name: 'unknown-zone-name', input: 'Sun, 16 Dec 2012 11:47:32 XYZ', expected: null },
    { name: 'military-j-is-unused', input: 'Sun, 16 Dec 2012 11:47:32 J', expected: null },
    { name: 'invalid-time', input: 'Sun, 16 Dec 2012 1:2:3:4 GMT', expected: null },
    { name: 'invalid-month', input: 'Sun, 16 zzz 2012 11:47:32 GMT', expected: null },
    { name: 'invalid-day', input: 'Sun, Dec x 2012 11:47:32 GMT', expected: null },
    { name: 'invalid-year', input: 'Sun, 16 Dec zz 11:47:32 GMT', expected: null },
    { name: 'invalid-zone-hour', input: 'Sun, 16 Dec 2012 11:47:32 +zz:00', expected: null },
    { name: 'invalid-zone-minute', input: 'Sun, 16 Dec 2012 11:47:32 +00:zz', expected: null },
    { name: 'out-of-range-zone', input: 'Sun, 31 Dec 2012 23:59:59 -9999', expected: null },
    { name: 'out-of-range-day', input: 'Sun, 99 Jun 2009 12:00:00 GMT', expected: null },
    { name: 'out-of-range-hour', input: '2003-12-31T25:14:55Z', expected: null },
    { name: 'out-of-range-second', input: '2003-12-31T10:14:61Z', expected: null },
    { name: 'ancient-year', input: 'Thu, 01 Jan 0100 00:00:01 +0100', expected: null },
    { name: 'two-zones', input: 'Sun Jul 15 01:16:00 +0000 2012 +0100', expected: null },
    { name: 'too-many-date-parts', input: '2013-01-27-01', expected: null },
    { name: 'trailing-text', input: '2013-01-28T11:30:00-06:00Textra', expected: null },
    { name: 'five-digits', input: '22013', expected: null },
    { name: 'non-numeric-month', input: '2013-xx-27', expected: null },
  ])('$name', ({ input, expected }) => {
    expect(parseFeedDate(input)).toBe(expected);
  });
});
