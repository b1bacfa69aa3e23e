import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertArticle } from '../../src/store/articles.ts';
import { upsertFeeds } from '../../src/store/feeds.ts';
import { assignStory, listStorySources } from '../../src/store/stories.ts';
import { isSameStory } from '../../src/stories/is-same-story.ts';
import { textSignature } from '../../src/stories/text-signature.ts';
import { otherStories, seedText, storyCopies } from '../stories/story-fixtures.ts';
import { backends, dropTestDb, openTestDb, taggedArticle, truncateAll, uniqueSchema } from './test-db.ts';

const FEEDS = ['wire-feed', 'regional-feed', 'aggregator-feed'];

const otherGazaStory = otherStories.find((s) => s.id === 't036');
if (!otherGazaStory) throw new Error('fixture t036 missing');

describe.each(backends)('stories on $name', (backend) => {
  const schema = uniqueSchema();
  let db: Db;

  beforeAll(async () => {
    db = await openTestDb(backend, schema);
  });
  beforeEach(async () => {
    await truncateAll(db);
    await db.exec('truncate stories restart identity cascade');
    await upsertFeeds(
      db,
      FEEDS.map((id) => ({ id, url: `https://${id}.example/rss`, intervalMinutes: 15, labels: [] })),
    );
  });
  afterAll(() => dropTestDb(db, schema));

  /** Stores an article and assigns its story, as the store step will. */
  async function store(feedId: string, slug: string, title: string, text: string, at: string) {
    const url = `https://${feedId}.example/${slug}`;
    const { articleId } = await upsertArticle(
      db,
      taggedArticle({ feedId, url, canonicalUrl: url, title, text, fetchedAt: at }),
    );
    const story = await assignStory(db, { articleId, title, signature: textSignature(text), at });
    return { articleId, ...story };
  }

  async function bandCount(articleId: number): Promise<number> {
    const [row] = await db.query<{ n: number }>(
      'select count(*) as n from article_signature_bands where article_id = $1',
      [articleId],
    );
    return row?.n ?? -1;
  }

  it('a-syndicated-story-clustered', async () => {
    const wire = await store(
      'wire-feed',
      'witkoff-miami-talks',
      'Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase of Gaza ceasefire',
      seedText,
      '2025-12-19T14:00:00.000Z',
    );
    const regional = await store(
      'regional-feed',
      'us-envoy-meets-mediators',
      'US envoy meets Gaza mediators in Florida as truce stalls',
      storyCopies['copy--new-intro-dropped-paragraph-boilerplate'] as string,
      '2025-12-19T14:20:00.000Z',
    );
    const trimmed = await store(
      'aggregator-feed',
      'witkoff-qatar-egypt-turkey-miami',
      'US envoy Witkoff meets Qatar, Egypt, Turkey in Miami on Gaza truce next phase',
      storyCopies['copy--ap-style-trimmed'] as string,
      '2025-12-19T14:45:00.000Z',
    );
    const other = await store(
      'wire-feed',
      'mediators-second-phase',
      otherGazaStory.title,
      otherGazaStory.text,
      '2025-12-19T15:00:00.000Z',
    );

    expect(wire).toMatchObject({ isNewStory: true, sources: 1 });
    expect(regional).toMatchObject({ storyId: wire.storyId, isNewStory: false, sources: 2 });
    expect(trimmed).toMatchObject({ storyId: wire.storyId, isNewStory: false, sources: 3 });
    expect(other.storyId).not.toBe(wire.storyId);
    expect(other).toMatchObject({ isNewStory: true, sources: 1 });

    expect(await listStorySources(db, wire.storyId)).toEqual([
      {
        articleId: wire.articleId,
        url: 'https://wire-feed.example/witkoff-miami-talks',
        feedId: 'wire-feed',
        title: 'Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase of Gaza ceasefire',
      },
      {
        articleId: regional.articleId,
        url: 'https://regional-feed.example/us-envoy-meets-mediators',
        feedId: 'regional-feed',
        title: 'US envoy meets Gaza mediators in Florida as truce stalls',
      },
      {
        articleId: trimmed.articleId,
        url: 'https://aggregator-feed.example/witkoff-qatar-egypt-turkey-miami',
        feedId: 'aggregator-feed',
        title: 'US envoy Witkoff meets Qatar, Egypt, Turkey in Miami on Gaza truce next phase',
      },
    ]);
    const [story] = await db.query<{ title: string; first_seen_at: Date }>(
      'select title, first_seen_at from stories where id = $1',
      [wire.storyId],
    );
    expect(story?.title).toBe(
      'Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase of Gaza ceasefire',
    );
    expect(story?.first_seen_at.toISOString()).toBe('2025-12-19T14:00:00.000Z');
  });

  it('idempotent-for-the-same-article', async () => {
    const first = await store('wire-feed', 'a', 'Witkoff Miami talks', seedText, '2025-12-19T14:00:00.000Z');
    const again = await assignStory(db, {
      articleId: first.articleId,
      title: 'Witkoff Miami talks',
      signature: textSignature(seedText),
      at: '2025-12-19T15:00:00.000Z',
    });
    expect(again).toEqual({ storyId: first.storyId, isNewStory: true, sources: 1 });
    expect(await bandCount(first.articleId)).toBe(64);
    const [{ n } = { n: -1 }] = await db.query<{ n: number }>('select count(*) as n from stories');
    expect(n).toBe(1);

    const copy = await store(
      'regional-feed',
      'b',
      'Copy',
      storyCopies['copy--aggregator-subheads-removed-new-ending'] as string,
      '2025-12-19T14:30:00.000Z',
    );
    const copyAgain = await assignStory(db, {
      articleId: copy.articleId,
      title: 'Copy',
      signature: textSignature(storyCopies['copy--aggregator-subheads-removed-new-ending'] as string),
      at: '2025-12-19T15:30:00.000Z',
    });
    expect(copyAgain).toEqual({ storyId: first.storyId, isNewStory: false, sources: 2 });
  });

  it('joins-the-earliest-matching-story', async () => {
    const body = seedText.split('\n').filter((p) => p.split(' ').length > 12);
    // Two halves of one article share no paragraph, so they found two stories; the full article
    // matches both and joins the one first seen, whatever the article ids.
    const secondHalf = await store(
      'wire-feed',
      'second',
      'Second half',
      body.slice(8).join('\n'),
      '2025-12-19T08:00:00.000Z',
    );
    const firstHalf = await store(
      'regional-feed',
      'first',
      'First half',
      body.slice(0, 8).join('\n'),
      '2025-12-19T09:00:00.000Z',
    );
    expect(firstHalf.storyId).not.toBe(secondHalf.storyId);
    const fullSignature = textSignature(seedText);
    expect(isSameStory(fullSignature, textSignature(body.slice(0, 8).join('\n')))).toBe(true);
    expect(isSameStory(fullSignature, textSignature(body.slice(8).join('\n')))).toBe(true);
    const full = await store('aggregator-feed', 'full', 'Full', seedText, '2025-12-19T10:00:00.000Z');
    expect(full).toMatchObject({ storyId: secondHalf.storyId, isNewStory: false, sources: 2 });
  });

  it.each([
    {
      name: 'alone-and-edited-keeps-its-story',
      withCopy: false,
      editedText: otherGazaStory.text,
      expectSameStory: true,
    },
    {
      name: 'edited-copy-still-matching-stays',
      withCopy: true,
      editedText: storyCopies['copy--wire-brief-first-three-paragraphs'] as string,
      expectSameStory: true,
    },
    {
      name: 'edited-into-another-story-moves-out',
      withCopy: true,
      editedText: otherGazaStory.text,
      expectSameStory: false,
    },
  ])('$name', async ({ withCopy, editedText, expectSameStory }) => {
    const original = await store('wire-feed', 'a', 'Original', seedText, '2025-12-19T14:00:00.000Z');
    if (withCopy) {
      await store(
        'regional-feed',
        'b',
        'Copy',
        storyCopies['copy--ap-style-trimmed'] as string,
        '2025-12-19T14:10:00.000Z',
      );
    }
    const edited = await assignStory(db, {
      articleId: original.articleId,
      title: 'Original, edited',
      signature: textSignature(editedText),
      at: '2025-12-19T16:00:00.000Z',
    });
    expect(edited.storyId === original.storyId).toBe(expectSameStory);
    expect(await bandCount(original.articleId)).toBe(64);
    const [row] = await db.query<{ signature: string; story_id: number }>(
      'select signature, story_id from articles where id = $1',
      [original.articleId],
    );
    expect(row).toEqual({ signature: textSignature(editedText), story_id: edited.storyId });
  });

  it('too-short-text-gets-its-own-story-without-bands', async () => {
    const text = 'Ceasefire holds in Gaza, mediators say.';
    const first = await store('wire-feed', 'a', 'Short', text, '2025-12-19T14:00:00.000Z');
    const second = await store('regional-feed', 'b', 'Short', text, '2025-12-19T14:05:00.000Z');
    expect(second.storyId).not.toBe(first.storyId);
    expect(await bandCount(first.articleId)).toBe(0);
  });

  it('unknown-article-is-a-permanent-error', async () => {
    const attempt = assignStory(db, {
      articleId: 987654,
      title: 'x',
      signature: textSignature(seedText),
      at: '2025-12-19T14:00:00.000Z',
    });
    await expect(attempt).rejects.toBeInstanceOf(PipelineError);
    await expect(attempt).rejects.toMatchObject({ permanent: true, stage: 'store' });
  });

  it('empty-story-lists-no-sources', async () => {
    expect(await listStorySources(db, 424242)).toEqual([]);
  });
});
