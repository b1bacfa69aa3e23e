/**
 * `cli reprocess --since DATE`: after an upgrade of the extractor or an edit of the watchlist, run
 * the stored articles through extraction (from the kept raw page) and tagging again. Alerts are not
 * sent again: a person has already seen these articles.
 */
import pLimit from 'p-limit';
import { describeError } from '../errors.ts';
import { decodePage } from '../extract/decode-page.ts';
import type { TaggedArticle } from '../model.ts';
import { listArticlesProcessedSince, upsertArticle, type StoredArticle } from '../store/articles.ts';
import { loadRawPage } from '../store/pages.ts';
import { assignStory } from '../store/stories.ts';
import { textSignature } from '../stories/text-signature.ts';
import { tagArticle } from '../tagging/tag-article.ts';
import type { RunFailure } from './run-once.ts';
import type { PipelineContext } from './steps.ts';

export interface ReprocessSummary {
  articles: number;
  /** Extracted again from the kept page. */
  reextracted: number;
  /** No page kept (or the text came from the feed): tagged again from the stored text. */
  retaggedOnly: number;
  /** Articles whose actor or phase set changed. */
  tagsChanged: number;
  failures: RunFailure[];
}

/** Extraction dominates; two at a time keeps both cores busy (the pool, when given, has its own limit). */
const REPROCESS_CONCURRENCY = 2;

const tagKey = (ids: { id: string }[]) =>
  ids
    .map((t) => t.id)
    .sort()
    .join(',');

export async function reprocessSince(
  ctx: PipelineContext,
  sinceIso: string,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<ReprocessSummary> {
  const stored = await listArticlesProcessedSince(ctx.db, sinceIso);
  const summary: ReprocessSummary = {
    articles: stored.length,
    reextracted: 0,
    retaggedOnly: 0,
    tagsChanged: 0,
    failures: [],
  };
  const limit = pLimit(REPROCESS_CONCURRENCY);
  let done = 0;
  await Promise.all(
    stored.map((article) =>
      limit(async () => {
        try {
          const again = await reprocessOne(ctx, article);
          if (again.reextracted) summary.reextracted++;
          else summary.retaggedOnly++;
          if (again.tagsChanged) summary.tagsChanged++;
        } catch (error) {
          summary.failures.push({ stage: 'article', culprit: article.url, reason: describeError(error) });
        } finally {
          onProgress(++done, stored.length);
        }
      }),
    ),
  );
  return summary;
}

async function reprocessOne(
  ctx: PipelineContext,
  article: StoredArticle,
): Promise<{ reextracted: boolean; tagsChanged: boolean }> {
  const page = article.source === 'page' ? await loadRawPage(ctx.db, article.canonicalUrl) : null;
  const extracted = page
    ? await ctx.extract(decodePage(page.body, page.contentType ?? undefined), page.url)
    : null;
  const title = extracted?.title || article.title;
  const text = extracted && extracted.text.trim() ? extracted.text : article.text;
  const tags = tagArticle({ title, text, published: article.published }, ctx.matcher());
  const next: TaggedArticle = {
    feedId: article.feedId,
    url: article.url,
    canonicalUrl: article.canonicalUrl,
    title,
    byline: extracted?.byline ?? article.byline,
    lang: extracted?.lang ?? article.lang,
    text,
    published: article.published ?? extracted?.published ?? null,
    fetchedAt: ctx.now().toISOString(),
    source: article.source,
    tags,
  };
  // Upsert and story only: the feed item's identity (guid, content hash) is the feed's, not ours.
  const { articleId } = await upsertArticle(ctx.db, next);
  await assignStory(ctx.db, {
    articleId,
    title,
    signature: textSignature(`${title}\n${text}`),
    at: next.fetchedAt,
  });
  const tagsChanged =
    tagKey(article.actors) !== tagKey(tags.actors) || tagKey(article.phases) !== tagKey(tags.phases);
  return { reextracted: extracted !== null, tagsChanged };
}
