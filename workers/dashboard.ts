/**
 * The dashboard in the service's own process (`npm start`), on PORT/HOST, with Redis among what
 * `/readyz` checks. A busy port costs the dashboard, not the pipeline: one log line, and the workers go on.
 */
import { explainArticle } from '../src/tagging/explain-article.ts';
import { log } from '../src/log.ts';
import { addFeedAndSync } from '../src/pipeline/add-feed.ts';
import { createDashboard } from '../src/web/dashboard-server.ts';
import type { Queues } from '../src/queue/queues.ts';
import type { Runtime } from './runtime.ts';
import type { ServiceParts } from './service.ts';
import { upsertSchedulers } from './scheduler.ts';
import { workersCheck } from './worker-liveness.ts';

/** The process's queue a worker takes jobs from (a worker is named after its queue). */
function queueNamed(queues: Queues, name: string) {
  const queue = Object.values(queues).find((q) => q.name === name);
  if (!queue) throw new Error(`no queue named ${name}`);
  return queue;
}

/** Starts the dashboard when PORT is not 0; returns what stops it. */
export function serveDashboard(rt: Runtime, service: ServiceParts): () => Promise<void> {
  const { PORT: port, HOST: host } = rt.ctx.settings;
  if (port === 0) return async () => undefined;
  const app = createDashboard({
    db: rt.ctx.db,
    settings: rt.ctx.settings,
    names: () => rt.ctx.names,
    explain: (article) => explainArticle(article, rt.ctx.matcher()),
    rules: () => rt.ctx.alerts.rules,
    // The new feed's scheduler at once, rather than at the next config sync a minute later.
    addFeed: async (url, opts) => {
      const outcome = await addFeedAndSync(rt.ctx, url, opts);
      if (outcome.status === 'added') await upsertSchedulers(rt);
      return outcome;
    },
    checks: [
      { name: 'redis', check: async () => void (await rt.connection.ping()) },
      workersCheck(service.workers, (worker) => queueNamed(rt.queues, worker.name)),
    ],
    queues: Object.values(rt.queues),
    metrics: async () => ({
      contentType: service.metrics.registry.contentType,
      body: await service.metrics.registry.metrics(),
    }),
  });
  const listening = app.listen({ port, host }).then(
    () => log.info({ url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/` }, 'dashboard served'),
    (err: Error) => log.error({ port, host, err: err.message }, 'dashboard not served'),
  );
  return async () => {
    await listening;
    await app.close();
  };
}
