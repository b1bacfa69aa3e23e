/** feed-fetch queue: refresh one feed, hand its new and updated items to the article queue (flow.ts). */
import type { Worker } from 'bullmq';
import { syncFeeds } from '../src/pipeline/steps.ts';
import { createStageWorker } from '../src/queue/stage-worker.ts';
import type { Runtime } from './runtime.ts';
import { CONFIG_SYNC_JOB, upsertSchedulers } from './scheduler.ts';
import { isMain, runService } from './service.ts';

export function createFeedWorker(rt: Runtime): Worker {
  return createStageWorker(rt, 'feed', {
    async [CONFIG_SYNC_JOB]() {
      const feeds = await syncFeeds(rt.ctx);
      await upsertSchedulers(rt);
      return { feeds };
    },
  });
}

if (isMain(import.meta.url)) await runService([createFeedWorker]);
