import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { upsertArticle } from '../../src/store/articles.ts';
import type { Db } from '../../src/store/db.ts';
import {
  claimDelivery,
  listDeliveries,
  markDeliveryFailed,
  markDeliverySent,
} from '../../src/store/deliveries.ts';
import {
  backends,
  dropTestDb,
  openTestDb,
  seedFeed,
  taggedArticle,
  truncateAll,
  uniqueSchema,
} from './test-db.ts';

describe.each(backends)('deliveries on $name', (backend) => {
  const schema = uniqueSchema();
  let db: Db;
  let articleId: number;

  beforeAll(async () => {
    db = await openTestDb(backend, schema);
  });
  beforeEach(async () => {
    await truncateAll(db);
    await seedFeed(db);
    ({ articleId } = await upsertArticle(db, taggedArticle()));
  });
  afterAll(() => dropTestDb(db, schema));

  it('second-claim-after-sent-sees-already-sent', async () => {
    const key = { ruleId: 'hostage-release', articleId, channel: 'slack' };
    const first = await claimDelivery(db, key);
    expect(first.alreadySent).toBe(false);
    await markDeliverySent(db, first.deliveryId, '2025-10-12T09:01:00.000Z');

    const retry = await claimDelivery(db, key);
    expect(retry).toEqual({ deliveryId: first.deliveryId, alreadySent: true });
    expect(await listDeliveries(db)).toMatchObject([
      {
        id: first.deliveryId,
        ...key,
        status: 'sent',
        attempts: 1,
        lastError: null,
        sentAt: '2025-10-12T09:01:00.000Z',
      },
    ]);
  });

  it('claim-after-failure-may-send-again', async () => {
    const key = { ruleId: 'hostage-release', articleId, channel: 'email' };
    const first = await claimDelivery(db, key);
    await markDeliveryFailed(db, first.deliveryId, 'alerts: smtp: connection refused');
    expect(await listDeliveries(db)).toMatchObject([
      { status: 'failed', attempts: 1, lastError: 'alerts: smtp: connection refused' },
    ]);

    const second = await claimDelivery(db, key);
    expect(second).toEqual({ deliveryId: first.deliveryId, alreadySent: false });
    await markDeliverySent(db, second.deliveryId, '2025-10-12T09:05:00.000Z');
    expect(await listDeliveries(db)).toMatchObject([{ status: 'sent', attempts: 2, lastError: null }]);
  });

  it('pending-claim-retried-counts-attempts', async () => {
    const key = { ruleId: 'hostage-release', articleId, channel: 'slack' };
    await claimDelivery(db, key);
    await claimDelivery(db, key);
    const third = await claimDelivery(db, key);
    expect(third.alreadySent).toBe(false);
    expect(await listDeliveries(db)).toMatchObject([{ status: 'pending', attempts: 3, sentAt: null }]);
  });

  it.each([
    { name: 'other-channel', change: { channel: 'email' } },
    { name: 'other-rule', change: { ruleId: 'ceasefire-breach' } },
  ])('keeps-a-separate-delivery-per-$name', async ({ change }) => {
    const key = { ruleId: 'hostage-release', articleId, channel: 'slack' };
    const first = await claimDelivery(db, key);
    await markDeliverySent(db, first.deliveryId, '2025-10-12T09:01:00.000Z');
    const other = await claimDelivery(db, { ...key, ...change });
    expect(other.alreadySent).toBe(false);
    expect(other.deliveryId).not.toBe(first.deliveryId);
    expect(await listDeliveries(db)).toHaveLength(2);
  });

  it('concurrent-claims-share-one-row', async () => {
    const key = { ruleId: 'hostage-release', articleId, channel: 'slack' };
    const claims = await Promise.all([1, 2, 3, 4].map(() => claimDelivery(db, key)));
    expect(new Set(claims.map((c) => c.deliveryId)).size).toBe(1);
    expect(await listDeliveries(db)).toMatchObject([{ attempts: 4 }]);
  });

  it.each([
    { name: 'sent', mark: (d: Db) => markDeliverySent(d, 999_999, '2025-10-12T09:01:00.000Z') },
    { name: 'failed', mark: (d: Db) => markDeliveryFailed(d, 999_999, 'x') },
  ])('refuses-to-mark-an-unknown-delivery-$name', async ({ mark }) => {
    await expect(mark(db)).rejects.toThrow(PipelineError);
  });

  it('refuses-a-claim-for-an-unknown-article', async () => {
    await expect(
      claimDelivery(db, { ruleId: 'r', articleId: articleId + 1000, channel: 'slack' }),
    ).rejects.toThrow(/alert_deliveries_article_id_fkey/);
  });
});
