/** `npm start`: the schedulers plus every worker in one process. Scale out by running more workers. */
import { createAlertWorker } from './alert-worker.ts';
import { createArticleWorker } from './article-worker.ts';
import { createDigestWorker } from './digest-worker.ts';
import { createFeedWorker } from './feed-worker.ts';
import { log } from '../src/log.ts';
import { createRuleFeedServer } from '../src/pipeline/alert-feeds.ts';
import { upsertSchedulers } from './scheduler.ts';
import { runService, type WorkerFactory } from './service.ts';
import { createStoreWorker } from './store-worker.ts';
import { serveDashboard } from './dashboard.ts';

const allWorkers: WorkerFactory[] = [
  createFeedWorker,
  createArticleWorker,
  createStoreWorker,
  createAlertWorker,
  createDigestWorker,
];

await runService(allWorkers, {
  beforeStart: async (rt, service) => {
    await upsertSchedulers(rt);
    const stopDashboard = serveDashboard(rt, service);
    const { ALERT_FEEDS_PORT: port, ALERT_FEEDS_HOST: host } = rt.ctx.settings;
    if (port === 0) return stopDashboard;
    // The per-rule Atom feeds, closed with the workers on SIGINT/SIGTERM.
    const server = createRuleFeedServer(rt.ctx);
    // A busy port costs the feeds, not the pipeline: say so in one line and go on.
    server.on('error', (err) => log.error({ port, err: err.message }, 'alert feeds not served'));
    server.listen(port, host, () =>
      log.info({ url: `http://${host}:${port}/alerts/<rule>.atom` }, 'alert feeds served'),
    );
    const stopFeeds = () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    return async () => {
      await Promise.all([stopFeeds(), stopDashboard()]);
    };
  },
});
