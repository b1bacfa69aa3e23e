/**
 * The in-process executor of the flow (flow.ts): what `run --once` runs instead of BullMQ, with the
 * same job keys (a known key is dropped), the same delays, the same pace, the same concurrency and the
 * same retries (attempts, exponential backoff, Retry-After without spending an attempt).
 *
 * Two differences are stated, not hidden:
 * - a delay (the alert gather window) is cut short once nothing else is in flight: the service waits
 *   for copies that other polls may still bring, but a single pass has polled everything already, so
 *   waiting longer could not change a message;
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
  /** When it may start (epoch ms); for a `skippable` wait, on the skipped clock. */
  dueAt: number;
  /** A delay that may be cut short once nothing else is in flight (a new job's delay). */
  skippable: boolean;
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
  const starts = new Map<StageName, number[]>();
  const inFlight = new Set<Promise<void>>();
  let order = 0;
  /** Milliseconds of skippable delay skipped so far: a job's skippable dueAt is compared with now + this. */
  let skipped = 0;

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
    const delay = stage.delayMs(ctx.settings);
    pending.push({
      order: order++,
      stage,
      data,
      dueAt: Date.now() + skipped + delay,
      skippable: true,
      made: 0,
      delays: 0,
    });
    events.added?.(stage.name, data);
  };

  const effectiveDue = (job: Pending) => (job.skippable ? job.dueAt - skipped : job.dueAt);

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
        // The server said when to come back: wait that long without spending an attempt.
        events.retrying?.(stage.name, job.data, error, retryAfter);
        pending.push({ ...job, dueAt: Date.now() + retryAfter, skippable: false, delays: job.delays + 1 });
      } else if (!permanent && job.made + 1 < stage.attempts) {
        const wait = stage.backoffMs(ctx.settings) * 2 ** job.made;
        events.retrying?.(stage.name, job.data, error, wait);
        pending.push({ ...job, dueAt: Date.now() + wait, skippable: false, made: job.made + 1 });
      } else {
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
    pending.sort((a, b) => effectiveDue(a) - effectiveDue(b) || a.order - b.order);
    // Nothing in flight and nothing due: no other work can arrive, so a skippable delay ends now.
    const first = pending[0];
    if (inFlight.size === 0 && first && first.skippable && effectiveDue(first) > now) {
      skipped += effectiveDue(first) - now;
    }
    for (let i = 0; i < pending.length;) {
      const job = pending[i] as Pending;
      const due = effectiveDue(job);
      if (due > now) {
        wakeAt = Math.min(wakeAt, due);
        i++;
        continue;
      }
      const { stage } = job;
      if ((running.get(stage.name) ?? 0) >= stage.concurrency(ctx.settings)) {
        i++;
        continue;
      }
      const wait = paceWait(stage, now);
      if (wait > 0) {
        wakeAt = Math.min(wakeAt, now + wait);
        i++;
        continue;
      }
      pending.splice(i, 1);
      running.set(stage.name, (running.get(stage.name) ?? 0) + 1);
      starts.set(stage.name, [...(starts.get(stage.name) ?? []), now]);
      const promise: Promise<void> = execute(job).finally(() => inFlight.delete(promise));
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
