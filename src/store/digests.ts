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
