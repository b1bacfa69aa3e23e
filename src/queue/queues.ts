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

export type Queues = Record<keyof typeof QueueNames, Queue>;

export function openQueues(connection: ConnectionOptions, prefix: string): Queues {
  const open = (name: QueueName) => new Queue(name, { connection, prefix, defaultJobOptions });
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
