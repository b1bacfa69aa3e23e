import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { classifyItem, itemIdentity, type ItemIdentity } from '../../src/feeds/item-identity.ts';
import type { FeedItem } from '../../src/model.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertFeeds } from '../../src/store/feeds.ts';
import { findKnownItem, findKnownItems, recordItemSeen } from '../../src/store/items.ts';
import { backends, dropTestDb, feedConfig, openTestDb, truncateAll, uniqueSchema } from './test-db.ts';

const OTHER_FEED = 'aljazeera-news';

function feedItem(overrides: Partial<FeedItem> = {}): FeedItem {
  return {
    title: 'Three hostages released',
    link: 'https://www.bbc.co.uk/news/articles/c1?at_medium=RSS',
    id: 'https://www.bbc.co.uk/news/articles/c1#0',
    published: '2025-10-12T08:30:00.000Z',
    summary: 'Hamas released three hostages to the Red Cross in Gaza on Sunday.',
    content: '',
    ...overrides,
  };
}

interface Row {
  canonical_url: string;
  feed_id: string;
  guid: string | null;
  content_hash: string;
  first_seen_at: Date;
  last_seen_at: Date;
  updated_count: number;
}

describe.each(backends)('feed items on $name', (backend) => {
  const schema = uniqueSchema();
  let db: Db;

  beforeAll(async () => {
    db = await openTestDb(backend, schema);
  });
  beforeEach(async () => {
    await truncateAll(db);
    await upsertFeeds(db, [
      feedConfig,
      { id: OTHER_FEED, url: 'https://www.aljazeera.com/xml/rss/all.xml', intervalMinutes: 15, labels: [] },
    ]);
  });
  afterAll(() => dropTestDb(db, schema));

  async function rows(): Promise<Row[]> {
    return db.query<Row>('select * from feed_items order by first_seen_at, canonical_url');
  }

  /** One poll of one item, the way the feed step uses these functions. */
  async function poll(feedId: string, item: FeedItem, at: string) {
    const identity = itemIdentity(item);
    const known = await findKnownItem(db, {
      feedId,
      canonicalUrl: identity.canonicalUrl,
      guid: identity.guid,
    });
    const outcome = classifyItem(identity, known);
    await recordItemSeen(db, { feedId, identity, at, outcome });
    return outcome;
  }

  it('nothing-known-in-an-empty-store', async () => {
    const identity = itemIdentity(feedItem());
    expect(
      await findKnownItem(db, {
        feedId: feedConfig.id,
        canonicalUrl: identity.canonicalUrl,
        guid: identity.guid,
      }),
    ).toBeNull();
  });

  it('new-then-unchanged-then-updated-across-polls', async () => {
    expect(await poll(feedConfig.id, feedItem(), '2025-10-12T09:00:00.000Z')).toBe('new');
    // The next poll: the same item, re-rendered with other whitespace and tracking tags.
    const cosmetic = feedItem({
      link: 'https://www.bbc.co.uk/news/articles/c1?at_medium=RSS&at_campaign=KARANGA',
      summary: '  Hamas released three hostages to the Red Cross in Gaza on Sunday.\n',
    });
    expect(await poll(feedConfig.id, cosmetic, '2025-10-12T09:15:00.000Z')).toBe('unchanged');
    const edited = feedItem({ summary: 'Hamas released four hostages to the Red Cross in Gaza on Sunday.' });
    expect(await poll(feedConfig.id, edited, '2025-10-12T09:30:00.000Z')).toBe('updated');
    expect(await poll(feedConfig.id, edited, '2025-10-12T09:45:00.000Z')).toBe('unchanged');

    const [row, ...rest] = await rows();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      canonical_url: 'https://www.bbc.co.uk/news/articles/c1',
      feed_id: feedConfig.id,
      guid: 'https://www.bbc.co.uk/news/articles/c1#0',
      content_hash: itemIdentity(edited).contentHash,
      updated_count: 1,
    });
    expect(row?.first_seen_at.toISOString()).toBe('2025-10-12T09:00:00.000Z');
    expect(row?.last_seen_at.toISOString()).toBe('2025-10-12T09:45:00.000Z');
  });

  it('seen-in-one-feed-is-known-in-another', async () => {
    await poll(feedConfig.id, feedItem(), '2025-10-12T09:00:00.000Z');
    // Another feed links the same article, through a Google Alerts redirect, under its own guid.
    const viaAlert = feedItem({
      link: 'https://www.google.com/url?rct=j&sa=t&url=https://www.bbc.co.uk/news/articles/c1%3Futm_source%3Dga&ct=ga',
      id: 'tag:google.com,2013:googlealerts/feed:1234',
    });
    expect(await poll(OTHER_FEED, viaAlert, '2025-10-12T09:05:00.000Z')).toBe('elsewhere');
    // Each feed has its own row: the other feed's summary never overwrites the first feed's hash.
    const all = await rows();
    expect(all.map((r) => [r.feed_id, r.guid])).toEqual([
      [feedConfig.id, 'https://www.bbc.co.uk/news/articles/c1#0'],
      [OTHER_FEED, 'tag:google.com,2013:googlealerts/feed:1234'],
    ]);
    // From now on the other feed knows the item as its own: unchanged, and an edit there is an update.
    expect(await poll(OTHER_FEED, viaAlert, '2025-10-12T09:10:00.000Z')).toBe('unchanged');
  });

  it('two-feeds-with-different-summaries-do-not-make-each-other-look-edited', async () => {
    const wire = feedItem();
    const aggregator = feedItem({
      summary: 'Three hostages were handed over (via an aggregator).',
      id: null,
    });
    expect(await poll(feedConfig.id, wire, '2025-10-12T09:00:00.000Z')).toBe('new');
    expect(await poll(OTHER_FEED, aggregator, '2025-10-12T09:05:00.000Z')).toBe('elsewhere');
    for (const at of ['2025-10-12T09:15:00.000Z', '2025-10-12T09:30:00.000Z']) {
      expect(await poll(feedConfig.id, wire, at)).toBe('unchanged');
      expect(await poll(OTHER_FEED, aggregator, at)).toBe('unchanged');
    }
  });

  it('guid-match-found-only-in-the-same-feed', async () => {
    await poll(feedConfig.id, feedItem(), '2025-10-12T09:00:00.000Z');
    const moved = itemIdentity(feedItem({ link: 'https://www.bbc.co.uk/news/articles/c1-renamed' }));
    const lookup = { canonicalUrl: moved.canonicalUrl, guid: moved.guid };
    expect(await findKnownItem(db, { feedId: feedConfig.id, ...lookup })).toEqual({
      canonicalUrl: 'https://www.bbc.co.uk/news/articles/c1',
      guid: 'https://www.bbc.co.uk/news/articles/c1#0',
      contentHash: moved.contentHash,
      updatedCount: 0,
      scope: 'feed',
    });
    expect(await findKnownItem(db, { feedId: OTHER_FEED, ...lookup })).toBeNull();
    expect(await findKnownItem(db, { feedId: feedConfig.id, ...lookup, guid: null })).toBeNull();
  });

  it('url-moved-gets-its-own-row-and-keeps-history', async () => {
    await poll(feedConfig.id, feedItem(), '2025-10-12T09:00:00.000Z');
    await poll(feedConfig.id, feedItem({ title: 'Three hostages freed' }), '2025-10-12T09:15:00.000Z');
    const moved = feedItem({
      title: 'Four hostages freed',
      link: 'https://www.bbc.co.uk/news/articles/c1-renamed',
    });
    expect(await poll(feedConfig.id, moved, '2025-10-12T09:30:00.000Z')).toBe('moved');

    const [old, renamed, ...rest] = await rows();
    expect(rest).toEqual([]);
    expect(old).toMatchObject({ canonical_url: 'https://www.bbc.co.uk/news/articles/c1', updated_count: 1 });
    expect(renamed).toMatchObject({
      canonical_url: 'https://www.bbc.co.uk/news/articles/c1-renamed',
      guid: 'https://www.bbc.co.uk/news/articles/c1#0',
      updated_count: 2,
    });
    expect(renamed?.first_seen_at.toISOString()).toBe('2025-10-12T09:00:00.000Z');
    // The old URL, still linked elsewhere, is still known; the guid now answers with the newest row.
    const byOldUrl = await findKnownItem(db, {
      feedId: OTHER_FEED,
      canonicalUrl: 'https://www.bbc.co.uk/news/articles/c1',
      guid: null,
    });
    expect(byOldUrl).toMatchObject({
      canonicalUrl: 'https://www.bbc.co.uk/news/articles/c1',
      scope: 'elsewhere',
    });
    const byGuid = await findKnownItem(db, {
      feedId: feedConfig.id,
      canonicalUrl: 'https://www.bbc.co.uk/news/articles/c1-other',
      guid: 'https://www.bbc.co.uk/news/articles/c1#0',
    });
    expect(byGuid?.canonicalUrl).toBe('https://www.bbc.co.uk/news/articles/c1-renamed');
    // One poll's items in one lookup give the same answers as one at a time.
    const lookups = [
      { canonicalUrl: 'https://www.bbc.co.uk/news/articles/c1', guid: null },
      {
        canonicalUrl: 'https://www.bbc.co.uk/news/articles/c1-other',
        guid: 'https://www.bbc.co.uk/news/articles/c1#0',
      },
      { canonicalUrl: 'https://www.bbc.co.uk/news/articles/never-seen', guid: 'never-seen' },
    ];
    const batch = await findKnownItems(db, OTHER_FEED, lookups);
    for (const lookup of lookups) {
      expect(batch.get(lookup.canonicalUrl)).toEqual(
        await findKnownItem(db, { feedId: OTHER_FEED, ...lookup }),
      );
    }
    expect(batch.get('https://www.bbc.co.uk/news/articles/c1')).toMatchObject({ scope: 'elsewhere' });
    expect(
      (await findKnownItems(db, feedConfig.id, lookups)).get(lookups[1]?.canonicalUrl ?? ''),
    ).toMatchObject({
      canonicalUrl: 'https://www.bbc.co.uk/news/articles/c1-renamed',
      scope: 'feed',
    });
  });

  it('late-record-moves-first-seen-back-not-last-seen', async () => {
    const identity = itemIdentity(feedItem());
    await recordItemSeen(db, {
      feedId: feedConfig.id,
      identity,
      at: '2025-10-12T10:00:00.000Z',
      outcome: 'new',
    });
    await recordItemSeen(db, {
      feedId: feedConfig.id,
      identity,
      at: '2025-10-12T09:00:00.000Z',
      outcome: 'unchanged',
    });
    const [row] = await rows();
    expect(row?.first_seen_at.toISOString()).toBe('2025-10-12T09:00:00.000Z');
    expect(row?.last_seen_at.toISOString()).toBe('2025-10-12T10:00:00.000Z');
  });

  it.each([
    {
      name: 'no-canonical-url',
      feedId: feedConfig.id,
      identity: { canonicalUrl: '', guid: 'tag:x,2025:1', contentHash: 'c1:00' },
      message: /has no URL/,
    },
    {
      name: 'unknown-feed',
      feedId: 'no-such-feed',
      identity: { canonicalUrl: 'https://example.com/a', guid: null, contentHash: 'c1:00' },
      message: /foreign key|violates/i,
    },
  ])('$name-is-a-permanent-error', async ({ feedId, identity, message }) => {
    const attempt = recordItemSeen(db, {
      feedId,
      identity: identity as ItemIdentity,
      at: '2025-10-12T09:00:00.000Z',
      outcome: 'new',
    });
    await expect(attempt).rejects.toBeInstanceOf(PipelineError);
    await expect(attempt).rejects.toMatchObject({ permanent: true, stage: 'store', message });
  });
});
