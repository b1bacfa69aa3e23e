/**
 * Whether this process's workers still take jobs, for `/readyz`. A BullMQ worker can stop taking
 * jobs while Redis is up and the process looks healthy (bullmq#4585, #3185: its loop ended, or its
 * blocking connection never came back), so "Redis answers" is not enough: a worker whose loop has
 * ended, or whose queue has had jobs waiting while it started none for a while, is not ready.
 */
import type { Queue, Worker } from 'bullmq';
import type { ReadinessCheck } from '../src/web/dashboard-server.ts';

/** Jobs waiting this long with none started means the worker is stuck. @defaultValue 2 minutes */
export const DEFAULT_STUCK_AFTER_MS = 120_000;

const lastStarted = new WeakMap<Worker, number>();

/** Records when `worker` last started a job (from now on). */
export function trackWorker(worker: Worker, now: () => number = Date.now): Worker {
  lastStarted.set(worker, now());
  worker.on('active', () => lastStarted.set(worker, now()));
  return worker;
}

/**
 * The readiness check over `workers` (read when checked: the list may be built after the server).
 * `queueOf` gives each worker's queue; a paused queue (a Retry-After) is waiting on purpose.
 */
export function workersCheck(
  workers: () => readonly Worker[],
  queueOf: (worker: Worker) => Queue,
  opts: { stuckAfterMs?: number; now?: () => number } = {},
): ReadinessCheck {
  const stuckAfterMs = opts.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS;
  const now = opts.now ?? Date.now;
  return {
    name: 'workers',
    async check() {
      const problems: string[] = [];
      for (const worker of workers()) {
        if (worker.closing) continue;
        if (!worker.isRunning()) {
          problems.push(`${worker.name} worker stopped taking jobs`);
          continue;
        }
        const idleMs = now() - (lastStarted.get(worker) ?? now());
        if (idleMs < stuckAfterMs) continue;
        const queue = queueOf(worker);
        if (await queue.isPaused()) continue;
        const waiting = await queue.getWaitingCount();
        if (waiting > 0)
          problems.push(
            `${worker.name} worker started no job for ${Math.round(idleMs / 1000)} s with ${waiting} waiting`,
          );
      }
      if (problems.length > 0) throw new Error(problems.join('; '));
    },
  };
}
