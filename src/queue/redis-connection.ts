/**
 * Redis connections for BullMQ. Workers need `maxRetriesPerRequest: null` (blocking commands must
 * not give up); the start-up probe fails fast so that `npm start` can say in one line that Redis is
 * missing instead of retrying forever. A URL that is not a Redis URL is reported as such before any
 * connection: ioredis would take `notaurl` for a host name, and Redis would be called unreachable.
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

/** Throws a CONFIG_INVALID error (password hidden) unless `url` is a `redis://` or `rediss://` URL. */
export function assertRedisUrl(url: string): void {
  let protocol: string | null = null;
  try {
    protocol = new URL(url).protocol;
  } catch {
    // Reported below; URL's TypeError carries the whole input, password included.
  }
  if (protocol === 'redis:' || protocol === 'rediss:') return;
  throw new PipelineError({
    code: 'CONFIG_INVALID',
    stage: 'queue',
    culprit: redactUrl(url),
    detail: 'not a Redis URL; set REDIS_URL to redis://[user:password@]host:6379[/db], or rediss:// for TLS',
    permanent: true,
  });
}

export function createRedis(url: string): Redis {
  assertRedisUrl(url);
  return new Redis(url, { maxRetriesPerRequest: null });
}

/**
 * Resolves when Redis answers PING within `timeoutMs`, else throws a REDIS_UNREACHABLE error (or
 * CONFIG_INVALID when `url` is not a Redis URL).
 */
export async function assertRedisReachable(url: string, timeoutMs = 3_000): Promise<void> {
  assertRedisUrl(url);
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
