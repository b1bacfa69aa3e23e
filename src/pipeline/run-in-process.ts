/**
 * The in-process executor of the flow (flow.ts): what `run --once` runs instead of BullMQ, with the
 * same job keys (a known key is dropped), the same delays, the same pace, the same concurrency and the
 * same retries (attempts, exponential backoff, Retry-After without spending an attempt).
 *
 * Two differences are stated, not hidden:
 * - a delay (the alert gather window) lasts until nothing else is in flight, however long or short it
 *   is set: the window exists so that the copies polled in the same round are stored before the
 *   message goes out, and a single pass knows exactly when that is (everything it polled is done),
 *   where the service can only wait for the clock;
 * - a Retry-After longer than `maxRetryAfterWaitMs` is not waited for: it spends an attempt instead,
 *   because a single pass cannot wait an hour for one page.
 */
import { PipelineError } from '../errors.ts';
import type { Stage, StageName, StageResult, HandOn } from './flow.ts';
import type { PipelineContext } from './steps.ts';

export interface InProcessEvents {
  /** A job was accepted (its key was new). */
  added?(stage: StageName, data: unknown): void;
  done?(stage: StageName, data: unknown, result: StageResult): void;
  /** A job failed for good: a permanent error, or its attempts spent. */
  failed?(stage: StageName, data: unknown, error: unknown): void;
  /** A job failed and will be tried again after `waitMs`. */
  retrying?(stage: StageName, data: unknown, error: unknown, waitMs: number): void;
}

export interface InProcessOptions {
  /** Longest Retry-After waited for; a longer one spends an attempt. @defaultValue 60000 */
  maxRetryAfterWaitMs?: number;
}

/** A minute: Slack's 429s ask for seconds; a server asking for more is better tried next run. */
const DEFAULT_MAX_RETRY_AFTER_WAIT_MS = 60_000;

interface Pending {
  order: number;
  stage: Stage;
  data: unknown;
  /** When it may start (epoch ms): after a backoff or a Retry-After; 0 when it may start now. */
  dueAt: number;
  /** Delayed by its stage: waits until nothing else is in flight (see the module comment). */
  gathering: boolean;
  made: number;
  delays: number;
}

/**
 * Runs `initial` and everything it hands on until no job is left, and resolves then. Never rejects for
 * a job's error: those go to `events.failed`.
 *
 * @example
 * await runInProcess(ctx, flow, feeds.map((f) => ({ stage: 'feed', data: { feedId: f.id } })), {
 *   done: (stage, _data, result) => count(stage, result),
 * });
 */
export async function runInProcess(
  ctx: PipelineContext,
  stages: Readonly<Record<StageName, Stage>>,
  initial: readonly HandOn[],
  events: InProcessEvents = {},
  opts: InProcessOptions = {},
): Promise<void> {
  const maxWait = opts.maxRetryAfterWaitMs ?? DEFAULT_MAX_RETRY_AFTER_WAIT_MS;
  const keys = new Map<StageName, Set<string>>();
  const pending: Pending[] = [];
  const running = new Map<StageName, number>();
  /** A stage told by a server to wait (see Stage.pausesOnRetryAfter) starts nothing before this. */
  const pausedUntil = new Map<StageName, number>();
  const starts = new Map<StageName, number[]>();
  const inFlight = new Set<Promise<void>>();
  let order = 0;
  /** Jobs running that do not gather: while any run, gathering jobs wait. */
  let runningOthers = 0;

  const add = (handOn: HandOn) => {
    const stage = stages[handOn.stage];
    const data = stage.parse(handOn.data);
    const key = stage.key(data);
    if (key !== null) {
      const known = keys.get(stage.name) ?? new Set<string>();
      keys.set(stage.name, known);
      if (known.has(key)) return;
      known.add(key);
    }
    pending.push({
      order: order++,
      stage,
      data,
      dueAt: 0,
      gathering: stage.delayMs(ctx.settings) > 0,
      made: 0,
      delays: 0,
    });
    events.added?.(stage.name, data);
  };

  /** Milliseconds until the stage's pace allows another start (0: now). */
  const paceWait = (stage: Stage, now: number): number => {
    const pace = stage.pace(ctx.settings);
    if (!pace) return 0;
    const recent = (starts.get(stage.name) ?? []).filter((t) => t > now - pace.durationMs);
    starts.set(stage.name, recent);
    return recent.length < pace.max ? 0 : (recent[0] ?? now) + pace.durationMs - now;
  };

  const execute = async (job: Pending) => {
    const { stage } = job;
    try {
      const outcome = await stage.run(ctx, job.data, { made: job.made, max: stage.attempts });
      for (const next of outcome.next) add(next);
      events.done?.(stage.name, job.data, outcome.result);
    } catch (error) {
      const permanent = error instanceof PipelineError && error.permanent;
      const retryAfter = error instanceof PipelineError && !permanent ? error.retryAfterMs : null;
      if (retryAfter !== null && job.delays < stage.maxRetryAfterDelays && retryAfter <= maxWait) {
        // The server said when to come back: wait that long without spending an attempt; when the
        // answer is about the destination (Slack's 429), every job of the stage waits.
        events.retrying?.(stage.name, job.data, error, retryAfter);
        const until = Date.now() + retryAfter;
        if (stage.pausesOnRetryAfter) pausedUntil.set(stage.name, until);
        pending.push({ ...job, dueAt: until, delays: job.delays + 1 });
      } else if (!permanent && job.made + 1 < stage.attempts) {
        const wait = stage.backoffMs(ctx.settings) * 2 ** job.made;
        events.retrying?.(stage.name, job.data, error, wait);
        pending.push({ ...job, dueAt: Date.now() + wait, made: job.made + 1 });
      } else {
        // The last try, or one that cannot succeed: the ledger decides what becomes of the work.
        await stage.failed(ctx, job.data, error, permanent);
        events.failed?.(stage.name, job.data, error);
      }
    } finally {
      running.set(stage.name, (running.get(stage.name) ?? 1) - 1);
    }
  };

  for (const handOn of initial) add(handOn);

  while (pending.length > 0 || inFlight.size > 0) {
    let now = Date.now();
    let wakeAt = Infinity;
    pending.sort((a, b) => a.dueAt - b.dueAt || a.order - b.order);
    for (let i = 0; i < pending.length; i++) {
      const job = pending[i] as Pending;
      // A gathering job waits while any other work is running or waiting: only then are all the
      // copies it gathers stored.
      if (job.gathering && (runningOthers > 0 || pending.some((p) => !p.gathering))) continue;
      if (job.dueAt > now) {
        wakeAt = Math.min(wakeAt, job.dueAt);
        continue;
      }
      const { stage } = job;
      if ((running.get(stage.name) ?? 0) >= stage.concurrency(ctx.settings)) continue;
      const wait = Math.max(paceWait(stage, now), (pausedUntil.get(stage.name) ?? 0) - now);
      if (wait > 0) {
        wakeAt = Math.min(wakeAt, now + wait);
        continue;
      }
      pending.splice(i--, 1);
      running.set(stage.name, (running.get(stage.name) ?? 0) + 1);
      starts.set(stage.name, [...(starts.get(stage.name) ?? []), now]);
      if (!job.gathering) runningOthers++;
      const promise: Promise<void> = execute(job).finally(() => {
        inFlight.delete(promise);
        if (!job.gathering) runningOthers--;
      });
      inFlight.add(promise);
      now = Date.now();
    }
    if (inFlight.size === 0 && wakeAt === Infinity) continue;
    let timer: NodeJS.Timeout | undefined;
    const waits: Promise<unknown>[] = [...inFlight];
    if (wakeAt !== Infinity) {
      waits.push(new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, wakeAt - now)))));
    }
    await Promise.race(waits);
    clearTimeout(timer);
  }
}
