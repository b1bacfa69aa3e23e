/**
 * Article rows with their tags and mentions. An article is keyed on its canonical URL: storing it
 * again (a retried job, a re-processed page) updates the one row and replaces its tags and mentions.
 */
import type { StoredArticleFields, Tag, TaggedArticle } from '../model.ts';
import { PipelineError } from '../errors.ts';
import { toIso, type Db } from './db.ts';

/** An article as stored: the tagged article's fields, flattened, plus its row id, last update and story. */
export interface StoredArticle extends StoredArticleFields {
  /** When it was last stored (the `fetchedAt` of the latest processing). */
  updatedAt: string;
  /** The story cluster the article belongs to (null until the store step filed it). */
  storyId: number | null;
}

interface ArticleRow {
  id: number;
  feed_id: string;
  url: string;
  canonical_url: string;
  title: string;
  byline: string | null;
  lang: string | null;
  text: string;
  published: Date | null;
  fetched_at: Date;
  updated_at: Date;
  source: 'page' | 'feed';
  relevant: boolean;
  story_id: number | null;
}

interface TagRow {
  article_id: number;
  kind: 'actor' | 'phase';
  tag_id: string;
  count: number;
  evidence: string;
  in_title: boolean;
  in_lead: boolean;
}

interface MentionRow {
  article_id: number;
  kind: 'actor' | 'phase';
  tag_id: string;
  field: 'title' | 'text';
  start_offset: number;
  end_offset: number;
  text: string;
  sentence: string;
}

/**
 * Inserts the article or updates the row with the same canonical URL, replacing its tags and
 * mentions, in one transaction. `isNew` is true only for the insert. The first `fetchedAt` is kept;
 * a known publication date is not erased by a later processing that found none; the feed that first
 * brought the article stays its feed (an update seen through another feed does not move it).
 *
 * An article that moved (`previousCanonicalUrl`: the same guid at a new URL) keeps its row, its id
 * and its story: the row is re-keyed to the new URL, unless a row with the new URL exists already.
 *
 * @example
 * const { articleId, isNew } = await upsertArticle(db, taggedArticle);
 *
 * @throws PipelineError (permanent) when `feedId` is not a stored feed.
 */
export async function upsertArticle(
  db: Db,
  article: TaggedArticle,
): Promise<{ articleId: number; isNew: boolean }> {
  return db.transaction(async (tx) => {
    const previous = article.previousCanonicalUrl;
    if (previous && previous !== article.canonicalUrl) {
      await tx.query(
        `update articles set canonical_url = $2, url = $3
         where canonical_url = $1 and not exists (select 1 from articles where canonical_url = $2)`,
        [previous, article.canonicalUrl, article.url],
      );
    }
    const rows = await tx.query<{ id: number; inserted: boolean }>(
      `insert into articles
         (canonical_url, url, feed_id, title, byline, lang, text, published, fetched_at, updated_at, source, relevant,
          guid, content_hash, source_reason)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14)
       on conflict (canonical_url) do update set
         url = excluded.url,
         title = excluded.title,
         byline = excluded.byline,
         lang = excluded.lang,
         text = excluded.text,
         published = coalesce(excluded.published, articles.published),
         updated_at = excluded.updated_at,
         source = excluded.source,
         source_reason = excluded.source_reason,
         relevant = excluded.relevant,
         guid = coalesce(excluded.guid, articles.guid),
         content_hash = coalesce(nullif(excluded.content_hash, ''), articles.content_hash)
       -- xmax is 0 on a freshly inserted row version, the updating transaction's id otherwise.
       returning id, (xmax = 0) as inserted`,
      [
        article.canonicalUrl,
        article.url,
        article.feedId,
        article.title,
        article.byline,
        article.lang,
        article.text,
        article.published,
        article.fetchedAt,
        article.source,
        article.tags.relevant,
        article.guid ?? null,
        article.contentHash ?? '',
        article.source === 'feed' ? (article.sourceReason ?? null) : null,
      ],
    );
    const row = rows[0];
    if (!row) {
      // Unreachable (an upsert always returns its row); here to satisfy noUncheckedIndexedAccess honestly.
      throw new PipelineError({
        code: 'STORE_FAILED',
        stage: 'store',
        culprit: 'articles',
        detail: 'upsert returned no row',
      });
    }
    const articleId = row.id;

    await tx.query('delete from article_tags where article_id = $1', [articleId]);
    await tx.query('delete from article_mentions where article_id = $1', [articleId]);
    const tags = [
      ...article.tags.actors.map((t, ordinal) => ({ kind: 'actor', ordinal, ...t })),
      ...article.tags.phases.map((t, ordinal) => ({ kind: 'phase', ordinal, ...t })),
    ];
    // One statement per table whatever the number of tags: the rows travel as one jsonb array,
    // which both engines accept as a text parameter (JS arrays would need per-driver encoding).
    if (tags.length > 0) {
      await tx.query(
        `insert into article_tags (article_id, kind, tag_id, ordinal, count, evidence, in_title, in_lead)
         select $1, t.kind, t.id, t.ordinal, t.count, t.evidence, coalesce(t."inTitle", false), coalesce(t."inLead", false)
         from jsonb_to_recordset($2::jsonb)
           as t(kind text, id text, ordinal int, count int, evidence text, "inTitle" boolean, "inLead" boolean)`,
        [articleId, JSON.stringify(tags)],
      );
    }
    const mentions = article.tags.mentions.map((m, ordinal) => ({
      ordinal,
      kind: m.kind,
      tag_id: m.id,
      field: m.field,
      start_offset: m.start,
      end_offset: m.end,
      text: m.text,
      sentence: m.sentence,
    }));
    if (mentions.length > 0) {
      await tx.query(
        `insert into article_mentions (article_id, ordinal, kind, tag_id, field, start_offset, end_offset, text, sentence)
         select $1, m.ordinal, m.kind, m.tag_id, m.field, m.start_offset, m.end_offset, m.text, m.sentence
         from jsonb_to_recordset($2::jsonb) as m(
           ordinal int, kind text, tag_id text, field text, start_offset int, end_offset int, text text, sentence text
         )`,
        [articleId, JSON.stringify(mentions)],
      );
    }
    return { articleId, isNew: row.inserted };
  });
}

/** Whether an article with this canonical URL is stored: the feed stage's "is it new" fact. */
export async function hasArticle(db: Db, canonicalUrl: string): Promise<boolean> {
  const rows = await db.query('select 1 from articles where canonical_url = $1', [canonicalUrl]);
  return rows.length > 0;
}

/** The stored article with this row id, with its tags and mentions, or null: the dashboard's article page. */
export async function getArticleById(db: Db, id: number): Promise<StoredArticle | null> {
  const [article] = await selectArticles(db, 'a.id = $1', [id]);
  return article ?? null;
}

/** The stored article with its tags and mentions, or null. */
export async function getArticleByCanonicalUrl(db: Db, canonicalUrl: string): Promise<StoredArticle | null> {
  const where = 'a.canonical_url = $1';
  const [article] = await selectArticles(db, where, [canonicalUrl]);
  return article ?? null;
}

/**
 * Every copy of a story with its tags and mentions, earliest published (or fetched) first: what an
 * alert about the story is composed from.
 *
 * @example
 * const copies = await listStoryArticles(db, storyId);
 */
export async function listStoryArticles(db: Db, storyId: number): Promise<StoredArticle[]> {
  return selectArticles(db, 'a.story_id = $1', [storyId]);
}

/**
 * The articles of a time window `[fromIso, toIso)` with their tags, oldest first: an article counts
 * at its publication time, or at its fetch time when the feed gave no date. The digest's input.
 *
 * @example
 * const day = await listArticlesBetween(db, '2025-10-10T00:00:00Z', '2025-10-11T00:00:00Z');
 */
export async function listArticlesBetween(db: Db, fromIso: string, toIso: string): Promise<StoredArticle[]> {
  const where = 'coalesce(a.published, a.fetched_at) >= $1 and coalesce(a.published, a.fetched_at) < $2';
  return selectArticles(db, where, [fromIso, toIso]);
}

/**
 * The articles last processed at or after `sinceIso` (their latest `fetchedAt`), with their tags:
 * what `cli reprocess --since` works through.
 *
 * @example
 * const recent = await listArticlesProcessedSince(db, '2025-12-01T00:00:00Z');
 */
export async function listArticlesProcessedSince(db: Db, sinceIso: string): Promise<StoredArticle[]> {
  return selectArticles(db, 'a.updated_at >= $1', [sinceIso]);
}

/** How often a feed's recent articles fell back to the feed's own text, and the latest reason. */
export interface FeedTextUse {
  /** Articles looked at: the feed's latest, at most `latest`. */
  articles: number;
  fromFeedText: number;
  lastReason: string | null;
}

/**
 * Per feed, how many of its latest `latest` articles use the feed's text instead of the page, and
 * why the latest of those did: a site blocking us, or a machine too busy to extract in time, shows.
 *
 * @example
 * const use = await feedTextUse(db); // Map { 'bbc-world' => { articles: 20, fromFeedText: 3, lastReason: 'http: … HTTP 403' } }
 */
export async function feedTextUse(db: Db, latest = 20): Promise<Map<string, FeedTextUse>> {
  const rows = await db.query<{
    feed_id: string;
    articles: number;
    from_feed: number;
    last_reason: string | null;
  }>(
    `with recent as (
       select feed_id, source, source_reason, fetched_at, id,
              row_number() over (partition by feed_id order by fetched_at desc, id desc) as n
       from articles
     )
     select feed_id,
            count(*)::int as articles,
            (count(*) filter (where source = 'feed'))::int as from_feed,
            (array_agg(source_reason order by fetched_at desc, id desc)
               filter (where source = 'feed'))[1] as last_reason
       from recent where n <= $1 group by feed_id`,
    [latest],
  );
  return new Map(
    rows.map((r) => [
      r.feed_id,
      { articles: r.articles, fromFeedText: r.from_feed, lastReason: r.last_reason },
    ]),
  );
}

/** Rows per table, for tests and `status` output. */
export async function countRows(db: Db): Promise<Record<string, number>> {
  const rows = await db.query<{ table_name: string; n: number }>(
    `select 'feeds' as table_name, count(*) as n from feeds
     union all select 'articles', count(*) from articles
     union all select 'article_tags', count(*) from article_tags
     union all select 'article_mentions', count(*) from article_mentions
     union all select 'alert_deliveries', count(*) from alert_deliveries
     union all select 'digests', count(*) from digests`,
  );
  return Object.fromEntries(rows.map((r) => [r.table_name, r.n]));
}

/**
 * Three queries (articles, tags, mentions) sharing one `where` over `articles a`, joined in memory:
 * no array parameters, and no row multiplication from joining tags to mentions.
 */
async function selectArticles(db: Db, where: string, params: unknown[]): Promise<StoredArticle[]> {
  const articles = await db.query<ArticleRow>(
    `select a.* from articles a where ${where} order by coalesce(a.published, a.fetched_at), a.id`,
    params,
  );
  if (articles.length === 0) return [];
  const tags = await db.query<TagRow>(
    `select t.* from article_tags t join articles a on a.id = t.article_id where ${where} order by t.ordinal`,
    params,
  );
  const mentions = await db.query<MentionRow>(
    `select m.* from article_mentions m join articles a on a.id = m.article_id where ${where} order by m.ordinal`,
    params,
  );
  const byId = new Map<number, StoredArticle>(articles.map((row) => [row.id, toStoredArticle(row)]));
  for (const t of tags) {
    const tag: Tag = {
      id: t.tag_id,
      count: t.count,
      evidence: t.evidence,
      inTitle: t.in_title,
      inLead: t.in_lead,
    };
    byId.get(t.article_id)?.[t.kind === 'actor' ? 'actors' : 'phases'].push(tag);
  }
  for (const m of mentions) {
    byId.get(m.article_id)?.mentions.push({
      kind: m.kind,
      id: m.tag_id,
      field: m.field,
      start: m.start_offset,
      end: m.end_offset,
      text: m.text,
      sentence: m.sentence,
    });
  }
  return [...byId.values()];
}

function toStoredArticle(row: ArticleRow): StoredArticle {
  return {
    id: row.id,
    feedId: row.feed_id,
    url: row.url,
    canonicalUrl: row.canonical_url,
    title: row.title,
    byline: row.byline,
    lang: row.lang,
    text: row.text,
    published: toIso(row.published),
    fetchedAt: row.fetched_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    source: row.source,
    relevant: row.relevant,
    storyId: row.story_id,
    actors: [],
    phases: [],
    mentions: [],
  };
}
