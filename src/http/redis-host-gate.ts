/**
 * The per-host gate shared by every worker process: the state lives in Redis and every decision is one
 * Lua script, so two processes can never both take the last slot. Per host there are four keys, with the
 * host in a hash tag so that they share a Redis Cluster slot (a script may only touch one slot):
 *
 * - `leases`: a sorted set of slot holders scored by expiry. A holder that crashes never releases; its
 *   lease simply expires, so a host is never blocked for longer than `leaseMs`.
 * - `next`: the earliest start of the next request (a token bucket of size one refilled every
 *   `minSpacingMs`); each acquire reserves the next start and moves it on by the spacing.
 * - `penalty`: the reason, with a PX expiry at the end of the penalty (Retry-After, 403 burst).
 * - `forbidden`: a sorted set of recent 403s, for the burst rule.
 *
 * Spacing and leases use Redis's clock (TIME), so processes with skewed clocks still agree.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MIN_SPACING_MS,
  FORBIDDEN_BURST,
  FORBIDDEN_BURST_REASON,
  sleep,
} from './host-gate.ts';
import type { HostGate, HostPenalty, ReleaseHost } from './host-gate.ts';

export interface RedisHostGateOptions {
  /** Key prefix; tests use a unique one. @defaultValue `"cw:host-gate"` */
  prefix?: string;
  /** @defaultValue {@link DEFAULT_MAX_CONCURRENT} */
  maxConcurrent?: number;
  /** @defaultValue {@link DEFAULT_MIN_SPACING_MS} */
  minSpacingMs?: number;
  /** How long a slot stays taken if its holder never releases it. @defaultValue {@link DEFAULT_LEASE_MS} */
  leaseMs?: number;
  /** How often a caller waiting for a free slot asks again. @defaultValue {@link DEFAULT_POLL_MS} */
  pollMs?: number;
}

/**
 * Lease lifetime: longer than any fetch should take (6× the default FETCH_TIMEOUT_MS of 20 s, 2×
 * fetchUrl's own 60 s default total) so a live holder never loses its slot, short enough that a crashed
 * worker costs a host one of its two slots for two minutes at most.
 */
export const DEFAULT_LEASE_MS = 120_000;

/**
 * Re-check interval while every slot of a host is taken: 5% of the default 1 s spacing, so a freed slot
 * is reused almost at once; a waiting fetch costs Redis 20 small scripts a second.
 */
export const DEFAULT_POLL_MS = 50;

const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS: leases, next, penalty. ARGV: token, maxConcurrent, minSpacingMs, leaseMs.
 * Returns {1, ms until the reserved start} when a slot is taken, {0, ms} when all slots are taken (ms
 * until the oldest lease expires), {2, ms} while the host is penalized (ms until the penalty ends).
 */
const ACQUIRE = `${NOW_MS}
local penalty = redis.call('PTTL', KEYS[3])
if penalty > 0 then return {2, penalty} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) - now}
end
local start = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
local spacing = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
redis.call('SET', KEYS[2], start + spacing, 'PX', math.max(1, start + spacing - now))
redis.call('ZADD', KEYS[1], start + lease, ARGV[1])
-- Only ever lengthened: a holder with a shorter lease must not expire a longer one with the set.
if redis.call('PTTL', KEYS[1]) < start + lease - now then redis.call('PEXPIRE', KEYS[1], start + lease - now) end
return {1, start - now}
`;

/** KEYS: penalty. ARGV: ms from now, reason. Only ever lengthens the penalty. */
const PENALIZE = `
local ms = tonumber(ARGV[1])
if ms <= 0 or redis.call('PTTL', KEYS[1]) >= ms then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ms)
return 1
`;

/**
 * KEYS: forbidden, penalty. ARGV: unique member, count, windowMs, penaltyMs, reason.
 * Returns the penalty's remaining ms when this 403 completes a burst, else -1.
 */
const RECORD_FORBIDDEN = `${NOW_MS}
local window = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - window))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], window)
  return -1
end
redis.call('DEL', KEYS[1])
local ms = tonumber(ARGV[4])
if redis.call('PTTL', KEYS[2]) < ms then redis.call('SET', KEYS[2], ARGV[5], 'PX', ms) end
return redis.call('PTTL', KEYS[2])
`;

/**
 * A {@link HostGate} whose limits hold across every process using the same Redis and prefix.
 *
 * @example
 * const gate = createRedisHostGate(createRedis(settings.REDIS_URL), { prefix: 'cw:host-gate' });
 * await fetchUrl(feed.url, { maxBytes: 5_000_000, timeoutMs: 20_000, allowPrivateNetworks: false, gate });
 */
export function createRedisHostGate(redis: Redis, opts: RedisHostGateOptions = {}): HostGate {
  const prefix = opts.prefix ?? 'cw:host-gate';
  const maxConcurrent = opts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  const minSpacingMs = opts.minSpacingMs ?? DEFAULT_MIN_SPACING_MS;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
  const keys = (host: string) => {
    const base = `${prefix}:{${host}}`;
    return {
      leases: `${base}:leases`,
      next: `${base}:next`,
      penalty: `${base}:penalty`,
      forbidden: `${base}:forbidden`,
    };
  };

  return {
    async acquire(host, signal) {
      const k = keys(host);
      const token = randomUUID();
      for (;;) {
        signal?.throwIfAborted();
        const [outcome, ms] = (await redis.eval(
          ACQUIRE,
          3,
          k.leases,
          k.next,
          k.penalty,
          token,
          maxConcurrent,
          minSpacingMs,
          leaseMs,
        )) as [number, number];
        if (outcome === 1) {
          let released = false;
          // A failed ZREM is not reported to the fetch: the lease then expires on its own (leaseMs).
          const release: ReleaseHost = () => {
            if (released) return;
            released = true;
            redis.zrem(k.leases, token).catch(() => undefined);
          };
          try {
            if (ms > 0) await sleep(ms, signal);
          } catch (error) {
            release();
            throw error;
          }
          return release;
        }
        // A penalty only ever grows, so sleeping through it is safe; a slot may free up at any time.
        await sleep(outcome === 2 ? ms : Math.max(1, Math.min(ms, pollMs)), signal);
      }
    },

    async penalize(host, untilMs, reason) {
      const ms = Math.ceil(untilMs - Date.now());
      if (ms > 0) await redis.eval(PENALIZE, 1, keys(host).penalty, ms, reason);
    },

    async recordForbidden(host) {
      const k = keys(host);
      const ms = (await redis.eval(
        RECORD_FORBIDDEN,
        2,
        k.forbidden,
        k.penalty,
        randomUUID(),
        FORBIDDEN_BURST.count,
        FORBIDDEN_BURST.windowMs,
        FORBIDDEN_BURST.penaltyMs,
        FORBIDDEN_BURST_REASON,
      )) as number;
      return ms > 0 ? readPenalty(redis, k.penalty) : null;
    },

    penalty(host) {
      return readPenalty(redis, keys(host).penalty);
    },
  };
}

async function readPenalty(redis: Redis, key: string): Promise<HostPenalty | null> {
  const [reason, ms] = await Promise.all([redis.get(key), redis.pttl(key)]);
  if (reason === null || ms <= 0) return null;
  return { untilMs: Date.now() + ms, reason };
}
