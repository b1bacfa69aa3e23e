/**
 * Story clusters: syndicated copies of one story (the same wire text on several sites) share a
 * story id, so alerts and digests can show the story once with all its sources. Candidates come from
 * the LSH bands of the articles' text signatures; `isSameStory` confirms them.
 */
import { PipelineError } from '../errors.ts';
import { isSameStory } from '../stories/is-same-story.ts';
import { signatureBands } from '../stories/signature-bands.ts';
import { storyTagsKey } from '../stories/story-tags-key.ts';
import type { Db } from './db.ts';

/** One article of a story, as alerts and digests list it. */
export interface StorySource {
  articleId: number;
  url: string;
  feedId: string;
  title: string;
}

interface CandidateRow {
  id: number;
  signature: string;
  story_id: number;
  story_first_seen_at: Date;
}

/**
 * Puts an article into a story: the earliest story (by first sighting) holding an article whose
 * signature `isSameStory` confirms, else a new story titled with this article's title. Writes the
 * article's signature, story id and signature bands, and returns the story, whether it was created
 * for this article, and how many articles it now holds.
 *
 * Idempotent: called again with the same signature (a retried job), nothing is written, and
 * `isNewStory` is true when the article is still its story's only one (which it is when the first
 * call created the story, unless a copy joined in between). Called with a changed signature (the
 * article was edited), the article keeps its story when it still matches a member of it or is
 * alone in it, and moves otherwise. Two stories that a later article matches both are not merged:
 * their ids may already have been shown in alerts and digests.
 *
 * On PostgreSQL the assignment holds a transaction-scoped advisory lock, so two workers storing two
 * copies at the same moment cannot both miss each other and found two stories; the transaction is a
 * few small statements, so serialising it costs little.
 *
 * @example
 * const signature = textSignature(article.text);
 * const { storyId, isNewStory, sources } = await assignStory(db, { articleId, title: article.title, signature, at: article.fetchedAt });
 *
 * @throws PipelineError (permanent) when the article does not exist.
 */
export async function assignStory(
  db: Db,
  input: { articleId: number; title: string; signature: string; at: string },
): Promise<{ storyId: number; isNewStory: boolean; sources: number }> {
  const { articleId, title, signature, at } = input;
  return db.transaction(async (tx) => {
    if (tx.kind === 'postgres') {
      await tx.query(`select pg_advisory_xact_lock(hashtext('ceasefire-watch:assign-story'))`);
    }
    const [article] = await tx.query<{ story_id: number | null; signature: string | null }>(
      'select story_id, signature from articles where id = $1 for update',
      [articleId],
    );
    if (!article) {
      throw new PipelineError({
        code: 'STORE_FAILED',
        stage: 'store',
        culprit: `article ${articleId}`,
        detail: 'no such article to assign to a story',
        permanent: true,
      });
    }
    if (article.story_id !== null && article.signature === signature) {
      const sources = await countSources(tx, article.story_id);
      return { storyId: article.story_id, isNewStory: sources === 1, sources };
    }

    const bands = signatureBands(signature);
    const candidates =
      bands.length === 0
        ? []
        : await tx.query<CandidateRow>(
            `select distinct a.id, a.signature, a.story_id, s.first_seen_at as story_first_seen_at
             from jsonb_to_recordset($2::jsonb) as q(band int, bucket text)
             join article_signature_bands b on b.band = q.band and b.bucket = q.bucket
             join articles a on a.id = b.article_id
             join stories s on s.id = a.story_id
             where a.id <> $1 and a.signature is not null`,
            [articleId, JSON.stringify(bands)],
          );
    const matches = candidates
      .filter((c) => isSameStory(signature, c.signature))
      .sort(
        (x, y) =>
          x.story_first_seen_at.getTime() - y.story_first_seen_at.getTime() || x.story_id - y.story_id,
      );

    let storyId: number;
    let isNewStory = false;
    const previous = article.story_id;
    if (previous !== null && matches.some((m) => m.story_id === previous)) {
      storyId = previous;
    } else if (matches[0]) {
      storyId = matches[0].story_id;
    } else if (previous !== null && (await countSources(tx, previous)) === 1) {
      storyId = previous; // alone in its story before the edit, and still alone: nothing to move
      isNewStory = true;
    } else {
      const [created] = await tx.query<{ id: number }>(
        'insert into stories (title, first_seen_at) values ($1, $2) returning id',
        [title, at],
      );
      if (!created) {
        // Unreachable (an insert … returning gives its row); here for noUncheckedIndexedAccess.
        throw new PipelineError({
          code: 'STORE_FAILED',
          stage: 'store',
          culprit: 'stories',
          detail: 'insert returned no row',
        });
      }
      storyId = created.id;
      isNewStory = true;
    }

    await tx.query('update articles set signature = $2, story_id = $3 where id = $1', [
      articleId,
      signature,
      storyId,
    ]);
    await tx.query('delete from article_signature_bands where article_id = $1', [articleId]);
    if (bands.length > 0) {
      await tx.query(
        `insert into article_signature_bands (band, bucket, article_id)
         select q.band, q.bucket, $1 from jsonb_to_recordset($2::jsonb) as q(band int, bucket text)`,
        [articleId, JSON.stringify(bands)],
      );
    }
    return { storyId, isNewStory, sources: await countSources(tx, storyId) };
  });
}

/**
 * The articles of a story, in the order they were published (fetched, when undated).
 *
 * @example
 * const sources = await listStorySources(db, storyId);
 * // [{ articleId: 1, url: 'https://…', feedId: 'reuters-world', title: '…' }, …]
 */
export async function listStorySources(db: Db, storyId: number): Promise<StorySource[]> {
  const rows = await db.query<{ id: number; url: string; feed_id: string; title: string }>(
    `select id, url, feed_id, title from articles
     where story_id = $1
     order by coalesce(published, fetched_at), id`,
    [storyId],
  );
  return rows.map((r) => ({ articleId: r.id, url: r.url, feedId: r.feed_id, title: r.title }));
}

/**
 * What a story carries now: the key of src/stories/story-tags-key.ts over all its copies' tags.
 *
 * @example
 * const key = await loadStoryTagsKey(db, storyId); // 'actor:egypt,actor:qatar,phase:phase-2'
 */
export async function loadStoryTagsKey(db: Db, storyId: number): Promise<string> {
  const rows = await db.query<{ kind: 'actor' | 'phase'; tag_id: string }>(
    `select distinct t.kind, t.tag_id from article_tags t join articles a on a.id = t.article_id
     where a.story_id = $1`,
    [storyId],
  );
  return storyTagsKey(rows.map((r) => ({ kind: r.kind, id: r.tag_id })));
}

async function countSources(db: Db, storyId: number): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*) as n from articles where story_id = $1', [
    storyId,
  ]);
  return row?.n ?? 0;
}
