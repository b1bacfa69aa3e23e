import { upsertFeeds } from '../../src/store/feeds.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import type { TaggedArticle } from '../../src/model.ts';
import {
  countRows,
  getArticleByCanonicalUrl,
  hasArticle,
  listArticlesBetween,
  upsertArticle,
} from '../../src/store/articles.ts';
import type { Db } from '../../src/store/db.ts';
import {
  backends,
  dropTestDb,
  openTestDb,
  seedFeed,
  taggedArticle,
  truncateAll,
  uniqueSchema,
  feedConfig,
} from './test-db.ts';

describe.each(backends)('articles on $name', (backend) => {
  const schema = uniqueSchema();
  let db: Db;

  beforeAll(async () => {
    db = await openTestDb(backend, schema);
  });
  beforeEach(async () => {
    await truncateAll(db);
    await seedFeed(db);
  });
  afterAll(() => dropTestDb(db, schema));

  it('stores-a-new-article-and-reads-it-back', async () => {
    const article = taggedArticle();
    const { articleId, isNew } = await upsertArticle(db, article);
    expect(isNew).toBe(true);
    expect(await hasArticle(db, article.canonicalUrl)).toBe(true);
    const { tags, ...fields } = article;
    expect(await getArticleByCanonicalUrl(db, article.canonicalUrl)).toEqual({
      ...fields,
      id: articleId,
      updatedAt: article.fetchedAt,
      relevant: tags.relevant,
      storyId: null,
      actors: tags.actors,
      phases: tags.phases,
      mentions: tags.mentions,
    });
  });

  it('updates-on-second-upsert-and-replaces-tags', async () => {
    const first = await upsertArticle(db, taggedArticle());
    const sentence = 'Israel said the ceasefire would hold.';
    const second = await upsertArticle(
      db,
      taggedArticle({
        title: 'Three hostages released (updated)',
        text: sentence,
        published: null,
        fetchedAt: '2025-10-12T11:00:00.000Z',
        source: 'feed',
        tags: {
          relevant: false,
          actors: [{ id: 'israel', count: 1, evidence: sentence }],
          phases: [],
          mentions: [
            { kind: 'actor', id: 'israel', field: 'text', start: 0, end: 6, text: 'Israel', sentence },
          ],
        },
      }),
    );
    expect(second).toEqual({ articleId: first.articleId, isNew: false });
    expect(await countRows(db)).toMatchObject({ articles: 1, article_tags: 1, article_mentions: 1 });
    expect(await getArticleByCanonicalUrl(db, taggedArticle().canonicalUrl)).toMatchObject({
      id: first.articleId,
      title: 'Three hostages released (updated)',
      text: sentence,
      // A later processing without a date keeps the one found before; the first fetch time stays.
      published: '2025-10-12T08:30:00.000Z',
      fetchedAt: '2025-10-12T09:00:00.000Z',
      updatedAt: '2025-10-12T11:00:00.000Z',
      source: 'feed',
      relevant: false,
      actors: [{ id: 'israel', count: 1, evidence: sentence }],
      phases: [],
      mentions: [{ kind: 'actor', id: 'israel', field: 'text', start: 0, end: 6, text: 'Israel', sentence }],
    });
  });

  it('an-update-seen-through-another-feed-keeps-the-first-feed', async () => {
    await upsertFeeds(db, [{ ...feedConfig, id: 'aggregator', url: 'https://agg.example/rss' }]);
    const first = await upsertArticle(db, taggedArticle());
    await upsertArticle(db, taggedArticle({ feedId: 'aggregator', title: 'Edited headline' }));
    expect(await getArticleByCanonicalUrl(db, taggedArticle().canonicalUrl)).toMatchObject({
      id: first.articleId,
      feedId: feedConfig.id,
      title: 'Edited headline',
    });
  });

  it('a-moved-article-keeps-its-row-under-the-new-url', async () => {
    const first = await upsertArticle(db, taggedArticle());
    const movedUrl = 'https://www.bbc.co.uk/news/articles/c1-three-hostages-freed';
    const moved = await upsertArticle(
      db,
      taggedArticle({
        url: `${movedUrl}?at_medium=RSS`,
        canonicalUrl: movedUrl,
        previousCanonicalUrl: taggedArticle().canonicalUrl,
        isUpdate: true,
      }),
    );
    expect(moved).toEqual({ articleId: first.articleId, isNew: false });
    expect(await countRows(db)).toMatchObject({ articles: 1 });
    expect(await hasArticle(db, taggedArticle().canonicalUrl)).toBe(false);
    expect(await getArticleByCanonicalUrl(db, movedUrl)).toMatchObject({
      id: first.articleId,
      url: `${movedUrl}?at_medium=RSS`,
    });
  });

  it('a-move-onto-a-url-already-stored-updates-that-row-and-leaves-the-old', async () => {
    const old = await upsertArticle(db, taggedArticle());
    const other = 'https://www.bbc.co.uk/news/articles/c2';
    const existing = await upsertArticle(db, taggedArticle({ canonicalUrl: other, url: other }));
    const moved = await upsertArticle(
      db,
      taggedArticle({ canonicalUrl: other, url: other, previousCanonicalUrl: taggedArticle().canonicalUrl }),
    );
    expect(moved.articleId).toBe(existing.articleId);
    expect((await getArticleByCanonicalUrl(db, taggedArticle().canonicalUrl))?.id).toBe(old.articleId);
  });

  it('stores-an-article-without-tags', async () => {
    const article = taggedArticle({ tags: { relevant: false, actors: [], phases: [], mentions: [] } });
    await upsertArticle(db, article);
    expect(await getArticleByCanonicalUrl(db, article.canonicalUrl)).toMatchObject({
      actors: [],
      phases: [],
      mentions: [],
    });
    expect(await countRows(db)).toMatchObject({ articles: 1, article_tags: 0, article_mentions: 0 });
  });

  it('keeps-distinct-canonical-urls-apart', async () => {
    const a = await upsertArticle(db, taggedArticle());
    const b = await upsertArticle(
      db,
      taggedArticle({ canonicalUrl: 'https://www.bbc.co.uk/news/articles/c2' }),
    );
    expect(b.isNew).toBe(true);
    expect(b.articleId).not.toBe(a.articleId);
    expect(await countRows(db)).toMatchObject({ articles: 2, article_tags: 6, article_mentions: 6 });
  });

  it('rolls-back-the-whole-upsert-when-tags-fail', async () => {
    await upsertArticle(db, taggedArticle());
    const sentence = 'Hamas and Hamas.';
    // The same actor twice breaks the tag primary key after the article row was already updated.
    const broken = taggedArticle({
      title: 'must not be kept',
      tags: {
        relevant: true,
        actors: [
          { id: 'hamas', count: 1, evidence: sentence },
          { id: 'hamas', count: 1, evidence: sentence },
        ],
        phases: [],
        mentions: [],
      },
    });
    await expect(upsertArticle(db, broken)).rejects.toThrow(PipelineError);
    expect(await getArticleByCanonicalUrl(db, broken.canonicalUrl)).toMatchObject({
      title: 'Three hostages released',
      actors: [{ id: 'hamas' }, { id: 'icrc' }],
    });
  });

  it('refuses-an-article-of-an-unknown-feed-permanently', async () => {
    const error = await upsertArticle(db, taggedArticle({ feedId: 'no-such-feed' })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).permanent).toBe(true);
    expect((error as PipelineError).message).toMatch(/articles_feed_id_fkey/);
    expect(await hasArticle(db, taggedArticle().canonicalUrl)).toBe(false);
  });

  it('returns-null-for-an-unknown-canonical-url', async () => {
    expect(await getArticleByCanonicalUrl(db, 'https://example.org/none')).toBeNull();
    expect(await hasArticle(db, 'https://example.org/none')).toBe(false);
  });

  describe('listArticlesBetween', () => {
    const from = '2025-10-12T00:00:00.000Z';
    const to = '2025-10-13T00:00:00.000Z';
    const cases: { name: string; published: string | null; fetchedAt: string; included: boolean }[] = [
      {
        name: 'published-at-window-start',
        published: from,
        fetchedAt: '2025-10-12T01:00:00.000Z',
        included: true,
      },
      {
        name: 'published-1ms-before-end',
        published: '2025-10-12T23:59:59.999Z',
        fetchedAt: to,
        included: true,
      },
      { name: 'published-at-window-end', published: to, fetchedAt: to, included: false },
      {
        name: 'published-1ms-before-start',
        published: '2025-10-11T23:59:59.999Z',
        fetchedAt: '2025-10-12T01:00:00.000Z',
        included: false,
      },
      {
        name: 'undated-fetched-inside',
        published: null,
        fetchedAt: '2025-10-12T12:00:00.000Z',
        included: true,
      },
      { name: 'undated-fetched-at-end', published: null, fetchedAt: to, included: false },
      {
        name: 'published-inside-fetched-after',
        published: '2025-10-12T22:00:00.000Z',
        fetchedAt: '2025-10-14T00:00:00.000Z',
        included: true,
      },
      {
        name: 'published-before-fetched-inside',
        published: '2025-10-10T22:00:00.000Z',
        fetchedAt: '2025-10-12T06:00:00.000Z',
        included: false,
      },
    ];

    it.each(cases)('window-$name', async ({ name, published, fetchedAt, included }) => {
      const article: TaggedArticle = taggedArticle({
        canonicalUrl: `https://example.org/${name}`,
        published,
        fetchedAt,
      });
      await upsertArticle(db, article);
      const listed = await listArticlesBetween(db, from, to);
      expect(listed.map((a) => a.canonicalUrl)).toEqual(included ? [article.canonicalUrl] : []);
    });

    it('lists-all-in-time-order-with-their-tags', async () => {
      for (const c of cases) {
        await upsertArticle(
          db,
          taggedArticle({
            canonicalUrl: `https://example.org/${c.name}`,
            published: c.published,
            fetchedAt: c.fetchedAt,
          }),
        );
      }
      const listed = await listArticlesBetween(db, from, to);
      expect(listed.map((a) => a.canonicalUrl.replace('https://example.org/', ''))).toEqual([
        'published-at-window-start',
        'undated-fetched-inside',
        'published-inside-fetched-after',
        'published-1ms-before-end',
      ]);
      for (const a of listed) {
        expect(a.actors.map((t) => t.id)).toEqual(['hamas', 'icrc']);
        expect(a.phases).toEqual([
          {
            id: 'hostage-release',
            count: 1,
            evidence: taggedArticle().tags.phases[0]?.evidence,
            inTitle: false,
            inLead: false,
          },
        ]);
      }
    });

    it('accepts-offsets-in-the-bounds', async () => {
      await upsertArticle(db, taggedArticle({ published: '2025-10-11T23:30:00.000Z' }));
      // Midnight in Gaza (UTC+3 in October) is 21:00 UTC the day before.
      expect(
        await listArticlesBetween(db, '2025-10-12T00:00:00+03:00', '2025-10-13T00:00:00+03:00'),
      ).toHaveLength(1);
      expect(await listArticlesBetween(db, from, to)).toHaveLength(0);
    });
  });
});
