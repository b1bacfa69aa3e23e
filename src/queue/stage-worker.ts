/**
 * The BullMQ executor of the flow (src/pipeline/flow.ts): one worker per stage, whose key, delay,
 * pace, concurrency and retries all come from the stage's definition, and `enqueue` which turns a
 * stage's hand-ons into jobs of the next queue. `run --once` runs the same definition in-process.
 */
import {
  DelayedError,
  RateLimitError,
  UnrecoverableError,
  Worker,
  type Job,
  type JobsOptions,
  type Queue,
} from 'bullmq';
import type { Redis } from 'ioredis';
import type { Settings } from '../config/settings.ts';
import { flow, type HandOn, type Stage, type StageName } from '../pipeline/flow.ts';
import type { PipelineContext } from '../pipeline/steps.ts';
import type { Queues } from './queues.ts';
import { runStep } from './run-step.ts';

/** What a stage worker needs of the process it runs in. */
export interface StageRuntime {
  ctx: PipelineContext;
  queues: Queues;
  connection: Redis;
  prefix: string;
}

/** A job of another name on the stage's queue (a scheduler's housekeeping job) and what runs it. */
export type SpecialJobs = Record<string, (job: Job) => Promise<unknown>>;

/** Killed workers re-run stalled jobs instead of failing them (FACTS.md); every effect is idempotent. */
const MAX_STALLED_COUNT = 10;

const queueKeys: Record<Stage['queue'], keyof Queues> = {
  'feed-fetch': 'feedFetch',
  article: 'article',
  store: 'store',
  alert: 'alert',
};

/** The stage's queue among the process's queues. */
export function queueOf(queues: Queues, stage: StageName) {
  return queues[queueKeys[flow[stage].queue]];
}

/** Attempts and backoff of a stage's jobs, as BullMQ takes them. */
export function stageJobOptions(stage: Stage, settings: Settings): JobsOptions {
  return {
    attempts: stage.attempts,
    backoff: { type: 'exponential', delay: stage.backoffMs(settings) },
  };
}

/**
 * Removes the failed jobs kept under these ids. BullMQ drops a new job whose id a kept job holds, and
 * a failed job is never a reason to drop new work: the store job of an item failed during a database
 * outage, and its re-driven article job handed on a store job that was dropped, again and again.
 */
async function clearFailed(queue: Queue, ids: readonly string[]): Promise<void> {
  const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
  for (const [i, id] of ids.entries()) if (states[i] === 'failed') await queue.remove(id);
}

/**
 * Adds the hand-ons as jobs: each with its stage's key as job id (a live or completed job of that id
 * makes BullMQ drop the new one: the same work is not done twice), its stage's delay, attempts and
 * backoff.
 */
export async function enqueue(queues: Queues, settings: Settings, handOns: readonly HandOn[]): Promise<void> {
  const byStage = new Map<StageName, HandOn[]>();
  for (const h of handOns) byStage.set(h.stage, [...(byStage.get(h.stage) ?? []), h]);
  for (const [name, list] of byStage) {
    const stage = flow[name];
    const keys = list.map((h) => stage.key(stage.parse(h.data))).filter((k): k is string => k !== null);
    await clearFailed(queueOf(queues, name), keys);
    await queueOf(queues, name).addBulk(
      list.map((h) => {
        const data = stage.parse(h.data);
        const key = stage.key(data);
        const delay = stage.delayMs(settings);
        return {
          name: stage.jobName(data),
          data,
          opts: {
            ...stageJobOptions(stage, settings),
            ...(key === null ? {} : { jobId: key }),
            ...(delay > 0 ? { delay } : {}),
          },
        };
      }),
    );
  }
}

/** States in which a job is still going to run: the reconciler leaves it alone. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused']);

/**
 * Queues again work the ledger says is unfinished (see dueHandOns): a job still live under its key is
 * left alone; one that completed under that key is removed first (a failed one is removed by
 * `enqueue`), since BullMQ would drop a new job with the same id. Returns what was queued.
 *
 * @example
 * await redrive(rt.queues, settings, await dueHandOns(rt.ctx, settings.RECONCILE_AFTER_MS));
 */
export async function redrive(
  queues: Queues,
  settings: Settings,
  handOns: readonly HandOn[],
): Promise<HandOn[]> {
  const fresh: HandOn[] = [];
  for (const handOn of handOns) {
    const stage = flow[handOn.stage];
    const key = stage.key(stage.parse(handOn.data));
    if (key !== null) {
      const queue = queueOf(queues, handOn.stage);
      const state = await queue.getJobState(key);
      if (LIVE_STATES.has(state)) continue;
      // An item's work spans the article and store queues under one key. Its store job may still
      // wait in a long store queue: on its way, not lost (a 10,000-article backlog had one item
      // extracted again three times). A completed one must go too, or the re-driven article job's
      // store job is dropped: an item two feeds brought in one round was stored for the first feed
      // only, and the second feed's was re-driven every pass, forever.
      if (handOn.stage === 'article') {
        const store = queueOf(queues, 'store');
        const storeState = await store.getJobState(key);
        if (LIVE_STATES.has(storeState)) continue;
        if (storeState === 'completed') await store.remove(key);
      }
      if (state === 'completed') await queue.remove(key);
    }
    fresh.push(handOn);
  }
  await enqueue(queues, settings, fresh);
  return fresh;
}

/**
 * The worker of one stage: validates the payload, runs the stage's step (a permanent error stops the
 * retries, a Retry-After delays the job without spending an attempt), enqueues what it hands on and
 * returns the step's result as the job's return value.
 *
 * @example
 * const worker = createStageWorker(rt, 'article');
 */
export function createStageWorker(rt: StageRuntime, name: StageName, special: SpecialJobs = {}): Worker {
  const stage = flow[name];
  const { settings } = rt.ctx;
  const pace = stage.pace(settings);
  return new Worker(
    stage.queue,
    async (job, token) => {
      const handler = special[job.name];
      if (handler) return handler(job);
      const data = stage.parse(job.data);
      const attempt = { made: job.attemptsMade, max: job.opts.attempts ?? stage.attempts };
      // A host that keeps answering "come back later" gets a bounded number of delays, then the
      // normal retries.
      const queue = queueOf(rt.queues, name);
      const handle =
        job.attemptsStarted <= stage.maxRetryAfterDelays
          ? {
              job,
              token,
              pauseQueue: stage.pausesOnRetryAfter ? (ms: number) => queue.rateLimit(ms) : undefined,
            }
          : undefined;
      try {
        const outcome = await runStep(() => stage.run(rt.ctx, data, attempt), handle);
        await enqueue(rt.queues, settings, outcome.next);
        return outcome.result;
      } catch (error) {
        if (error instanceof DelayedError || error instanceof RateLimitError) throw error;
        // The last try, or one that cannot succeed: the ledger decides what becomes of the work.
        const permanent = error instanceof UnrecoverableError;
        if (permanent || attempt.made + 1 >= attempt.max) {
          await stage.failed(rt.ctx, data, error, permanent);
        }
        throw error;
      }
    },
    {
      connection: rt.connection,
      prefix: rt.prefix,
      concurrency: stage.concurrency(settings),
      maxStalledCount: MAX_STALLED_COUNT,
      ...(pace ? { limiter: { max: pace.max, duration: pace.durationMs } } : {}),
    },
  );
}
