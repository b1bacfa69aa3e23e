/**
 * Process lifecycle for worker entry points: open the runtime (one clear line and exit 1 when Redis
 * or the config is unusable), start the given workers, close them gracefully on SIGINT/SIGTERM —
 * however the process was started (`npm start`, `node --import tsx`, a container's PID 1) — and exit
 * even if a job will not finish: a second signal, or the grace period, ends the process.
 */
import type { Worker } from 'bullmq';
import type { Settings } from '../src/config/settings.ts';
import { describeError } from '../src/errors.ts';
import { log } from '../src/log.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import { upsertSchedulers } from './scheduler.ts';
import { countByStage, dueHandOns } from '../src/pipeline/flow.ts';
import { redrive } from '../src/queue/stage-worker.ts';
import { createServiceMetrics, type ServiceMetrics } from './metrics.ts';
import { trackWorker } from './worker-liveness.ts';

export { isMain } from './is-main.ts';

export type WorkerFactory = (rt: Runtime) => Worker;

/** Attaches the listeners every worker needs: errors logged with context, never unhandled. */
export function watchWorker(worker: Worker): Worker {
  worker.on('error', (err) => log.error({ queue: worker.name, err: describeError(err) }, 'worker error'));
  worker.on('failed', (job, err) =>
    log.warn(
      { queue: worker.name, job_id: job?.id, attempts: job?.attemptsMade, err: err.message },
      'job failed',
    ),
  );
  return worker;
}

/** What a service process's servers read: its workers and their metrics. */
export interface ServiceParts {
  workers: () => readonly Worker[];
  metrics: ServiceMetrics;
}

export interface StartOptions {
  /**
   * Runs before the workers start; may return what to close when the service stops (a server).
   * `service.workers` gives the process's workers once they are started (none before).
   */
  beforeStart?: (rt: Runtime, service: ServiceParts) => Promise<(() => Promise<void>) | undefined>;
  /**
   * Reconcile the ledger with the queues at start and every RECONCILE_EVERY_MS: re-create the job
   * schedulers (a Redis that lost its data lost them) and queue again what stayed pending. On for
   * every service process; tests that drive polls themselves leave it off. @defaultValue false
   */
  reconcile?: boolean;
  /** Defaults to the environment's settings (tests pass their own). */
  settings?: Settings;
  schema?: string;
}

export async function startWorkers(
  factories: WorkerFactory[],
  opts: StartOptions = {},
): Promise<{ rt: Runtime; workers: Worker[]; stop(): Promise<void> }> {
  const rt = await openRuntime({ settings: opts.settings, schema: opts.schema });
  let workers: Worker[] = [];
  const metrics = createServiceMetrics(rt.queues, rt.ctx.db);
  const cleanup = await opts.beforeStart?.(rt, { workers: () => workers, metrics });
  workers = factories.map((make) => metrics.watch(trackWorker(watchWorker(make(rt)))));
  const reconciler = opts.reconcile ? startReconciler(rt) : null;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await reconciler?.stop();
      await Promise.all(workers.map((w) => w.close()));
      if (cleanup) await cleanup();
      await rt.close();
    })());
  return { rt, workers, stop };
}

/**
 * One reconciler pass: the schedulers upserted again (idempotent), then the items and alerts the
 * ledger holds pending with no live job queued again. Several processes may run it at once: job ids
 * keep the work single.
 */
export async function reconcileOnce(rt: Runtime): Promise<{ items: number; alerts: number }> {
  await upsertSchedulers(rt);
  const queued = await redrive(
    rt.queues,
    rt.ctx.settings,
    await dueHandOns(rt.ctx, rt.ctx.settings.RECONCILE_AFTER_MS),
  );
  const counts = countByStage(queued);
  if (queued.length > 0) log.info(counts, 'reconciler: pending work queued again');
  return counts;
}

/** Runs reconcileOnce now and every RECONCILE_EVERY_MS, one pass at a time; a failed pass is logged. */
function startReconciler(rt: Runtime): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const pass = () => {
    if (stopped) return;
    running = reconcileOnce(rt).catch((error: unknown) =>
      log.error({ err: describeError(error) }, 'reconciler: pass failed; trying again at the next'),
    );
  };
  pass();
  const timer = setInterval(() => void running.then(pass), rt.ctx.settings.RECONCILE_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * How long the workers get to finish their running jobs after SIGTERM: a page fetch times out in
 * 20 s and an extraction in 10 s, so 30 s lets every job end on its own; Docker's default of 10 s is
 * raised to 40 s in docker-compose.yml to match. A job cut short is run again by another worker
 * (BullMQ's stalled-job check), and every step is idempotent.
 */
const SHUTDOWN_GRACE_MS = 30_000;
/** How often the process looks whether its parent is gone: a second is quick for a person. */
const PARENT_CHECK_MS = 1_000;

/** Entry point of a worker file run directly (`tsx workers/feed-worker.ts`). */
export async function runService(factories: WorkerFactory[], opts: StartOptions = {}): Promise<void> {
  try {
    const service = await startWorkers(factories, { reconcile: true, ...opts });
    log.info({ queues: service.workers.map((w) => w.name), pid: process.pid }, 'workers started');
    let signalled = false;
    const shutdown = (signal: string) => {
      if (signalled) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      signalled = true;
      log.info({ signal, grace_ms: SHUTDOWN_GRACE_MS }, 'closing workers');
      const deadline = setTimeout(() => {
        log.error({ grace_ms: SHUTDOWN_GRACE_MS }, 'workers did not close in time: exiting');
        process.exit(1);
      }, SHUTDOWN_GRACE_MS);
      deadline.unref();
      service.stop().then(
        () => {
          log.info({ signal }, 'workers closed');
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err: describeError(err) }, 'unclean shutdown');
          process.exit(1);
        },
      );
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));
    // A wrapper that died without passing the signal on (a shell, a killed `npm start`) leaves this
    // process orphaned: its parent changes. Stop then too, rather than run on unseen.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent && !signalled) shutdown('parent exited');
    }, PARENT_CHECK_MS).unref();
  } catch (error) {
    process.stderr.write(`ceasefire-watch: ${describeError(error)}\n`);
    process.exit(1);
  }
}
