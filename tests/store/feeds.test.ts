import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import type { Db } from '../../src/store/db.ts';
import {
  getFeed,
  listFeeds,
  markFailureAlerted,
  recordFeedFailure,
  recordFeedSuccess,
  setFeedPaused,
  upsertFeeds,
} from '../../src/store/feeds.ts';
import { backends, dropTestDb, feedConfig, openTestDb, truncateAll, uniqueSchema } from './test-db.ts';

describe.each(backends)('feeds on $name', (backend) => {
  const schema = uniqueSchema();
  let db: Db;

  beforeAll(async () => {
    db = await openTestDb(backend, schema);
  });
  beforeEach(() => truncateAll(db));
  afterAll(() => dropTestDb(db, schema));

  it('stores-a-new-feed-with-status-new', async () => {
    await upsertFeeds(db, [
      feedConfig,
      { id: 'aljazeera', url: 'https://www.aljazeera.com/xml/rss/all.xml', intervalMinutes: 30, labels: [] },
    ]);
    expect(await listFeeds(db)).toEqual([
      {
        id: 'aljazeera',
        url: 'https://www.aljazeera.com/xml/rss/all.xml',
        title: null,
        intervalMinutes: 30,
        labels: [],
        etag: null,
        lastModified: null,
        lastFetchedAt: null,
        lastSuccessAt: null,
        lastError: null,
        consecutiveFailures: 0,
        status: 'new',
        failureScore: 0,
        nextPollAt: null,
        lastStatus: null,
        lastBodyHash: null,
        failureAlertedAt: null,
        pausedAt: null,
      },
      {
        id: 'bbc-world',
        url: feedConfig.url,
        title: 'BBC World',
        intervalMinutes: 15,
        labels: ['uk', 'broadcaster'],
        etag: null,
        lastModified: null,
        lastFetchedAt: null,
        lastSuccessAt: null,
        lastError: null,
        consecutiveFailures: 0,
        status: 'new',
        failureScore: 0,
        nextPollAt: null,
        lastStatus: null,
        lastBodyHash: null,
        failureAlertedAt: null,
        pausedAt: null,
      },
    ]);
  });

  it('counts-consecutive-failures-and-resets-on-success', async () => {
    await upsertFeeds(db, [feedConfig]);
    const first = await recordFeedFailure(db, feedConfig.id, {
      error: 'http: 503',
      at: '2025-10-12T10:00:00.000Z',
    });
    const second = await recordFeedFailure(db, feedConfig.id, {
      error: 'http: timed out',
      at: '2025-10-12T10:15:00.000Z',
    });
    expect([first.consecutiveFailures, second.consecutiveFailures]).toEqual([1, 2]);
    expect(await getFeed(db, feedConfig.id)).toMatchObject({
      status: 'failing',
      consecutiveFailures: 2,
      lastError: 'http: timed out',
      lastFetchedAt: '2025-10-12T10:15:00.000Z',
      lastSuccessAt: null,
    });

    await recordFeedSuccess(db, feedConfig.id, {
      etag: '"v1"',
      lastModified: 'Sun, 12 Oct 2025 10:00:00 GMT',
      at: '2025-10-12T10:30:00.000Z',
    });
    expect(await getFeed(db, feedConfig.id)).toMatchObject({
      status: 'ok',
      consecutiveFailures: 0,
      lastError: null,
      etag: '"v1"',
      lastModified: 'Sun, 12 Oct 2025 10:00:00 GMT',
      lastFetchedAt: '2025-10-12T10:30:00.000Z',
      lastSuccessAt: '2025-10-12T10:30:00.000Z',
    });
  });

  it('keeps-validators-when-a-304-repeats-none', async () => {
    await upsertFeeds(db, [feedConfig]);
    await recordFeedSuccess(db, feedConfig.id, {
      etag: '"v1"',
      lastModified: 'Sun, 12 Oct 2025 10:00:00 GMT',
      at: '2025-10-12T10:00:00.000Z',
    });
    await recordFeedSuccess(db, feedConfig.id, {
      etag: null,
      lastModified: null,
      at: '2025-10-12T10:15:00.000Z',
    });
    expect(await getFeed(db, feedConfig.id)).toMatchObject({
      etag: '"v1"',
      lastModified: 'Sun, 12 Oct 2025 10:00:00 GMT',
    });
  });

  it.each([
    {
      name: 'same-url-keeps-health-and-validators',
      change: { title: 'BBC News – World', intervalMinutes: 5, labels: ['uk'] },
      expected: {
        title: 'BBC News – World',
        intervalMinutes: 5,
        labels: ['uk'],
        etag: '"v1"',
        consecutiveFailures: 1,
        status: 'failing',
      },
    },
    {
      name: 'new-url-drops-validators-keeps-health',
      change: { url: 'https://feeds.bbci.co.uk/news/world/middle_east/rss.xml' },
      expected: {
        url: 'https://feeds.bbci.co.uk/news/world/middle_east/rss.xml',
        etag: null,
        lastModified: null,
        consecutiveFailures: 1,
      },
    },
    {
      name: 'removed-title-becomes-null',
      change: { title: undefined },
      expected: { title: null },
    },
  ])('config-wins-on-upsert-$name', async ({ change, expected }) => {
    await upsertFeeds(db, [feedConfig]);
    await recordFeedSuccess(db, feedConfig.id, {
      etag: '"v1"',
      lastModified: 'Sun, 12 Oct 2025 10:00:00 GMT',
      at: '2025-10-12T10:00:00.000Z',
    });
    await recordFeedFailure(db, feedConfig.id, { error: 'http: 500', at: '2025-10-12T10:15:00.000Z' });
    await upsertFeeds(db, [{ ...feedConfig, ...change }]);
    expect(await getFeed(db, feedConfig.id)).toMatchObject(expected);
    expect(await listFeeds(db)).toHaveLength(1);
  });

  it('stores-health-from-nextHealth-and-clears-it-on-success', async () => {
    await upsertFeeds(db, [feedConfig]);
    await recordFeedSuccess(db, feedConfig.id, {
      etag: '"v1"',
      lastModified: null,
      at: '2025-10-12T09:45:00.000Z',
      status: 200,
      bodyHash: 'sha256:aaa',
      nextPollAt: '2025-10-12T10:00:00.000Z',
    });
    const failed = await recordFeedFailure(db, feedConfig.id, {
      error: 'http: https://feeds.bbci.co.uk/news/world/rss.xml: HTTP 503',
      at: '2025-10-12T10:00:00.000Z',
      status: 503,
      score: 1.5,
      nextPollAt: '2025-10-12T10:42:25.000Z',
    });
    expect(failed).toMatchObject({
      failureScore: 1.5,
      nextPollAt: '2025-10-12T10:42:25.000Z',
      lastStatus: 503,
      lastBodyHash: 'sha256:aaa',
      consecutiveFailures: 1,
      status: 'failing',
    });
    // A network failure has no status, and an old-style call keeps the score and next poll.
    expect(
      await recordFeedFailure(db, feedConfig.id, {
        error: 'http: timed out',
        at: '2025-10-12T10:43:00.000Z',
      }),
    ).toMatchObject({ failureScore: 1.5, nextPollAt: '2025-10-12T10:42:25.000Z', lastStatus: null });

    // A 304: no body hash, no new validators; everything they had is kept, the backoff is cleared.
    const ok = await recordFeedSuccess(db, feedConfig.id, {
      etag: null,
      lastModified: null,
      at: '2025-10-12T11:00:00.000Z',
      status: 304,
    });
    expect(ok).toMatchObject({
      status: 'ok',
      failureScore: 0,
      consecutiveFailures: 0,
      nextPollAt: null,
      lastStatus: 304,
      lastBodyHash: 'sha256:aaa',
      etag: '"v1"',
    });
  });

  it('marks-a-failure-alert-and-keeps-it-across-polls', async () => {
    await upsertFeeds(db, [feedConfig]);
    await recordFeedFailure(db, feedConfig.id, {
      error: 'http: 404',
      at: '2025-10-12T10:00:00.000Z',
      score: 6,
    });
    expect(await markFailureAlerted(db, feedConfig.id, '2025-10-12T10:00:01.000Z')).toMatchObject({
      failureAlertedAt: '2025-10-12T10:00:01.000Z',
      failureScore: 6,
    });
    await recordFeedFailure(db, feedConfig.id, {
      error: 'http: 404',
      at: '2025-10-12T12:00:00.000Z',
      score: 9,
    });
    expect(await getFeed(db, feedConfig.id)).toMatchObject({ failureAlertedAt: '2025-10-12T10:00:01.000Z' });
  });

  it('drops-the-body-hash-when-the-url-changes', async () => {
    await upsertFeeds(db, [feedConfig]);
    await recordFeedSuccess(db, feedConfig.id, {
      etag: null,
      lastModified: null,
      at: '2025-10-12T10:00:00.000Z',
      bodyHash: 'h1',
    });
    await upsertFeeds(db, [feedConfig]);
    expect(await getFeed(db, feedConfig.id)).toMatchObject({ lastBodyHash: 'h1' });
    await upsertFeeds(db, [{ ...feedConfig, url: 'https://feeds.bbci.co.uk/news/rss.xml' }]);
    expect(await getFeed(db, feedConfig.id)).toMatchObject({ lastBodyHash: null });
  });

  it('returns-null-for-an-unknown-feed', async () => {
    expect(await getFeed(db, 'no-such-feed')).toBeNull();
    expect(await setFeedPaused(db, 'no-such-feed', '2025-10-12T10:00:00.000Z')).toBeNull();
  });

  it('pauses-keeping-health-and-resumes-without-backoff', async () => {
    await upsertFeeds(db, [feedConfig]);
    await recordFeedFailure(db, feedConfig.id, {
      error: 'http: 503',
      at: '2025-10-12T09:00:00.000Z',
      score: 2,
      nextPollAt: '2025-10-12T11:00:00.000Z',
    });
    const paused = await setFeedPaused(db, feedConfig.id, '2025-10-12T10:00:00.000Z');
    expect(paused).toMatchObject({
      pausedAt: '2025-10-12T10:00:00.000Z',
      status: 'failing',
      failureScore: 2,
    });
    // A second pause keeps the first one's time; a config sync keeps the pause.
    await setFeedPaused(db, feedConfig.id, '2025-10-12T10:30:00.000Z');
    await upsertFeeds(db, [{ ...feedConfig, intervalMinutes: 60 }]);
    expect((await getFeed(db, feedConfig.id))?.pausedAt).toBe('2025-10-12T10:00:00.000Z');
    const resumed = await setFeedPaused(db, feedConfig.id, null);
    expect(resumed).toMatchObject({ pausedAt: null, nextPollAt: null, lastError: 'http: 503' });
  });

  it.each([
    {
      name: 'success',
      record: (d: Db) =>
        recordFeedSuccess(d, 'no-such-feed', {
          etag: null,
          lastModified: null,
          at: '2025-10-12T10:00:00.000Z',
        }),
    },
    {
      name: 'failure',
      record: (d: Db) => recordFeedFailure(d, 'no-such-feed', { error: 'x', at: '2025-10-12T10:00:00.000Z' }),
    },
    {
      name: 'failure-alert',
      record: (d: Db) => markFailureAlerted(d, 'no-such-feed', '2025-10-12T10:00:00.000Z'),
    },
  ])('refuses-to-record-$name-for-an-unknown-feed', async ({ record }) => {
    const error = await record(db).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).culprit).toBe('feeds no-such-feed');
    expect((error as PipelineError).permanent).toBe(true);
  });
});
