import { describe, expect, it } from 'vitest';
import {
  assertRedisReachable,
  assertRedisUrl,
  createRedis,
  redactUrl,
} from '../../src/queue/redis-connection.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('redis connection', () => {
  it('accepts the real Redis', async () => {
    await expect(assertRedisReachable(REDIS_URL)).resolves.toBeUndefined();
  });

  it('says in one line that a closed port has no Redis, and how to get one', async () => {
    await expect(assertRedisReachable('redis://:secret@127.0.0.1:1', 1_000)).rejects.toThrow(
      /^queue: redis:\/\/:\*\*\*@127\.0\.0\.1:1: Redis is unreachable \(.*\); start one with `docker compose up -d redis` or set REDIS_URL$/,
    );
  });

  // Each URL points at 127.0.0.1, so that a missing check would connect there and nowhere else.
  it.each([
    { name: 'http-scheme', url: 'http://127.0.0.1:6379', culprit: 'http://127.0.0.1:6379/' },
    { name: 'no-scheme', url: '127.0.0.1:6379', culprit: '<unparseable URL>' },
    {
      name: 'password-hidden',
      url: 'https://cw:hunter2-s3cret@127.0.0.1:6379',
      culprit: 'https://cw:***@127.0.0.1:6379/',
    },
  ])('says-$name-is-not-a-redis-url-rather-than-unreachable', async ({ url, culprit }) => {
    const expected = `queue: ${culprit}: not a Redis URL; set REDIS_URL to redis://[user:password@]host:6379[/db], or rediss:// for TLS`;
    await expect(assertRedisReachable(url, 1_000)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expected,
    });
    expect(() => createRedis(url)).toThrow(expected);
  });

  it.each([
    { name: 'redis', url: 'redis://127.0.0.1:6379/0' },
    { name: 'rediss', url: 'rediss://:pw@127.0.0.1:6380' },
  ])('accepts-a-$name-url', ({ url }) => {
    expect(() => assertRedisUrl(url)).not.toThrow();
  });

  it('gives workers a connection that never gives up on a command', async () => {
    const redis = createRedis(REDIS_URL);
    try {
      expect(redis.options.maxRetriesPerRequest).toBeNull();
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it.each([
    { name: 'password-hidden', url: 'redis://user:pw@host:6379/0', expected: 'redis://user:***@host:6379/0' },
    { name: 'no-password-unchanged', url: 'redis://host:6379', expected: 'redis://host:6379' },
    { name: 'garbage', url: 'not a url', expected: '<unparseable URL>' },
  ])('redactUrl: $name', ({ url, expected }) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
