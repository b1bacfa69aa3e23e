import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FORBIDDEN_BURST } from '../../src/http/host-gate.ts';
import { createRedisHostGate } from '../../src/http/redis-host-gate.ts';
import type { RedisHostGateOptions } from '../../src/http/redis-host-gate.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `test:host-gate:${randomUUID()}`;

// Two connections stand for two worker processes: nothing is shared between them but Redis.
let one: Redis;
let two: Redis;

beforeAll(() => {
  one = new Redis(REDIS_URL);
  two = new Redis(REDIS_URL);
});

afterEach(async () => {
  const keys = await one.keys(`${PREFIX}:*`);
  if (keys.length > 0) await one.del(...keys);
});

afterAll(async () => {
  expect(await one.keys(`${PREFIX}:*`)).toEqual([]);
  one.disconnect();
  two.disconnect();
});

function twoGates(opts: RedisHostGateOptions) {
  return [
    createRedisHostGate(one, { prefix: PREFIX, ...opts }),
    createRedisHostGate(two, { prefix: PREFIX, ...opts }),
  ] as const;
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createRedisHostGate', () => {
  it('makes-a-second-process-wait-until-the-first-releases', async () => {
    const [first, second] = twoGates({ maxConcurrent: 1, minSpacingMs: 0, pollMs: 10 });
    const events: string[] = [];
    const releaseFirst = await first.acquire('a.example');
    events.push('first-acquired');
    const waiting = second.acquire('a.example').then((release) => {
      events.push('second-acquired');
      return release;
    });
    // Many polls happen meanwhile; a gate that let the second in would log it before the release.
    await tick(200);
    events.push('first-released');
    releaseFirst();
    (await waiting)();
    expect(events).toEqual(['first-acquired', 'first-released', 'second-acquired']);
  });

  it('does-not-limit-other-hosts', async () => {
    const [first, second] = twoGates({ maxConcurrent: 1, minSpacingMs: 60_000 });
    const releaseA = await first.acquire('a.example');
    const releaseB = await second.acquire('b.example', AbortSignal.timeout(2_000));
    releaseA();
    releaseB();
  });

  it('reserves-start-slots-one-spacing-apart-across-processes', async () => {
    const spacing = 500;
    const [first, second] = twoGates({ maxConcurrent: 5, minSpacingMs: spacing });
    const nextKey = `${PREFIX}:{a.example}:next`;
    await first.acquire('a.example');
    const afterFirst = Number(await one.get(nextKey));
    await second.acquire('a.example');
    const afterSecond = Number(await one.get(nextKey));
    // The second start was reserved at (or, on a slow machine, after) the first start plus the spacing.
    expect(afterSecond - afterFirst).toBeGreaterThanOrEqual(spacing);
  });

  it('lets-a-crashed-holders-lease-expire', async () => {
    const opts = { prefix: PREFIX, maxConcurrent: 2, minSpacingMs: 0, pollMs: 20 };
    const crashed = new Redis(REDIS_URL);
    await createRedisHostGate(crashed, { ...opts, leaseMs: 300 }).acquire('a.example'); // never released
    crashed.disconnect();
    // A live holder with a long lease keeps the set itself alive: only the crashed member may expire.
    const [live, survivor] = twoGates({ ...opts, leaseMs: 60_000 });
    const releaseLive = await live.acquire('a.example');
    const leases = `${PREFIX}:{a.example}:leases`;
    expect(await one.zcard(leases)).toBe(2);
    const releaseSurvivor = await survivor.acquire('a.example', AbortSignal.timeout(5_000));
    // The crashed lease was dropped, not merely outnumbered: the live one and the survivor's remain.
    expect(await one.zcard(leases)).toBe(2);
    releaseLive();
    releaseSurvivor();
  });

  it('shares-a-penalty-and-waits-it-out', async () => {
    const [first, second] = twoGates({ maxConcurrent: 2, minSpacingMs: 0 });
    await first.penalize('a.example', Date.now() + 300, 'HTTP 429');
    const seen = await second.penalty('a.example');
    expect(seen?.reason).toBe('HTTP 429');
    const release = await second.acquire('a.example', AbortSignal.timeout(5_000));
    // It got in only once the penalty was gone.
    expect(await first.penalty('a.example')).toBeNull();
    release();
  });

  it.each([
    { name: 'longer-penalty-wins', secondMs: 120_000, reason: 'second' },
    { name: 'shorter-penalty-is-ignored', secondMs: 1_000, reason: 'first' },
  ])('$name', async ({ secondMs, reason }) => {
    const [first, second] = twoGates({});
    await first.penalize('a.example', Date.now() + 60_000, 'first');
    await second.penalize('a.example', Date.now() + secondMs, 'second');
    expect((await first.penalty('a.example'))?.reason).toBe(reason);
  });

  it('ignores-a-penalty-already-past', async () => {
    const [first] = twoGates({});
    await first.penalize('a.example', Date.now() - 1, 'late');
    expect(await first.penalty('a.example')).toBeNull();
  });

  it('counts-a-403-burst-across-processes', async () => {
    const [first, second] = twoGates({});
    const results = [];
    for (let i = 0; i < FORBIDDEN_BURST.count; i++) {
      results.push(await (i % 2 === 0 ? first : second).recordForbidden('a.example'));
    }
    expect(results.slice(0, -1)).toEqual(Array(FORBIDDEN_BURST.count - 1).fill(null));
    const penalty = results.at(-1);
    expect(penalty?.reason).toBe('3 HTTP 403 answers within 10 min');
    const remaining = (penalty?.untilMs ?? 0) - Date.now();
    expect(remaining).toBeGreaterThan(FORBIDDEN_BURST.penaltyMs - 60_000);
    expect(remaining).toBeLessThanOrEqual(FORBIDDEN_BURST.penaltyMs);
    expect((await second.penalty('a.example'))?.reason).toBe(penalty?.reason);
    // The burst is spent: counting starts afresh.
    expect(await first.recordForbidden('b.example')).toBeNull();
    expect(await first.recordForbidden('a.example')).toBeNull();
  });

  it('gives-up-waiting-when-aborted-and-holds-nothing', async () => {
    const [first, second] = twoGates({ maxConcurrent: 1, minSpacingMs: 0, pollMs: 10 });
    const holder = await first.acquire('a.example');
    const controller = new AbortController();
    const waiting = second.acquire('a.example', controller.signal);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(await one.zcard(`${PREFIX}:{a.example}:leases`)).toBe(1);
    holder();
  });
});
