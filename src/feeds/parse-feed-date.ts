/**
 * Feed dates → ISO 8601, or null. rss-parser uses `new Date()`, which loses named zones, accepts garbage
 * and guesses (FACTS.md); a wrong date is worse than none, since digests and alerts sort and filter on it.
 * So the forms the Universal Feed Parser reads (feedparser/datetimes: W3DTF/ISO 8601, RFC 822 and its
 * variants, asctime, Perforce, and its Greek, Hungarian and Korean forms), every field range-checked,
 * anything else null. Where feedparser guesses, this does not: an unknown zone name gives null, not UTC.
 */

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  // Greek abbreviations seen in feeds (feedparser's _greek_months), accents removed before lookup.
  ιαν: 1,
  φεβ: 2,
  μαρ: 3,
  απρ: 4,
  μαι: 5,
  μαϊ: 5,
  ιουν: 6,
  ιον: 6,
  ιουλ: 7,
  ιολ: 7,
  αυγ: 8,
  σεπ: 9,
  οκτ: 10,
  νοε: 11,
  δεκ: 12,
};

/** Hungarian month names, whole (feedparser's _hungarian_months); accents removed before lookup. */
const HUNGARIAN_MONTHS: Record<string, number> = {
  januar: 1,
  februari: 2,
  marcius: 3,
  aprilis: 4,
  majus: 5,
  maujus: 5,
  junius: 6,
  julius: 7,
  augusztus: 8,
  szeptember: 9,
  oktober: 10,
  november: 11,
  december: 12,
};

/**
 * Zone abbreviations → minutes east of UTC: RFC 822's, feedparser's additions (the bare North American
 * ET/CT/MT/PT and Atlantic AT/AST/ADT), and the European ones feeds use.
 */
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  ast: -240,
  adt: -180,
  et: -300,
  ct: -360,
  mt: -420,
  pt: -480,
  at: -240,
  met: 60,
  mest: 120,
  cet: 60,
  cest: 120,
  bst: 60,
  wet: 0,
  west: 60,
  eet: 120,
  eest: 180,
};

/**
 * RFC 822's single-letter military zones: A–I and K–M are −1 to −12 hours, N–Y +1 to +12, J unused.
 * RFC 1123 notes these signs are the reverse of military use; feedparser reads them as RFC 822 writes
 * them (its `a`, `n`, `m`, `y`), and so does this, for every letter.
 */
function militaryZone(letter: string): number | undefined {
  const index = 'abcdefghiklmnopqrstuvwxy'.indexOf(letter);
  if (letter.length !== 1 || index === -1) return undefined;
  return index < 12 ? -(index + 1) * 60 : (index - 11) * 60;
}

/** Korean: 오전 (morning) and 오후 (afternoon); the two Korean forms are in Korean time, UTC+9. */
const KOREAN_AM = '\uc624\uc804';
const KOREAN_PM = '\uc624\ud6c4';
const KST = 9 * 60;

/** Years outside this window are typos or placeholders (0001-01-01, 9999-12-31), not publication dates. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

const ISO =
  /^(\d{4})(?:-?(\d{2,3})(?:-?(\d{2}))?)?(?:(?:[T\s]|\s*T)(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
/**
 * ISO 8601 with a two-digit year (feedparser's `YY-?MM-?DD` and `-YY-?MM` templates): 031231, 03-12-31,
 * -0312, -03-12. Six bare digits are YYMMDD, as ISO reads them (it has no YYYYMM). Not the five-digit
 * ordinal `YYDDD`: `22013` is as likely a mistyped year, and feedparser's own W3DTF parser refuses it.
 */
const ISO_SHORT_YEAR = /^(?:(\d{2})(-?)(\d{2})\2(\d{2})|-(\d{2})-?(\d{2}))$/;
const TIME = String.raw`(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?`;
const ZONE = String.raw`((?:etc\/)?[a-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{1,2}(?::?\d{2})?)`;
/** An optional weekday of any language ("Thu,", "mer,", "Κυρ,"), a comma or space after it. */
const WEEKDAY = String.raw`(?:[^\s\d,]+(?:,\s*|\s+))?`;
/** `Sun, 16 Dec 2012 11:47:32 GMT`, with optional weekday, comma after the month, 2-digit year, no time. */
const RFC822 = new RegExp(
  String.raw`^${WEEKDAY}(\d{1,2})\s+([^\s\d,.]+)\.?,?\s+(\d{2}|\d{4})(?:\s+${TIME})?(?:\s*${ZONE})?$`,
  'i',
);
/**
 * Month before day: `Sun Jan  4 16:29:06 2004` (asctime), `Sun Jul 15 01:16:00 +0000 2012` (asctime
 * with a zone) and `Thu Aug 30 2012 17:26:16 +0200 (CEST)` (JS Date#toString).
 */
const ASCTIME = new RegExp(
  String.raw`^${WEEKDAY}([^\s\d,]+)\s+(\d{1,2}),?\s+(?:(\d{4})\s+${TIME}|${TIME}(?:\s+${ZONE})?\s+(\d{4}))(?:\s*${ZONE})?(?:\s*\(.*\))?$`,
  'i',
);
/** Perforce: `Fri, 2006/09/15 08:19:53 EDT`. */
const PERFORCE = new RegExp(
  String.raw`^${WEEKDAY}(\d{4})/(\d{1,2})/(\d{1,2})\s+${TIME}(?:\s*${ZONE})?$`,
  'i',
);
/** Hungarian: `2004-július-13T9:15-05:00`. */
const HUNGARIAN = /^(\d{4})-([^\d\s-]+)-(\d{1,2})T(\d{1,2}):(\d{2})([+-]\d{1,2}:\d{2})$/;
/** Korean, OnBlog: `2004년 05월 28일 01:31:15`. */
const KOREAN_ONBLOG = /^(\d{4})\ub144\s+(\d{2})\uc6d4\s+(\d{2})\uc77c\s+(\d{2}):(\d{2}):(\d{2})$/;
/** Korean, Nate: `2004-05-25 오후 11:23:17`. */
const KOREAN_NATE = new RegExp(
  String.raw`^(\d{4})-(\d{2})-(\d{2})\s+(${KOREAN_AM}|${KOREAN_PM})\s+(\d{1,2}):(\d{1,2}):(\d{1,2})$`,
);

/**
 * Parse a feed date. Returns an ISO 8601 UTC string, or null when the text is not a date we can read
 * with certainty.
 *
 * @example
 * parseFeedDate('Mon, 26 January 2004 16:31:00 ET'); // '2004-01-26T21:31:00.000Z'
 * parseFeedDate('Sun Jan  4 16:29:06 2004'); // '2004-01-04T16:29:06.000Z'
 * parseFeedDate('2003-12-31T25:14:55Z'); // null
 */
export function parseFeedDate(raw: string | null | undefined): string | null {
  const text = (raw ?? '').trim().replace(/\s+/g, ' ');
  if (!text) return null;
  const short = ISO_SHORT_YEAR.exec(text);
  if (short) {
    const [, y1, , mo1, d1, y2, mo2] = short;
    // ISO 8601 reads a two-digit year in the current century; feeds are all from this one.
    return build(2000 + num(y1 ?? y2), num(mo1 ?? mo2), num(d1, 1), 0, 0, 0, 0);
  }
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, zone] = iso;
    return build(num(y), num(mo, 1), num(d, 1), num(h), num(mi), num(s), zoneOffset(zone ?? 'Z'));
  }
  const rfc = RFC822.exec(text);
  if (rfc) {
    const [, d, mon, y, h, mi, s, zone] = rfc;
    return build(fullYear(y), month(mon), num(d), num(h), num(mi), num(s), zoneOffset(zone ?? 'Z'));
  }
  const asc = ASCTIME.exec(text);
  if (asc) {
    const [, mon, d, y1, h1, mi1, s1, h2, mi2, s2, innerZone, y2, zone] = asc;
    if (innerZone && zone) return null;
    const offset = zoneOffset(innerZone ?? zone ?? 'Z');
    return build(num(y1 ?? y2), month(mon), num(d), num(h1 ?? h2), num(mi1 ?? mi2), num(s1 ?? s2), offset);
  }
  const perforce = PERFORCE.exec(text);
  if (perforce) {
    const [, y, mo, d, h, mi, s, zone] = perforce;
    return build(num(y), num(mo), num(d), num(h), num(mi), num(s), zoneOffset(zone ?? 'Z'));
  }
  return parseLocalForms(text);
}

/** feedparser's Hungarian and Korean handlers: fixed layouts with local month names or zone. */
function parseLocalForms(text: string): string | null {
  const hungarian = HUNGARIAN.exec(text);
  if (hungarian) {
    const [, y, mon, d, h, mi, zone] = hungarian;
    const m = HUNGARIAN_MONTHS[stripAccents(mon ?? '')];
    return build(num(y), m, num(d), num(h), num(mi), 0, zoneOffset(zone ?? ''));
  }
  const onblog = KOREAN_ONBLOG.exec(text);
  if (onblog) {
    const [, y, mo, d, h, mi, s] = onblog;
    return build(num(y), num(mo), num(d), num(h), num(mi), num(s), KST);
  }
  const nate = KOREAN_NATE.exec(text);
  if (nate) {
    const [, y, mo, d, half, h, mi, s] = nate;
    const hour12 = num(h);
    if (hour12 > 12) return null;
    const hour = (hour12 % 12) + (half === KOREAN_PM ? 12 : 0);
    return build(num(y), num(mo), num(d), hour, num(mi), num(s), KST);
  }
  return null;
}

function num(value: string | undefined, fallback = 0): number {
  return value === undefined ? fallback : Number(value);
}

/** RFC 822 two-digit years as feedparser reads them: 90–99 are the 1990s, 00–89 this century. */
function fullYear(digits: string | undefined): number {
  const year = num(digits);
  if ((digits ?? '').length > 2) return year;
  return year < 90 ? 2000 + year : 1900 + year;
}

function stripAccents(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

function month(name: string | undefined): number | undefined {
  const key = stripAccents(name ?? '');
  return MONTHS[key.slice(0, 3)] ?? MONTHS[key.slice(0, 4)];
}

/**
 * Minutes east of UTC, or undefined for a zone we do not know (then the date is unknown, not guessed).
 * Numeric offsets come as `+0530`, `+05:30`, `+05`, `-9`, or after a UTC name: `GMT-01:01`, `GMT+2`,
 * `Etc/GMT`.
 */
function zoneOffset(zone: string): number | undefined {
  const key = zone.toLowerCase().replace(/^etc\//, '');
  const numeric = /^(?:([a-z]+))?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(key);
  if (numeric) {
    const [, name, sign, hh, mm] = numeric;
    if (name && ZONES[name] !== 0) return undefined;
    // `+0530` is hours and minutes; a bare `+5` or `+05` is hours.
    const minutes = Number(hh) * 60 + num(mm);
    if (num(mm) > 59 || minutes > 14 * 60) return undefined;
    return sign === '-' ? -minutes : minutes;
  }
  return ZONES[key] ?? militaryZone(key);
}

function build(
  year: number,
  mon: number | undefined,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offset: number | undefined,
): string | null {
  if (mon === undefined || offset === undefined) return null;
  if (year < MIN_YEAR || year > MAX_YEAR || mon < 1 || mon > 12) return null;
  const daysInMonth = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) return null;
  // A leap second is reported as the last second of the minute rather than rolled over.
  const ms = Date.UTC(year, mon - 1, day, hour, minute, Math.min(second, 59)) - offset * 60_000;
  return new Date(ms).toISOString();
}
