/**
 * Raw pages, kept gzip-compressed so that `cli reprocess` can re-extract and re-tag after an upgrade
 * without fetching anything again. A news page of 50–300 KB compresses to roughly a fifth.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { toIso, type Db } from './db.ts';

export interface RawPage {
  canonicalUrl: string;
  url: string;
  contentType: string | null;
  fetchedAt: string;
  body: Buffer;
}

/**
 * @example
 * await saveRawPage(db, { canonicalUrl, url, contentType: 'text/html', fetchedAt, body });
 */
export async function saveRawPage(db: Db, page: RawPage): Promise<void> {
  await db.query(
    `insert into article_pages (canonical_url, url, content_type, fetched_at, html_gzip)
     values ($1, $2, $3, $4, $5)
     on conflict (canonical_url) do update set
       url = excluded.url, content_type = excluded.content_type,
       fetched_at = excluded.fetched_at, html_gzip = excluded.html_gzip`,
    [page.canonicalUrl, page.url, page.contentType, page.fetchedAt, gzipSync(page.body)],
  );
}

interface PageRow {
  canonical_url: string;
  url: string;
  content_type: string | null;
  fetched_at: Date;
  html_gzip: Uint8Array;
}

export async function loadRawPage(db: Db, canonicalUrl: string): Promise<RawPage | null> {
  const [row] = await db.query<PageRow>('select * from article_pages where canonical_url = $1', [
    canonicalUrl,
  ]);
  if (!row) return null;
  return {
    canonicalUrl: row.canonical_url,
    url: row.url,
    contentType: row.content_type,
    fetchedAt: toIso(row.fetched_at) ?? '',
    body: gunzipSync(row.html_gzip),
  };
}
