/**
 * The service's Prometheus metrics (prom-client), served at `/metrics` by the dashboard of the same
 * process: jobs per stage by outcome and their durations, and the queues' depths read at each scrape.
 * Each process counts its own workers' jobs; a scrape of every process sums them.
 */
import type { Job, Worker } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queues } from '../src/queue/queues.ts';

export interface ServiceMetrics {
  registry: Registry;
  /** Counts and times the jobs `worker` finishes (its queue is the stage). */
  watch(worker: Worker): Worker;
}

const JOB_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

export function createServiceMetrics(queues: Queues): ServiceMetrics {
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
  return {
    registry,
    watch(worker) {
      worker.on('completed', (job) => observe(worker.name, 'completed', job));
      worker.on('failed', (job) => observe(worker.name, 'failed', job));
      return worker;
    },
  };
}
