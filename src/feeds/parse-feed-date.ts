/**
 * Feed dates → ISO 8601, or null. rss-parser uses `new Date()`, which loses named zones, accepts garbage
 * and guesses (FACTS.md); a wrong date is worse than none, since digests and alerts sort and filter on it.
 * So: RFC 822 (with the variants real feeds use), W3C-DTF/ISO 8601, asctime and JS `Date#toString`,
 * every field range-checked, anything else null.
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

/** Zone abbreviations → minutes east of UTC: RFC 822's, plus the North American and European ones feeds use. */
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
  et: -300,
  ct: -360,
  mt: -420,
  pt: -480,
  met: 60,
  cet: 60,
  cest: 120,
  mest: 120,
  bst: 60,
  wet: 0,
  west: 60,
  eet: 120,
  eest: 180,
};

/** Years outside this window are typos or placeholders (0001-01-01, 9999-12-31), not publication dates. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

const ISO =
  /^(\d{4})(?:-?(\d{2,3})(?:-?(\d{2}))?)?(?:[T\s](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const TIME = String.raw`(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?`;
const ZONE = String.raw`([A-Za-z]{1,5}(?:[+-]\d{1,2}:?\d{2})?|[+-]\d{2}:?\d{2})`;
/** `Sun, 16 Dec 2012 11:47:32 GMT`, with optional weekday, comma after the month, 2-digit year, no time. */
const RFC822 = new RegExp(
  String.raw`^(?:[^\s\d,]+,?\s+)?(\d{1,2})\s+([^\s\d,.]+)\.?,?\s+(\d{2}|\d{4})(?:\s+${TIME})?(?:\s*${ZONE})?$`,
);
/** `Sun Jan  4 16:29:06 2004` (asctime) and `Thu Aug 30 2012 17:26:16 +0200` (JS Date#toString). */
const ASCTIME = new RegExp(
  String.raw`^(?:[^\s\d,]+,?\s+)?([^\s\d,]+)\s+(\d{1,2}),?\s+(?:(\d{4})\s+${TIME}|${TIME}\s+(\d{4}))(?:\s*${ZONE})?(?:\s*\(.*\))?$`,
);

/**
 * Parse a feed date. Returns an ISO 8601 UTC string, or null when the text is not a date we can read
 * with certainty.
 *
 * @example
 * parseFeedDate('Mon, 26 January 2004 16:31:00 ET'); // '2004-01-26T21:31:00.000Z'
 * parseFeedDate('2003-12-31T25:14:55Z'); // null
 */
export function parseFeedDate(raw: string | null | undefined): string | null {
  const text = (raw ?? '').trim().replace(/\s+/g, ' ');
  if (!text) return null;
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, zone] = iso;
    return build(num(y), num(mo, 1), num(d, 1), num(h), num(mi), num(s), zoneOffset(zone ?? 'Z'));
  }
  const rfc = RFC822.exec(text);
  if (rfc) {
    const [, d, mon, y, h, mi, s, zone] = rfc;
    return build(fullYear(num(y)), month(mon), num(d), num(h), num(mi), num(s), zoneOffset(zone ?? 'Z'));
  }
  const asc = ASCTIME.exec(text);
  if (asc) {
    const [, mon, d, y1, h1, mi1, s1, h2, mi2, s2, y2, zone] = asc;
    const y = y1 ?? y2;
    return build(
      num(y),
      month(mon),
      num(d),
      num(h1 ?? h2),
      num(mi1 ?? mi2),
      num(s1 ?? s2),
      zoneOffset(zone ?? 'Z'),
    );
  }
  return null;
}

function num(value: string | undefined, fallback = 0): number {
  return value === undefined ? fallback : Number(value);
}

function fullYear(year: number): number {
  // RFC 822 two-digit years: feeds from before 1950 did not exist.
  if (year >= 100) return year;
  return year < 50 ? 2000 + year : 1900 + year;
}

function month(name: string | undefined): number | undefined {
  const key = (name ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  return MONTHS[key.slice(0, 3)] ?? MONTHS[key.slice(0, 4)];
}

/** Minutes east of UTC, or undefined for a zone we do not know (then the date is unknown, not guessed). */
function zoneOffset(zone: string): number | undefined {
  const numeric = /^(?:([a-z]+))?([+-])(\d{1,2}):?(\d{2})$/i.exec(zone);
  if (numeric) {
    const [, name, sign, hh, mm] = numeric;
    if (name && ZONES[name.toLowerCase()] !== 0) return undefined;
    const minutes = Number(hh) * 60 + Number(mm);
    if (Number(mm) > 59 || minutes > 14 * 60) return undefined;
    return sign === '-' ? -minutes : minutes;
  }
  const shortNumeric = /^([+-])(\d{2})$/.exec(zone);
  if (shortNumeric) return (shortNumeric[1] === '-' ? -1 : 1) * Number(shortNumeric[2]) * 60;
  return ZONES[zone.toLowerCase()];
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
