import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { upsertArticle } from '../../src/store/articles.ts';
import type { Db } from '../../src/store/db.ts';
import {
  claimDelivery,
  listDeliveries,
  markDeliveryFailed,
  markDeliveryHeld,
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

  const LEASE = { at: '2025-10-12T09:00:00.000Z', leaseMs: 60_000 };
  const later = (ms: number) => ({ ...LEASE, at: new Date(Date.parse(LEASE.at) + ms).toISOString() });

  it('second-claim-after-sent-sees-sent', async () => {
    const key = { ruleId: 'hostage-release', articleId, channel: 'slack' };
    const first = await claimDelivery(db, key, LEASE);
    expect(first.state).toBe('claimed');
    await markDeliverySent(db, first.deliveryId, '2025-10-12T09:01:00.000Z', 'Hamas freed three hostages.');

    const retry = await claimDelivery(db, key, later(120_000));
    expect(retry).toEqual({ deliveryId: first.deliveryId, state: 'sent' });
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
    const first = await claimDelivery(db, key, LEASE);
    await markDeliveryFailed(db, first.deliveryId, 'alerts: smtp: connection refused');
    expect(await listDeliveries(db)).toMatchObject([
      { status: 'failed', attempts: 1, lastError: 'alerts: smtp: connection refused' },
    ]);

    const second = await claimDelivery(db, key, later(5_000));
    expect(second).toEqual({ deliveryId: first.deliveryId, state: 'claimed' });
    await markDeliverySent(db, second.deliveryId, '2025-10-12T09:05:00.000Z');
    expect(await listDeliveries(db)).toMatchObject([{ status: 'sent', attempts: 2, lastError: null }]);
  });

  it('a-claim-in-flight-is-refused-until-its-lease-ends', async () => {
    const key = { ruleId: 'hostage-release', articleId, channel: 'slack' };
    const first = await claimDelivery(db, key, LEASE);
    // Another worker, 10 s later: the first may be sending right now.
    expect(await claimDelivery(db, key, later(10_000))).toEqual({
      deliveryId: first.deliveryId,
      state: 'in-flight',
      retryAfterMs: 50_000,
    });
    // The first worker died without a word: once its lease ends, the delivery is taken over.
    expect(await claimDelivery(db, key, later(60_000))).toEqual({
      deliveryId: first.deliveryId,
      state: 'claimed',
    });
    expect(await listDeliveries(db)).toMatchObject([{ status: 'sending', attempts: 2, sentAt: null }]);
  });

  it('a-held-delivery-is-not-claimed-again', async () => {
    const key = { ruleId: 'hostage-release', articleId, channel: 'slack' };
    const first = await claimDelivery(db, key, LEASE);
    await markDeliveryHeld(db, first.deliveryId, LEASE.at);
    expect(await claimDelivery(db, key, later(120_000))).toEqual({
      deliveryId: first.deliveryId,
      state: 'held',
    });
  });

  it.each([
    { name: 'other-channel', change: { channel: 'email' } },
    { name: 'other-rule', change: { ruleId: 'ceasefire-breach' } },
    { name: 'other-delivery-key', change: { deliveryKey: 'story:1|actor:qatar' } },
  ])('keeps-a-separate-delivery-per-$name', async ({ change }) => {
    const key = { ruleId: 'hostage-release', articleId, channel: 'slack' };
    const first = await claimDelivery(db, key, LEASE);
    await markDeliverySent(db, first.deliveryId, '2025-10-12T09:01:00.000Z');
    const other = await claimDelivery(db, { ...key, ...change }, LEASE);
    expect(other.state).toBe('claimed');
    expect(other.deliveryId).not.toBe(first.deliveryId);
    expect(await listDeliveries(db)).toHaveLength(2);
  });

  it('concurrent-claims-let-exactly-one-send', async () => {
    const key = { ruleId: 'hostage-release', articleId, channel: 'slack' };
    const claims = await Promise.all([1, 2, 3, 4].map(() => claimDelivery(db, key, LEASE)));
    expect(new Set(claims.map((c) => c.deliveryId)).size).toBe(1);
    expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.state === 'in-flight')).toHaveLength(3);
    expect(await listDeliveries(db)).toMatchObject([{ attempts: 1, status: 'sending' }]);
  });

  it.each([
    { name: 'sent', mark: (d: Db) => markDeliverySent(d, 999_999, '2025-10-12T09:01:00.000Z') },
    { name: 'failed', mark: (d: Db) => markDeliveryFailed(d, 999_999, 'x') },
  ])('refuses-to-mark-an-unknown-delivery-$name', async ({ mark }) => {
    await expect(mark(db)).rejects.toThrow(PipelineError);
  });

  it('refuses-a-claim-for-an-unknown-article', async () => {
    await expect(
      claimDelivery(db, { ruleId: 'r', articleId: articleId + 1000, channel: 'slack' }, LEASE),
    ).rejects.toThrow(/alert_deliveries_article_id_fkey/);
  });
});
