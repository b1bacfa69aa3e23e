/**
 * Process lifecycle for worker entry points: open the runtime (one clear line and exit 1 when Redis
 * or the config is unusable), start the given workers, close them gracefully on SIGINT/SIGTERM.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'bullmq';
import type { Settings } from '../src/config/settings.ts';
import { describeError } from '../src/errors.ts';
import { log } from '../src/log.ts';
import { openRuntime, type Runtime } from './runtime.ts';

export type WorkerFactory = (rt: Runtime) => Worker;

export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === moduleUrl;
  } catch {
    return false;
  }
}

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

export interface StartOptions {
  beforeStart?: (rt: Runtime) => Promise<void>;
  /** Defaults to the environment's settings (tests pass their own). */
  settings?: Settings;
  schema?: string;
}

export async function startWorkers(
  factories: WorkerFactory[],
  opts: StartOptions = {},
): Promise<{ rt: Runtime; workers: Worker[]; stop(): Promise<void> }> {
  const rt = await openRuntime({ settings: opts.settings, schema: opts.schema });
  await opts.beforeStart?.(rt);
  const workers = factories.map((make) => watchWorker(make(rt)));
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all(workers.map((w) => w.close()));
      await rt.close();
    })());
  return { rt, workers, stop };
}

/** Entry point of a worker file run directly (`tsx workers/feed-worker.ts`). */
export async function runService(factories: WorkerFactory[], opts: StartOptions = {}): Promise<void> {
  try {
    const service = await startWorkers(factories, opts);
    log.info({ queues: service.workers.map((w) => w.name) }, 'workers started');
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        log.info({ signal }, 'closing workers');
        service.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err: describeError(err) }, 'unclean shutdown');
            process.exit(1);
          },
        );
      });
    }
  } catch (error) {
    process.stderr.write(`ceasefire-watch: ${describeError(error)}\n`);
    process.exit(1);
  }
}
