import { describe, expect, it } from 'vitest';
import { FORBIDDEN_BURST } from '../../src/http/host-gate.ts';
import { createMemoryHostGate } from '../../src/http/memory-host-gate.ts';

/**
 * A virtual clock: `sleep` moves time forward instead of waiting, so start times are exact numbers
 * rather than wall-clock measurements. Concurrent sleepers each move it to their own wake-up time.
 */
function virtualClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      const target = t + ms;
      await Promise.resolve();
      signal?.throwIfAborted();
      t = Math.max(t, target);
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('createMemoryHostGate', () => {
  it('spaces-starts-to-one-host-by-the-minimum-spacing', async () => {
    const clock = virtualClock();
    const gate = createMemoryHostGate({ maxConcurrent: 5, minSpacingMs: 1000, ...clock });
    const starts = await Promise.all(
      [1, 2, 3].map(async () => {
        await gate.acquire('a.example');
        return clock.now();
      }),
    );
    expect(starts.sort((x, y) => x - y)).toEqual([0, 1000, 2000]);
  });

  it('does-not-space-different-hosts', async () => {
    const clock = virtualClock();
    const gate = createMemoryHostGate({ maxConcurrent: 1, minSpacingMs: 1000, ...clock });
    await gate.acquire('a.example');
    await gate.acquire('b.example');
    expect(clock.now()).toBe(0);
  });

  it('lets-the-second-acquire-in-only-after-the-first-releases', async () => {
    const gate = createMemoryHostGate({ maxConcurrent: 1, minSpacingMs: 0 });
    const events: string[] = [];
    const releaseFirst = await gate.acquire('a.example');
    events.push('first-acquired');
    const second = gate.acquire('a.example').then((release) => {
      events.push('second-acquired');
      return release;
    });
    // Give the second acquire every chance to (wrongly) get in before the release.
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.push('first-released');
    releaseFirst();
    (await second)();
    expect(events).toEqual(['first-acquired', 'first-released', 'second-acquired']);
  });

  it('frees-one-slot-per-release-even-if-released-twice', async () => {
    const gate = createMemoryHostGate({ maxConcurrent: 1, minSpacingMs: 0 });
    const release = await gate.acquire('a.example');
    release();
    release();
    await gate.acquire('a.example');
    const third = await Promise.race([
      gate.acquire('a.example').then(() => 'acquired'),
      new Promise((resolve) => setTimeout(() => resolve('still-waiting'), 50)),
    ]);
    expect(third).toBe('still-waiting');
  });

  it('waits-out-a-penalty', async () => {
    const clock = virtualClock();
    const gate = createMemoryHostGate({ maxConcurrent: 2, minSpacingMs: 1000, ...clock });
    await gate.penalize('a.example', 5000, 'HTTP 429');
    expect(await gate.penalty('a.example')).toEqual({ untilMs: 5000, reason: 'HTTP 429' });
    await gate.acquire('a.example');
    expect(clock.now()).toBe(5000);
    expect(await gate.penalty('a.example')).toBeNull();
  });

  it.each([
    { name: 'longer-penalty-wins', second: 9000, expected: { untilMs: 9000, reason: 'second' } },
    { name: 'shorter-penalty-is-ignored', second: 2000, expected: { untilMs: 5000, reason: 'first' } },
  ])('$name', async ({ second, expected }) => {
    const gate = createMemoryHostGate({ ...virtualClock() });
    await gate.penalize('a.example', 5000, 'first');
    await gate.penalize('a.example', second, 'second');
    expect(await gate.penalty('a.example')).toEqual(expected);
  });

  it('has-no-penalty-for-an-unknown-host', async () => {
    expect(await createMemoryHostGate().penalty('never.example')).toBeNull();
  });

  it.each([
    { name: 'two-403s-are-not-a-burst', gapsMs: [0, 1000], penalized: false },
    { name: 'three-403s-within-the-window-are-a-burst', gapsMs: [0, 1000, 1000], penalized: true },
    {
      name: 'three-403s-spread-over-more-than-the-window-are-not',
      gapsMs: [0, FORBIDDEN_BURST.windowMs / 2, FORBIDDEN_BURST.windowMs / 2 + 1],
      penalized: false,
    },
  ])('$name', async ({ gapsMs, penalized }) => {
    const clock = virtualClock();
    const gate = createMemoryHostGate({ ...clock });
    const results = [];
    for (const gap of gapsMs) {
      clock.advance(gap);
      results.push(await gate.recordForbidden('a.example'));
    }
    expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
    const last = results.at(-1);
    if (penalized) {
      expect(last).toEqual({
        untilMs: clock.now() + FORBIDDEN_BURST.penaltyMs,
        reason: '3 HTTP 403 answers within 10 min',
      });
      expect(await gate.penalty('a.example')).toEqual(last);
    } else {
      expect(last).toBeNull();
      expect(await gate.penalty('a.example')).toBeNull();
    }
  });

  it('starts-counting-afresh-after-a-burst', async () => {
    const gate = createMemoryHostGate({ ...virtualClock() });
    for (let i = 0; i < FORBIDDEN_BURST.count; i++) await gate.recordForbidden('a.example');
    expect(await gate.recordForbidden('a.example')).toBeNull();
  });

  it.each([
    { name: 'waiting-for-a-slot', penalized: false },
    { name: 'waiting-for-a-penalty', penalized: true },
  ])('gives-up-$name-when-aborted-and-holds-nothing', async ({ penalized }) => {
    const gate = createMemoryHostGate({ maxConcurrent: 1, minSpacingMs: 0 });
    const holder = penalized ? () => undefined : await gate.acquire('a.example');
    if (penalized) await gate.penalize('a.example', Date.now() + 60_000, 'HTTP 429');
    const controller = new AbortController();
    const waiting = gate.acquire('a.example', controller.signal);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    if (penalized) return;
    holder();
    // The aborted acquire holds no slot: the next one gets in at once.
    const next = await gate.acquire('a.example', AbortSignal.timeout(2_000));
    expect(typeof next).toBe('function');
  });
});
