/**
 * Alert delivery bookkeeping: one row per (rule, channel, delivery key), the key naming the story and
 * what it carried, so that a story fires a rule at most once per channel and content however often
 * the alert job is retried or re-enqueued.
 */
import { z } from 'zod';
import { PipelineError } from '../errors.ts';
import { toIso, type Db } from './db.ts';

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'held'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryKey {
  ruleId: string;
  articleId: number;
  channel: string;
}

/** One delivery as stored, with ISO 8601 strings for instants. */
export interface DeliveryRecord extends DeliveryKey {
  id: number;
  status: DeliveryStatus;
  /** Claims that were allowed to send (a claim on an already-sent delivery does not count). */
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

interface DeliveryRow {
  id: number;
  rule_id: string;
  article_id: number;
  channel: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

/** The answer to a claim: send only when `claimed`. */
export type DeliveryClaim =
  | { state: 'claimed'; deliveryId: number }
  /** Sent already, or held for a summary: nothing to send now. */
  | { state: 'sent' | 'held'; deliveryId: number }
  /** Another worker claimed it and may be sending it now; ask again after `retryAfterMs`. */
  | { state: 'in-flight'; deliveryId: number; retryAfterMs: number };

/**
 * Claims the right to send one alert, as a lease: the first claim creates the row as 'sending'; a
 * claim on a 'pending' or 'failed' row, or on a 'sending' row whose lease (`leaseMs` since its claim)
 * has ended, takes it over and counts an attempt. Any other claim is refused: the row was sent, is
 * held, or is being sent by another worker right now. One statement decides, so two workers running
 * the same delivery at the same moment cannot both send it. Send only when `claimed`, then call
 * `markDeliverySent` (or `markDeliveryFailed`, `markDeliveryHeld`).
 *
 * @example
 * const claim = await claimDelivery(db, { ruleId: 'hostage-release', articleId, channel: 'slack' }, { at, leaseMs: 120_000 });
 * if (claim.state === 'claimed') { await send(); await markDeliverySent(db, claim.deliveryId, at); }
 */
export async function claimDelivery(
  db: Db,
  key: DeliveryKey & {
    /** What makes two deliveries the same one; @defaultValue `article:<articleId>` */
    deliveryKey?: string;
    storyId?: number | null;
  },
  lease: { at: string; leaseMs: number },
): Promise<DeliveryClaim> {
  const deliveryKey = key.deliveryKey ?? `article:${key.articleId}`;
  const claimed = await db.query<{ id: number }>(
    `insert into alert_deliveries (rule_id, article_id, channel, delivery_key, story_id, status, claimed_at)
     values ($1, $2, $3, $4, $5, 'sending', $6::timestamptz)
     on conflict (rule_id, channel, delivery_key) do update set
       status = 'sending',
       claimed_at = excluded.claimed_at,
       article_id = excluded.article_id,
       attempts = alert_deliveries.attempts + 1
     where alert_deliveries.status in ('pending', 'failed')
        or (alert_deliveries.status = 'sending'
            and alert_deliveries.claimed_at <= excluded.claimed_at - make_interval(secs => $7::float8 / 1000))
     returning id`,
    [key.ruleId, key.articleId, key.channel, deliveryKey, key.storyId ?? null, lease.at, lease.leaseMs],
  );
  if (claimed[0]) return { state: 'claimed', deliveryId: claimed[0].id };
  const current = await db.query<{ id: number; status: DeliveryStatus; claimed_at: Date | null }>(
    'select id, status, claimed_at from alert_deliveries where rule_id = $1 and channel = $2 and delivery_key = $3',
    [key.ruleId, key.channel, deliveryKey],
  );
  const row = oneRow(current, `${key.ruleId}/${deliveryKey}/${key.channel}`);
  if (row.status === 'sent' || row.status === 'held') return { state: row.status, deliveryId: row.id };
  const leaseEnds = (row.claimed_at?.getTime() ?? 0) + lease.leaseMs;
  return {
    state: 'in-flight',
    deliveryId: row.id,
    retryAfterMs: Math.max(1_000, leaseEnds - Date.parse(lease.at)),
  };
}

/** Marks a claimed delivery as sent at `at` (ISO 8601), with the evidence the message quoted. */
export async function markDeliverySent(
  db: Db,
  deliveryId: number,
  at: string,
  evidence: string | null = null,
): Promise<void> {
  const rows = await db.query(
    `update alert_deliveries set status = 'sent', sent_at = $2, last_error = null,
       evidence = coalesce($3, evidence)
     where id = $1 returning id`,
    [deliveryId, at, evidence],
  );
  oneRow(rows, String(deliveryId));
}

/** Marks a claimed delivery as failed with the error line; the next claim may send again. */
export async function markDeliveryFailed(db: Db, deliveryId: number, error: string): Promise<void> {
  const rows = await db.query(
    `update alert_deliveries set status = 'failed', last_error = $2 where id = $1 returning id`,
    [deliveryId, error],
  );
  oneRow(rows, String(deliveryId));
}

/** Every delivery, oldest first. */
export async function listDeliveries(db: Db): Promise<DeliveryRecord[]> {
  const rows = await db.query<DeliveryRow>('select * from alert_deliveries order by id');
  return rows.map(toDeliveryRecord);
}

function toDeliveryRecord(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    ruleId: row.rule_id,
    articleId: row.article_id,
    channel: row.channel,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    sentAt: toIso(row.sent_at),
  };
}

function oneRow<T>(rows: T[], what: string): T {
  if (!rows[0]) {
    throw new PipelineError({
      code: 'STORE_FAILED',
      stage: 'store',
      culprit: `alert_deliveries ${what}`,
      detail: 'no such delivery',
      permanent: true,
    });
  }
  return rows[0];
}

/** One sent alert as a per-rule Atom feed shows it (the shape of src/alerts/atom-feed.ts entries). */
export interface SentAlert {
  url: string;
  canonicalUrl: string;
  title: string;
  feedId: string;
  published: string | null;
  sentAt: string;
  evidence: string | null;
}

/**
 * The alerts a rule sent, newest first, one per article whatever the number of channels: what its
 * Atom feed lists.
 *
 * @example
 * const entries = await listSentAlerts(db, 'phase-two', 50);
 */
export async function listSentAlerts(db: Db, ruleId: string, limit: number): Promise<SentAlert[]> {
  const rows = await db.query<{
    url: string;
    canonical_url: string;
    title: string;
    feed_id: string;
    published: Date | null;
    sent_at: Date;
    evidence: string | null;
  }>(
    // The evidence the message quoted; deliveries older than that column fall back to the first tag's.
    `select a.url, a.canonical_url, a.title, a.feed_id, a.published, max(d.sent_at) as sent_at,
            coalesce(
              max(d.evidence),
              (select t.evidence from article_tags t where t.article_id = a.id order by t.ordinal limit 1)
            ) as evidence
       from alert_deliveries d join articles a on a.id = d.article_id
      where d.rule_id = $1 and d.status = 'sent'
      group by a.id
      order by max(d.sent_at) desc
      limit $2`,
    [ruleId, limit],
  );
  return rows.map((r) => ({
    url: r.url,
    canonicalUrl: r.canonical_url,
    title: r.title,
    feedId: r.feed_id,
    published: toIso(r.published),
    sentAt: toIso(r.sent_at) ?? '',
    evidence: r.evidence,
  }));
}

/** Marks a claimed delivery as held back (hourly limit, quiet hours): a later summary sends it. */
export async function markDeliveryHeld(db: Db, deliveryId: number, at: string): Promise<void> {
  const rows = await db.query(
    `update alert_deliveries set status = 'held', held_at = $2 where id = $1 returning id`,
    [deliveryId, at],
  );
  oneRow(rows, String(deliveryId));
}

/** Messages a rule sent on a channel since `sinceIso` (a summary of held alerts counts as one). */
export async function countMessagesSince(
  db: Db,
  ruleId: string,
  channel: string,
  sinceIso: string,
): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    // Single alerts count one each; the alerts of one summary share its sent_at and count once.
    `select count(*) filter (where held_at is null) + count(distinct sent_at) filter (where held_at is not null) as n
       from alert_deliveries
      where rule_id = $1 and channel = $2 and status = 'sent' and sent_at >= $3`,
    [ruleId, channel, sinceIso],
  );
  return Number(row?.n ?? 0);
}

export interface HeldAlert {
  deliveryId: number;
  ruleId: string;
  channel: string;
  title: string;
  url: string;
  feedId: string;
}

/** Every held delivery, oldest first. */
export async function listHeldAlerts(db: Db): Promise<HeldAlert[]> {
  const rows = await db.query<{
    id: number;
    rule_id: string;
    channel: string;
    title: string;
    url: string;
    feed_id: string;
  }>(
    `select d.id, d.rule_id, d.channel, a.title, a.url, a.feed_id
       from alert_deliveries d join articles a on a.id = d.article_id
      where d.status = 'held' order by d.held_at, d.id`,
  );
  return rows.map((r) => ({
    deliveryId: r.id,
    ruleId: r.rule_id,
    channel: r.channel,
    title: r.title,
    url: r.url,
    feedId: r.feed_id,
  }));
}

/** An empty form field (`<option value="">any</option>`) is no filter. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v || undefined);

/** The delivery log's filters, as a query string carries them: the HTML form and the JSON API share this. */
export const DeliveryFiltersSchema = z.object({
  rule: optionalText(100),
  channel: optionalText(100),
  status: z
    .enum([...DELIVERY_STATUSES, ''])
    .optional()
    .transform((v) => v || undefined),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type DeliveryFilters = z.infer<typeof DeliveryFiltersSchema>;

/** One delivery as the dashboard's log shows it: the record plus its article and the lease and hold times. */
export interface DeliveryLogEntry extends DeliveryRecord {
  articleTitle: string;
  feedId: string;
  storyId: number | null;
  /** When the last claim to send was made (ISO 8601), or null. */
  claimedAt: string | null;
  /** When it was held back for a summary, or null. */
  heldAt: string | null;
}

/**
 * The deliveries matching the filters, newest first (by creation, then id, so pages do not shift when
 * a delivery is retried), with the count of all that match.
 *
 * @example
 * const { total, deliveries } = await searchDeliveries(db, DeliveryFiltersSchema.parse({ status: 'failed' }));
 */
export async function searchDeliveries(
  db: Db,
  filters: DeliveryFilters,
): Promise<{ total: number; deliveries: DeliveryLogEntry[] }> {
  const where = `($1::text is null or d.rule_id = $1) and ($2::text is null or d.channel = $2)
                 and ($3::text is null or d.status = $3)`;
  const params = [filters.rule ?? null, filters.channel ?? null, filters.status ?? null];
  const [count, rows] = await Promise.all([
    db.query<{ n: number }>(`select count(*)::int as n from alert_deliveries d where ${where}`, params),
    db.query<
      DeliveryRow & {
        story_id: number | null;
        claimed_at: Date | null;
        held_at: Date | null;
        title: string;
        feed_id: string;
      }
    >(
      `select d.id, d.rule_id, d.article_id, d.channel, d.status, d.attempts, d.last_error, d.created_at,
              d.sent_at, d.story_id, d.claimed_at, d.held_at, a.title, a.feed_id
         from alert_deliveries d join articles a on a.id = d.article_id
        where ${where}
        order by d.created_at desc, d.id desc
        limit $4 offset $5`,
      [...params, filters.limit, filters.offset],
    ),
  ]);
  return {
    total: Number(count[0]?.n ?? 0),
    deliveries: rows.map((row) => ({
      ...toDeliveryRecord(row),
      articleTitle: row.title,
      feedId: row.feed_id,
      storyId: row.story_id,
      claimedAt: toIso(row.claimed_at),
      heldAt: toIso(row.held_at),
    })),
  };
}

/** How many deliveries of one rule on one channel are in each status. */
export interface DeliveryCounts {
  ruleId: string;
  channel: string;
  counts: Record<DeliveryStatus, number>;
  total: number;
}

/**
 * Every (rule, channel) pair with deliveries, by rule then channel, with its count in each status.
 *
 * @example
 * await countDeliveriesByStatus(db); // [{ ruleId: 'phase-two', channel: 'slack', counts: { sent: 4, failed: 1, … }, total: 5 }]
 */
export async function countDeliveriesByStatus(db: Db): Promise<DeliveryCounts[]> {
  const rows = await db.query<{ rule_id: string; channel: string; status: DeliveryStatus; n: number }>(
    `select rule_id, channel, status, count(*)::int as n from alert_deliveries
      group by rule_id, channel, status order by rule_id, channel`,
  );
  const pairs = new Map<string, DeliveryCounts>();
  for (const row of rows) {
    const key = `${row.rule_id}\n${row.channel}`;
    let pair = pairs.get(key);
    if (!pair) {
      const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<
        DeliveryStatus,
        number
      >;
      pair = { ruleId: row.rule_id, channel: row.channel, counts, total: 0 };
      pairs.set(key, pair);
    }
    pair.counts[row.status] += Number(row.n);
    pair.total += Number(row.n);
  }
  return [...pairs.values()];
}

/** What a rule sent: distinct articles since a time (its Atom feed counts the same way), and when last. */
export interface RuleSentSummary {
  ruleId: string;
  sentSince: number;
  lastSentAt: string | null;
}

/**
 * Per rule with any sent delivery: the articles it alerted about since `sinceIso` (once each, however
 * many channels carried it) and its latest send.
 *
 * @example
 * await summarizeSentByRule(db, '2025-12-12T00:00:00Z'); // [{ ruleId: 'phase-two', sentSince: 3, lastSentAt: '2025-12-18T…' }]
 */
export async function summarizeSentByRule(db: Db, sinceIso: string): Promise<RuleSentSummary[]> {
  const rows = await db.query<{ rule_id: string; n: number; last_sent_at: Date | null }>(
    `select rule_id, (count(distinct article_id) filter (where sent_at >= $1::timestamptz))::int as n,
            max(sent_at) as last_sent_at
       from alert_deliveries where status = 'sent' group by rule_id order by rule_id`,
    [sinceIso],
  );
  return rows.map((r) => ({ ruleId: r.rule_id, sentSince: Number(r.n), lastSentAt: toIso(r.last_sent_at) }));
}
