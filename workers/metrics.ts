/**
 * The service's Prometheus metrics (prom-client), served at `/metrics` by the dashboard of the same
 * process: jobs per stage by outcome and their durations, failures by reason, how long an item took
 * from the poll that saw it to its storing and to its alert, and the queues' depths read at each
 * scrape. Each process counts its own workers' jobs; a scrape of every process sums them.
 */
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { describeError, PipelineError } from '../src/errors.ts';
import { log } from '../src/log.ts';
import { AlertJobSchema } from '../src/model.ts';
import type { StageResult } from '../src/pipeline/flow.ts';
import type { Queues } from '../src/queue/queues.ts';
import type { Db } from '../src/store/db.ts';
import { findArticleSeenAt } from '../src/store/items.ts';

export interface ServiceMetrics {
  registry: Registry;
  /** Counts and times the jobs `worker` finishes (its queue is the stage). */
  watch(worker: Worker): Worker;
}

const JOB_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

/**
 * Seen → stored and seen → alert sent, from `npm run bench` (README, Latency): a live item is stored
 * p50 0.3 s, p95 0.5 s after the poll that saw it, and alerted after the 60 s gather window plus
 * 0.4 s (the 90 s bucket); items of a 10,000-item backlog waited 320–603 s; past ten minutes is an
 * outage the reconciler made up for (it re-drives after RECONCILE_AFTER_MS, then hours apart).
 */
const LATENCY_SECONDS = [0.5, 1, 2.5, 5, 10, 30, 60, 90, 120, 300, 600, 1800, 3600];

/** What the seen-to-alert latency reads of an alert job's payload. */
const AlertedSchema = AlertJobSchema.pick({ articleId: true, channel: true });

/** The pipeline error's code behind a failed try (runStep keeps it as an UnrecoverableError's cause). */
function failureOf(err: Error): { reason: string; permanent: 'true' | 'false' } {
  const unrecoverable = err instanceof UnrecoverableError;
  const cause = unrecoverable ? err.cause : err;
  if (cause instanceof PipelineError)
    return { reason: cause.code.toLowerCase(), permanent: cause.permanent ? 'true' : 'false' };
  return { reason: 'unexpected', permanent: unrecoverable ? 'true' : 'false' };
}

/** `db`: the ledger the latencies are read from when a store or alert job completes. */
export function createServiceMetrics(queues: Queues, db: Db): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cw_process_' });
  const jobs = new Counter({
    name: 'cw_stage_jobs_total',
    help: 'Jobs a stage finished, by outcome (completed, failed: a try that failed)',
    labelNames: ['stage', 'outcome'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'cw_stage_job_seconds',
    help: 'How long a stage took over a job, start to finish',
    labelNames: ['stage', 'outcome'],
    buckets: JOB_SECONDS,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'cw_stage_failures_total',
    help: 'Tries that failed, by stage and reason: the pipeline error code, or unexpected; permanent: not retried',
    labelNames: ['stage', 'reason', 'permanent'],
    registers: [registry],
  });
  const seenToStored = new Histogram({
    name: 'cw_item_seen_to_stored_seconds',
    help: 'From the feed poll that saw an item (the version stored) to its storing',
    buckets: LATENCY_SECONDS,
    registers: [registry],
  });
  const seenToAlert = new Histogram({
    name: 'cw_item_seen_to_alert_seconds',
    help: 'From the feed poll that saw an item to the alert it planned, sent, by channel',
    labelNames: ['channel'],
    buckets: LATENCY_SECONDS,
    registers: [registry],
  });
  new Gauge({
    name: 'cw_queue_jobs',
    help: 'Jobs in each queue by state, read from Redis at each scrape',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of Object.values(queues)) {
        const counts = await queue.getJobCounts(...STATES);
        for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  const observe = (stage: string, outcome: 'completed' | 'failed', job: Job | undefined) => {
    jobs.inc({ stage, outcome });
    if (job?.processedOn && job.finishedOn)
      seconds.observe({ stage, outcome }, (job.finishedOn - job.processedOn) / 1000);
  };
  // From the ledger, which holds when the item was seen: the store job's own timestamps start only
  // when the article stage handed it on. The store step reports it as it marks the version stored
  // (null for a re-run that found it stored); an alert reads it, and only one that went out counts.
  const latency = async (job: Job, result: StageResult | undefined) => {
    if (result?.stage === 'store') {
      if (result.seenToStoredMs !== null) seenToStored.observe(result.seenToStoredMs / 1000);
    } else if (result?.stage === 'alert' && result.outcome === 'sent' && job.finishedOn) {
      const alert = AlertedSchema.parse(job.data);
      const seenAt = await findArticleSeenAt(db, alert.articleId);
      if (seenAt)
        seenToAlert.observe({ channel: alert.channel }, (job.finishedOn - Date.parse(seenAt)) / 1000);
    }
  };
  return {
    registry,
    watch(worker) {
      worker.on('completed', (job, result: StageResult | undefined) => {
        observe(worker.name, 'completed', job);
        latency(job, result).catch((err: unknown) =>
          log.warn({ queue: worker.name, job_id: job.id, err: describeError(err) }, 'latency not measured'),
        );
      });
      worker.on('failed', (job, err) => {
        observe(worker.name, 'failed', job);
        failures.inc({ stage: worker.name, ...failureOf(err) });
      });
      return worker;
    },
  };
}
