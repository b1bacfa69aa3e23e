/**
 * The in-process executor on small stages of its own: it must do what BullMQ does with the same
 * definitions (drop a known key, hand on, keep concurrency and pace, retry with backoff, wait out a
 * Retry-After without spending an attempt), and cut a delay short only when nothing else is in flight.
 */
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.ts';
import { PipelineError } from '../../src/errors.ts';
import type { Attempt, Pace, Stage, StageName, StageResult } from '../../src/pipeline/flow.ts';
import { runInProcess, type InProcessEvents } from '../../src/pipeline/run-in-process.ts';
import type { PipelineContext } from '../../src/pipeline/steps.ts';

/** The executor reads only the settings; the stages here ignore the context. */
const ctx = { settings: loadSettings({}) } as unknown as PipelineContext;

interface Payload {
  id: string;
  key?: string | null;
  next?: { stage: StageName; data: Payload }[];
}

type Run = (data: Payload, attempt: Attempt) => Promise<void> | void;

const result = (): StageResult => ({ stage: 'alert', outcome: 'sent' });

function stage(name: StageName, run: Run, patch: Partial<Stage> = {}): Stage {
  return {
    name,
    queue: 'alert',
    parse: (data) => data,
    jobName: () => name,
    key: (data) => {
      const { key, id } = data as Payload;
      return key === undefined ? id : key;
    },
    delayMs: () => 0,
    concurrency: () => 1,
    pace: () => null,
    attempts: 1,
    backoffMs: () => 5,
    maxRetryAfterDelays: 0,
    pausesOnRetryAfter: false,
    failed: async () => undefined,
    async run(_ctx, data, attempt) {
      await run(data as Payload, attempt);
      return { result: result(), next: (data as Payload).next ?? [] };
    },
    ...patch,
  };
}

function flowOf(stages: Partial<Record<StageName, Stage>>): Record<StageName, Stage> {
  const idle = stage('feed', () => undefined);
  return {
    feed: stages.feed ?? idle,
    article: stages.article ?? idle,
    store: stages.store ?? idle,
    alert: stages.alert ?? idle,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Log {
  done: string[];
  failed: string[];
  retrying: number[];
}

/** Events that write down what happened, by stage and payload id. */
function recorder(): { log: Log; events: InProcessEvents } {
  const log: Log = { done: [], failed: [], retrying: [] };
  return {
    log,
    events: {
      done: (stageName, data) => void log.done.push(`${stageName}:${(data as Payload).id}`),
      failed: (stageName, data) => void log.failed.push(`${stageName}:${(data as Payload).id}`),
      retrying: (_stage, _data, _error, wait) => void log.retrying.push(wait),
    },
  };
}

describe('runInProcess', () => {
  it('drops a job whose key is known, as BullMQ drops a known job id', async () => {
    const runs: string[] = [];
    const flow = flowOf({ feed: stage('feed', (d) => void runs.push(d.id)) });
    await runInProcess(ctx, flow, [
      { stage: 'feed', data: { id: 'a' } },
      { stage: 'feed', data: { id: 'a' } },
      { stage: 'feed', data: { id: 'b', key: null } },
      { stage: 'feed', data: { id: 'b', key: null } },
    ]);
    expect(runs).toEqual(['a', 'b', 'b']);
  });

  it('hands each job on to the next stage', async () => {
    const seen: string[] = [];
    const flow = flowOf({
      feed: stage('feed', (d) => void seen.push(`feed ${d.id}`)),
      article: stage('article', (d) => void seen.push(`article ${d.id}`)),
    });
    await runInProcess(ctx, flow, [
      {
        stage: 'feed',
        data: {
          id: 'f',
          next: [
            { stage: 'article', data: { id: 'x' } },
            { stage: 'article', data: { id: 'x' } },
          ],
        },
      },
    ]);
    expect(seen).toEqual(['feed f', 'article x']);
  });

  it('runs at most `concurrency` jobs of a stage at once, and that many when it can', async () => {
    let running = 0;
    let most = 0;
    const flow = flowOf({
      article: stage(
        'article',
        async () => {
          most = Math.max(most, ++running);
          await sleep(20);
          running--;
        },
        { concurrency: () => 2 },
      ),
    });
    await runInProcess(
      ctx,
      flow,
      ['a', 'b', 'c', 'd', 'e'].map((id) => ({ stage: 'article' as const, data: { id } })),
    );
    expect(most).toBe(2);
  });

  it('keeps the pace between job starts', async () => {
    const pace: Pace = { max: 1, durationMs: 40 };
    const starts: number[] = [];
    const flow = flowOf({ alert: stage('alert', () => void starts.push(Date.now()), { pace: () => pace }) });
    await runInProcess(
      ctx,
      flow,
      ['a', 'b', 'c', 'd'].map((id) => ({ stage: 'alert' as const, data: { id } })),
    );
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(pace.durationMs - 1);
  });

  it('starts a delayed job once nothing else is in flight, however long its delay', async () => {
    const order: string[] = [];
    const flow = flowOf({
      feed: stage('feed', async (d) => {
        order.push(`feed ${d.id} start`);
        await sleep(d.id === 'slow' ? 300 : 0);
        order.push(`feed ${d.id} end`);
      }),
      // An hour's delay: were it waited for, the test would time out.
      alert: stage('alert', (d) => void order.push(`alert ${d.id}`), { delayMs: () => 3_600_000 }),
    });
    await runInProcess(ctx, flow, [
      { stage: 'feed', data: { id: 'quick', next: [{ stage: 'alert', data: { id: 'gathered' } }] } },
      { stage: 'feed', data: { id: 'slow' } },
    ]);
    // The alert waited for the slow feed, then ran at once.
    expect(order.indexOf('alert gathered')).toBeGreaterThan(order.indexOf('feed slow end'));
  });

  it('holds a delayed job while other work is in flight, however short its delay', async () => {
    // The gather window exists so that the round's copies are stored first; a single pass knows when
    // that is, so a short delay never lets a message out early on a busy machine.
    const order: string[] = [];
    const flow = flowOf({
      feed: stage('feed', async (d) => {
        await sleep(d.id === 'slow' ? 300 : 0);
        order.push(`feed ${d.id} end`);
      }),
      alert: stage('alert', () => void order.push('alert'), { delayMs: () => 1 }),
    });
    await runInProcess(ctx, flow, [
      { stage: 'feed', data: { id: 'quick', next: [{ stage: 'alert', data: { id: 'due' } }] } },
      { stage: 'feed', data: { id: 'slow' } },
    ]);
    expect(order).toEqual(['feed quick end', 'feed slow end', 'alert']);
  });

  it('retries on the backoff until it succeeds, with the attempt number passed in', async () => {
    const attempts: number[] = [];
    const { log, events } = recorder();
    const flow = flowOf({
      article: stage(
        'article',
        (_d, attempt) => {
          attempts.push(attempt.made);
          if (attempt.made < 2) throw new Error('flaky');
        },
        { attempts: 5, backoffMs: () => 5 },
      ),
    });
    await runInProcess(ctx, flow, [{ stage: 'article', data: { id: 'a' } }], events);
    expect(attempts).toEqual([0, 1, 2]);
    expect(log.retrying).toEqual([5, 10]);
    expect(log.done).toEqual(['article:a']);
  });

  it.each([
    { name: 'permanent-error-is-not-retried', error: () => permanent(), attempts: 5, runs: 1 },
    { name: 'attempts-spent', error: () => new Error('down'), attempts: 3, runs: 3 },
  ])('$name', async ({ error, attempts, runs }) => {
    let n = 0;
    const { log, events } = recorder();
    const flow = flowOf({
      store: stage(
        'store',
        () => {
          n++;
          throw error();
        },
        { attempts },
      ),
    });
    await runInProcess(ctx, flow, [{ stage: 'store', data: { id: 's' } }], events);
    expect(n).toBe(runs);
    expect(log.failed).toEqual(['store:s']);
  });

  it('waits out a Retry-After without spending an attempt, within the limits', async () => {
    const made: number[] = [];
    const flow = flowOf({
      alert: stage(
        'alert',
        (_d, attempt) => {
          made.push(attempt.made);
          if (made.length <= 2) throw comeBackIn(20);
        },
        { attempts: 1, maxRetryAfterDelays: 5 },
      ),
    });
    await runInProcess(ctx, flow, [{ stage: 'alert', data: { id: 'a' } }]);
    expect(made).toEqual([0, 0, 0]);
  });

  it('spends an attempt on a Retry-After longer than a single pass waits', async () => {
    const made: number[] = [];
    const { log, events } = recorder();
    const flow = flowOf({
      article: stage(
        'article',
        (_d, attempt) => {
          made.push(attempt.made);
          throw comeBackIn(3_600_000);
        },
        { attempts: 2, maxRetryAfterDelays: 24, backoffMs: () => 5 },
      ),
    });
    await runInProcess(ctx, flow, [{ stage: 'article', data: { id: 'a' } }], events, {
      maxRetryAfterWaitMs: 1_000,
    });
    expect(made).toEqual([0, 1]);
    expect(log.failed).toEqual(['article:a']);
  });
});

function permanent(): PipelineError {
  return new PipelineError({
    code: 'FETCH_FAILED',
    stage: 'http',
    culprit: 'x',
    detail: 'gone',
    permanent: true,
  });
}

function comeBackIn(ms: number): PipelineError {
  return new PipelineError({
    code: 'HTTP_STATUS',
    stage: 'http',
    culprit: 'x',
    detail: 'HTTP 429',
    retryAfterMs: ms,
  });
}
