/** `npm start`: the schedulers plus every worker in one process. Scale out by running more workers. */
import { createAlertWorker } from './alert-worker.ts';
import { createArticleWorker } from './article-worker.ts';
import { createDigestWorker } from './digest-worker.ts';
import { createFeedWorker } from './feed-worker.ts';
import { upsertSchedulers } from './scheduler.ts';
import { runService, type WorkerFactory } from './service.ts';
import { createStoreWorker } from './store-worker.ts';

const allWorkers: WorkerFactory[] = [
  createFeedWorker,
  createArticleWorker,
  createStoreWorker,
  createAlertWorker,
  createDigestWorker,
];

await runService(allWorkers, {
  beforeStart: async (rt) => {
    await upsertSchedulers(rt);
  },
});
