/**
 * Queue names, job payload schemas and default job options: the contract between workers.
 * See DESIGN.md: feed-fetch → article → store → alert, and digest on its own schedule.
 */
import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import { z } from 'zod';
import { AlertJobSchema, ArticleRefSchema, TaggedArticleSchema } from '../model.ts';

export const QueueNames = {
  feedFetch: 'feed-fetch',
  article: 'article',
  store: 'store',
  alert: 'alert',
  digest: 'digest',
} as const;
export type QueueName = (typeof QueueNames)[keyof typeof QueueNames];

export const FeedFetchJobSchema = z.object({ feedId: z.string() });
export type FeedFetchJob = z.infer<typeof FeedFetchJobSchema>;
export const ArticleJobSchema = ArticleRefSchema;
export const StoreJobSchema = TaggedArticleSchema;
export { AlertJobSchema };
/** `day` absent: the scheduler's run builds the previous local day. */
export const DigestJobSchema = z.object({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  /** A daily digest, or the week ending with `day`. */
  period: z.enum(['daily', 'weekly']).default('daily'),
});
export type DigestJob = z.infer<typeof DigestJobSchema>;

/**
 * Completed jobs are kept a week: a custom jobId deduplicates only while the job exists (FACTS.md),
 * and the store's "already seen" check covers anything older. Failed jobs are kept a week and at most
 * a thousand per queue: the ledger in the database holds what failed and why (`cli jobs`), and a
 * hostile feed once left 200 MB of failed jobs in Redis for a month.
 */
export const defaultJobOptions: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1_000 },
};

/**
 * Completed article and store jobs are kept an hour (at most 1,000 a queue): a store job carries a whole
 * tagged article and an article job the feed's own text of the item, and kept a week they made most of
 * the 12 KB an article held in Redis (issue 12's bench). Their keys only need to catch a repeat handed on
 * while the item is in flight. A later repeat runs again and changes nothing, because every step is
 * idempotent against the ledger: the feed hands on only items it has not stored, the article is upserted
 * by URL, and its alerts are planned under the same keys and sent at most once. Alert jobs are small
 * and stay a week, the delivery record one can look through.
 */
export const contentJobOptions: DefaultJobOptions = {
  ...defaultJobOptions,
  removeOnComplete: { age: 3600, count: 1_000 },
};

const carriesContent = new Set<QueueName>([QueueNames.article, QueueNames.store]);

export type Queues = Record<keyof typeof QueueNames, Queue>;

export function openQueues(connection: ConnectionOptions, prefix: string): Queues {
  const open = (name: QueueName) =>
    new Queue(name, {
      connection,
      prefix,
      defaultJobOptions: carriesContent.has(name) ? contentJobOptions : defaultJobOptions,
    });
  return {
    feedFetch: open(QueueNames.feedFetch),
    article: open(QueueNames.article),
    store: open(QueueNames.store),
    alert: open(QueueNames.alert),
    digest: open(QueueNames.digest),
  };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
