/**
 * Structured JSON logs (pino) on stderr, so that stdout stays free for the CLI's JSON-line contracts.
 * Key names are a fixed vocabulary used everywhere:
 * feed_id, feed_url, article_url, job_id, queue, rule_id, channel, err.
 */
import { pino } from 'pino';

export const log = pino(
  {
    name: 'ceasefire-watch',
    level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    base: undefined,
  },
  pino.destination(2),
);

export type Logger = typeof log;
