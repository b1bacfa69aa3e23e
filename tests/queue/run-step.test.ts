import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { runStep } from '../../src/queue/run-step.ts';

const pipelineError = (permanent: boolean) =>
  new PipelineError({
    code: 'HTTP_STATUS',
    stage: 'http',
    culprit: 'https://example.org/a',
    detail: 'HTTP 410',
    permanent,
  });

describe('runStep', () => {
  it('returns the step result', async () => {
    await expect(runStep(async () => 42)).resolves.toBe(42);
  });

  it('turns a permanent pipeline error into an UnrecoverableError with the same message', async () => {
    const error = await runStep(() => Promise.reject(pipelineError(true))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toBe('http: https://example.org/a: HTTP 410');
  });

  it.each([
    { name: 'transient-pipeline-error', error: pipelineError(false) },
    { name: 'plain-error', error: new Error('socket hang up') },
  ])('$name is rethrown as is, for BullMQ to retry', async ({ error }) => {
    await expect(runStep(() => Promise.reject(error))).rejects.toBe(error);
  });
});
