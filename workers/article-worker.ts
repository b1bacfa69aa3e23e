/** article queue: fetch, extract and tag one article, then hand it to the store queue (flow.ts). */
import type { Worker } from 'bullmq';
import { createStageWorker } from '../src/queue/stage-worker.ts';
import type { Runtime } from './runtime.ts';
import { isMain, runService } from './service.ts';

export function createArticleWorker(rt: Runtime): Worker {
  return createStageWorker(rt, 'article');
}

if (isMain(import.meta.url)) await runService([createArticleWorker]);
