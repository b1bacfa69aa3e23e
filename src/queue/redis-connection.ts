/**
 * Redis connections for BullMQ. Workers need `maxRetriesPerRequest: null` (blocking commands must
 * not give up); the start-up probe fails fast so that `npm start` can say in one line that Redis is
 * missing instead of retrying forever.
 */
import { Redis } from 'ioredis';
import { PipelineError } from '../errors.ts';

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** Resolves when Redis answers PING within `timeoutMs`, else throws a REDIS_UNREACHABLE error. */
export async function assertRedisReachable(url: string, timeoutMs = 3_000): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined); // reported below, once
  try {
    await probe.connect();
    await probe.ping();
  } catch (cause) {
    throw new PipelineError({
      code: 'REDIS_UNREACHABLE',
      stage: 'queue',
      culprit: redactUrl(url),
      detail: `Redis is unreachable (${(cause as Error).message}); start one with \`docker compose up -d redis\` or set REDIS_URL`,
      permanent: true,
      cause,
    });
  } finally {
    probe.disconnect();
  }
}
