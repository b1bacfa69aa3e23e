/** Which daily digests were built, where their files are, and whether they were emailed. */
import { PipelineError } from '../errors.ts';
import type { Db } from './db.ts';

export interface DigestRecord {
  /** Local calendar day, `YYYY-MM-DD`, in `timezone`. */
  day: string;
  timezone: string;
  markdownPath: string | null;
  htmlPath: string | null;
  emailed: boolean;
  createdAt: string;
}

interface DigestRow {
  day: string;
  timezone: string;
  markdown_path: string | null;
  html_path: string | null;
  emailed: boolean;
  created_at: Date;
}

/**
 * Records a built digest, replacing an earlier record of the same day and zone. `emailed` never goes
 * back from true to false: a rebuild without mail does not make a mailed digest unmailed.
 *
 * @example
 * await recordDigest(db, { day: '2025-10-10', timezone: 'Europe/London', markdownPath: 'digests/digest-2025-10-10.md', htmlPath: null, emailed: false });
 */
export async function recordDigest(
  db: Db,
  digest: {
    day: string;
    timezone: string;
    markdownPath: string | null;
    htmlPath: string | null;
    emailed: boolean;
    /** @defaultValue 'daily' */
    period?: 'daily' | 'weekly';
  },
): Promise<DigestRecord> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(digest.day)) {
    // The date type would also take "Oct 10 2025"; the model's days are ISO only.
    throw new PipelineError({
      code: 'STORE_FAILED',
      stage: 'store',
      culprit: `digests ${digest.day}`,
      detail: 'day: YYYY-MM-DD',
      permanent: true,
    });
  }
  const rows = await db.query<DigestRow>(
    `insert into digests (day, timezone, markdown_path, html_path, emailed, period)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (day, timezone, period) do update set
       markdown_path = excluded.markdown_path,
       html_path = excluded.html_path,
       emailed = digests.emailed or excluded.emailed
     returning *`,
    [
      digest.day,
      digest.timezone,
      digest.markdownPath,
      digest.htmlPath,
      digest.emailed,
      digest.period ?? 'daily',
    ],
  );
  const row = rows[0];
  if (!row) {
    // Unreachable (an upsert always returns its row); here to satisfy noUncheckedIndexedAccess honestly.
    throw new PipelineError({
      code: 'STORE_FAILED',
      stage: 'store',
      culprit: 'digests',
      detail: 'upsert returned no row',
    });
  }
  return toDigestRecord(row);
}

/** The digest recorded for this day and zone, or null: lets the digest job skip a day already mailed. */
export async function getDigest(
  db: Db,
  day: string,
  timezone: string,
  period: 'daily' | 'weekly' = 'daily',
): Promise<DigestRecord | null> {
  const rows = await db.query<DigestRow>(
    'select * from digests where day = $1 and timezone = $2 and period = $3',
    [day, timezone, period],
  );
  return rows[0] ? toDigestRecord(rows[0]) : null;
}

function toDigestRecord(row: DigestRow): DigestRecord {
  return {
    day: row.day,
    timezone: row.timezone,
    markdownPath: row.markdown_path,
    htmlPath: row.html_path,
    emailed: row.emailed,
    createdAt: row.created_at.toISOString(),
  };
}

/** A digest as the archive lists it: the record with its period, which keys it with day and zone. */
export interface ArchivedDigest extends DigestRecord {
  period: 'daily' | 'weekly';
}

/**
 * Recorded digests, newest day first (the latest build first within a day), with the count of all
 * that match; `day`, `period` and `timezone` narrow the list to one digest's key.
 *
 * @example
 * const { total, digests } = await listDigests(db, { limit: 50, offset: 0 });
 * const [one] = (await listDigests(db, { day: '2025-10-10', period: 'daily', limit: 1, offset: 0 })).digests;
 */
export async function listDigests(
  db: Db,
  query: {
    day?: string;
    period?: 'daily' | 'weekly';
    timezone?: string;
    limit: number;
    offset: number;
  },
): Promise<{ total: number; digests: ArchivedDigest[] }> {
  const where = `($1::date is null or day = $1::date) and ($2::text is null or period = $2)
                 and ($3::text is null or timezone = $3)`;
  const params = [query.day ?? null, query.period ?? null, query.timezone ?? null];
  const [count, rows] = await Promise.all([
    db.query<{ n: number }>(`select count(*)::int as n from digests where ${where}`, params),
    db.query<DigestRow & { period: 'daily' | 'weekly' }>(
      `select * from digests where ${where} order by day desc, created_at desc, period, timezone
        limit $4 offset $5`,
      [...params, query.limit, query.offset],
    ),
  ]);
  return {
    total: Number(count[0]?.n ?? 0),
    digests: rows.map((row) => ({ ...toDigestRecord(row), period: row.period })),
  };
}
