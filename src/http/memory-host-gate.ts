/**
 * The per-host gate for one process (`run --once`, the CLI): the same rules as the Redis gate, with the
 * state in a Map. Nothing here survives the process, which is what a single run wants.
 */
import {
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MIN_SPACING_MS,
  FORBIDDEN_BURST,
  FORBIDDEN_BURST_REASON,
  sleep as realSleep,
} from './host-gate.ts';
import type { HostGate, HostPenalty, ReleaseHost } from './host-gate.ts';

export interface MemoryHostGateOptions {
  /** @defaultValue {@link DEFAULT_MAX_CONCURRENT} */
  maxConcurrent?: number;
  /** @defaultValue {@link DEFAULT_MIN_SPACING_MS} */
  minSpacingMs?: number;
  /** The clock, epoch ms. @defaultValue `Date.now` */
  now?: () => number;
  /** How to wait; tests pass a virtual clock's sleep with `now`. @defaultValue a `setTimeout` sleep */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface HostState {
  inFlight: number;
  /** Earliest start of the next request (the last start plus the spacing). */
  nextStartMs: number;
  penalty: HostPenalty | null;
  /** When recent 403s arrived, oldest first. */
  forbiddenAt: number[];
  /** Acquirers waiting for a slot; each is woken on every release and checks again. */
  waiters: Set<() => void>;
}

/**
 * A {@link HostGate} kept in this process's memory.
 *
 * @example
 * const gate = createMemoryHostGate({ maxConcurrent: 2, minSpacingMs: 1000 });
 * const release = await gate.acquire('www.aljazeera.com');
 * try { ... } finally { release(); }
 */
export function createMemoryHostGate(opts: MemoryHostGateOptions = {}): HostGate {
  const maxConcurrent = opts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  const minSpacingMs = opts.minSpacingMs ?? DEFAULT_MIN_SPACING_MS;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const hosts = new Map<string, HostState>();

  const stateOf = (host: string): HostState => {
    let state = hosts.get(host);
    if (!state) {
      state = { inFlight: 0, nextStartMs: 0, penalty: null, forbiddenAt: [], waiters: new Set() };
      hosts.set(host, state);
    }
    return state;
  };

  const currentPenalty = (state: HostState): HostPenalty | null => {
    if (state.penalty && state.penalty.untilMs <= now()) state.penalty = null;
    return state.penalty;
  };

  const penalizeState = (state: HostState, untilMs: number, reason: string) => {
    if (!state.penalty || untilMs > state.penalty.untilMs) state.penalty = { untilMs, reason };
  };

  const waitForRelease = (state: HostState, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        state.waiters.delete(wake);
        resolve();
      };
      const onAbort = () => {
        state.waiters.delete(wake);
        reject(signal?.reason);
      };
      state.waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  return {
    async acquire(host, signal) {
      const state = stateOf(host);
      while (state.inFlight >= maxConcurrent) await waitForRelease(state, signal);
      // The slot is taken before waiting for the spacing, so that concurrency and spacing both hold:
      // taking it after would let two waiters freed by one release start together.
      state.inFlight++;
      let released = false;
      const release: ReleaseHost = () => {
        if (released) return;
        released = true;
        state.inFlight--;
        for (const wake of [...state.waiters]) wake();
      };
      try {
        // Checked again after every sleep: a penalty may have arrived meanwhile, and a timer may fire a
        // millisecond before the clock says the time has come.
        for (;;) {
          const t = now();
          const startMs = Math.max(state.nextStartMs, currentPenalty(state)?.untilMs ?? 0);
          if (t >= startMs) {
            state.nextStartMs = t + minSpacingMs;
            return release;
          }
          await sleep(startMs - t, signal);
        }
      } catch (error) {
        release();
        throw error;
      }
    },

    async penalize(host, untilMs, reason) {
      penalizeState(stateOf(host), untilMs, reason);
    },

    async recordForbidden(host) {
      const state = stateOf(host);
      const t = now();
      state.forbiddenAt = state.forbiddenAt.filter((at) => at > t - FORBIDDEN_BURST.windowMs);
      state.forbiddenAt.push(t);
      if (state.forbiddenAt.length < FORBIDDEN_BURST.count) return null;
      state.forbiddenAt = [];
      penalizeState(state, t + FORBIDDEN_BURST.penaltyMs, FORBIDDEN_BURST_REASON);
      return currentPenalty(state);
    },

    async penalty(host) {
      const state = hosts.get(host);
      return state ? currentPenalty(state) : null;
    },
  };
}
