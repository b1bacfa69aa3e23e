/** store queue: upsert the tagged article, then plan one alert job per (rule, channel) it fires (flow.ts). */
import type { Worker } from 'bullmq';
import { createStageWorker } from '../src/queue/stage-worker.ts';
import type { Runtime } from './runtime.ts';
import { isMain, runService } from './service.ts';

export function createStoreWorker(rt: Runtime): Worker {
  return createStageWorker(rt, 'store');
}

if (isMain(import.meta.url)) await runService([createStoreWorker]);
