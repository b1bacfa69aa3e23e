import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { HttpStatusError } from '../../src/http/http-status-error.ts';
import {
  classifyFailure,
  failureFacts,
  FAILURE_ALERT_SCORE,
  MAX_BACKOFF_MS,
  needsFailureAlert,
  nextHealth,
  nextPollDue,
  type FeedOutcome,
  type FailureFacts,
  type FailureKind,
} from '../../src/feeds/feed-health.ts';

const NOW = new Date('2025-12-19T10:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('classifyFailure', () => {
  it.each<{ name: string; facts: FailureFacts; expected: FailureKind }>([
    { name: 'http-404-is-hard', facts: { code: 'HTTP_STATUS', status: 404 }, expected: 'hard' },
    { name: 'http-410-is-hard', facts: { code: 'HTTP_STATUS', status: 410 }, expected: 'hard' },
    { name: 'http-403-is-hard', facts: { code: 'HTTP_STATUS', status: 403 }, expected: 'hard' },
    {
      name: 'http-403-with-a-wait-is-temporary',
      facts: { status: 403, retryAfterMs: 600_000 },
      expected: 'temporary',
    },
    {
      name: 'http-404-with-a-wait-is-still-hard',
      facts: { status: 404, retryAfterMs: 600_000 },
      expected: 'hard',
    },
    { name: 'other-4xx-is-hard', facts: { code: 'HTTP_STATUS', status: 418 }, expected: 'hard' },
    { name: 'ssrf-refusal-is-hard', facts: { code: 'FETCH_REFUSED', permanent: true }, expected: 'hard' },
    { name: 'unparseable-feed-is-hard', facts: { code: 'FEED_UNPARSEABLE' }, expected: 'hard' },
    { name: 'too-large-is-hard', facts: { code: 'FETCH_TOO_LARGE' }, expected: 'hard' },
    {
      name: 'unknown-host-is-hard',
      facts: { code: 'FETCH_FAILED', systemCode: 'ENOTFOUND' },
      expected: 'hard',
    },
    { name: 'http-500-is-soft', facts: { code: 'HTTP_STATUS', status: 500 }, expected: 'soft' },
    { name: 'http-502-is-soft', facts: { code: 'HTTP_STATUS', status: 502 }, expected: 'soft' },
    { name: 'http-503-without-retry-after-is-soft', facts: { status: 503 }, expected: 'soft' },
    { name: 'http-408-is-soft', facts: { status: 408 }, expected: 'soft' },
    { name: 'timeout-is-soft', facts: { code: 'FETCH_TIMEOUT' }, expected: 'soft' },
    {
      name: 'connection-refused-is-soft',
      facts: { code: 'FETCH_FAILED', systemCode: 'ECONNREFUSED' },
      expected: 'soft',
    },
    { name: 'http-429-is-temporary', facts: { status: 429 }, expected: 'temporary' },
    {
      name: 'http-503-with-retry-after-is-temporary',
      facts: { status: 503, retryAfterMs: 120_000 },
      expected: 'temporary',
    },
    {
      name: 'connection-reset-is-temporary',
      facts: { code: 'FETCH_FAILED', systemCode: 'ECONNRESET' },
      expected: 'temporary',
    },
    { name: 'dns-try-again-is-temporary', facts: { systemCode: 'EAI_AGAIN' }, expected: 'temporary' },
    {
      name: 'unlisted-permanent-is-hard',
      facts: { code: 'FETCH_FAILED', permanent: true },
      expected: 'hard',
    },
    { name: 'unlisted-transient-is-soft', facts: { code: 'STORE_FAILED' }, expected: 'soft' },
  ])('$name', ({ facts, expected }) => {
    expect(classifyFailure(facts)).toBe(expected);
  });
});

describe('failureFacts', () => {
  const httpError = (detail: string, permanent: boolean) =>
    new PipelineError({
      code: 'HTTP_STATUS',
      stage: 'http',
      culprit: 'https://x.example/rss',
      detail,
      permanent,
    });

  it.each<{ name: string; error: unknown; expected: FailureFacts; kind: FailureKind }>([
    {
      name: 'status-from-the-message',
      error: httpError('HTTP 410', true),
      expected: { code: 'HTTP_STATUS', status: 410, permanent: true },
      kind: 'hard',
    },
    {
      name: 'system-code-from-the-message',
      error: new PipelineError({
        code: 'FETCH_FAILED',
        stage: 'http',
        culprit: 'https://x.example/rss',
        detail: 'connection reset by x.example (ECONNRESET)',
      }),
      expected: { code: 'FETCH_FAILED', systemCode: 'ECONNRESET', permanent: false },
      kind: 'temporary',
    },
    {
      name: 'system-code-from-the-cause',
      error: new PipelineError({
        code: 'FETCH_FAILED',
        stage: 'http',
        culprit: 'https://nowhere.invalid/rss',
        detail: 'cannot resolve',
        cause: Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }),
      }),
      expected: { code: 'FETCH_FAILED', systemCode: 'ENOTFOUND', permanent: false },
      kind: 'hard',
    },
    {
      name: 'http-status-error-from-the-client',
      error: new HttpStatusError({
        status: 429,
        culprit: 'https://x.example/rss',
        detail: 'HTTP 429',
        permanent: false,
        retryAfterMs: 60_000,
      }),
      expected: { code: 'HTTP_STATUS', status: 429, retryAfterMs: 60_000, permanent: false },
      kind: 'temporary',
    },
    {
      name: 'status-and-retry-after-properties-win',
      error: Object.assign(httpError('HTTP 503', false), { status: 503, retryAfterMs: 60_000 }),
      expected: { code: 'HTTP_STATUS', status: 503, retryAfterMs: 60_000, permanent: false },
      kind: 'temporary',
    },
    {
      name: 'a-plain-node-error',
      error: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
      expected: { systemCode: 'ECONNREFUSED' },
      kind: 'soft',
    },
    { name: 'not-an-object', error: 'boom', expected: {}, kind: 'soft' },
  ])('$name', ({ error, expected, kind }) => {
    const facts = failureFacts(error);
    expect(facts).toEqual(expected);
    expect(classifyFailure(facts)).toBe(kind);
  });
});

describe('nextHealth', () => {
  it.each<{
    name: string;
    prev: { score: number; consecutiveFailures: number };
    outcome: FeedOutcome;
    interval: number;
    retryAfterMs?: number;
    expected: { score: number; consecutiveFailures: number; delayMs: number; status: string };
  }>([
    {
      name: 'first-soft-failure-doubles-the-interval',
      prev: { score: 0, consecutiveFailures: 0 },
      outcome: 'soft',
      interval: 15,
      expected: { score: 1, consecutiveFailures: 1, delayMs: 30 * MIN, status: 'failing' },
    },
    {
      name: 'first-hard-failure-waits-eight-intervals',
      prev: { score: 0, consecutiveFailures: 0 },
      outcome: 'hard',
      interval: 15,
      expected: { score: 3, consecutiveFailures: 1, delayMs: 2 * HOUR, status: 'failing' },
    },
    {
      name: 'temporary-failure-barely-moves',
      prev: { score: 0, consecutiveFailures: 0 },
      outcome: 'temporary',
      interval: 16,
      expected: {
        score: 0.5,
        consecutiveFailures: 1,
        delayMs: Math.round(16 * MIN * Math.SQRT2),
        status: 'failing',
      },
    },
    {
      name: 'retry-after-longer-than-the-backoff-wins',
      prev: { score: 0, consecutiveFailures: 0 },
      outcome: 'temporary',
      interval: 15,
      retryAfterMs: 3 * HOUR,
      expected: { score: 0.5, consecutiveFailures: 1, delayMs: 3 * HOUR, status: 'failing' },
    },
    {
      name: 'retry-after-is-capped-at-a-day',
      prev: { score: 0, consecutiveFailures: 0 },
      outcome: 'temporary',
      interval: 15,
      retryAfterMs: 7 * 24 * HOUR,
      expected: { score: 0.5, consecutiveFailures: 1, delayMs: MAX_BACKOFF_MS, status: 'failing' },
    },
    {
      name: 'a-high-score-is-capped-at-a-day',
      prev: { score: 9, consecutiveFailures: 9 },
      outcome: 'soft',
      interval: 60,
      expected: { score: 10, consecutiveFailures: 10, delayMs: MAX_BACKOFF_MS, status: 'failing' },
    },
    {
      name: 'the-score-stops-growing',
      prev: { score: 12, consecutiveFailures: 40 },
      outcome: 'hard',
      interval: 15,
      expected: { score: 12, consecutiveFailures: 41, delayMs: MAX_BACKOFF_MS, status: 'failing' },
    },
    {
      name: 'success-resets-to-the-interval',
      prev: { score: 7, consecutiveFailures: 5 },
      outcome: 'success',
      interval: 20,
      expected: { score: 0, consecutiveFailures: 0, delayMs: 20 * MIN, status: 'ok' },
    },
  ])('$name', ({ prev, outcome, interval, retryAfterMs, expected }) => {
    const next = nextHealth(prev, outcome, NOW, interval, retryAfterMs);
    expect(next).toEqual({
      ...expected,
      nextPollAt: new Date(NOW.getTime() + expected.delayMs).toISOString(),
    });
  });

  it('backs-off-a-failing-feed-then-recovers', () => {
    // A 15-minute feed whose server fails for a day and a half, then comes back.
    let health = { score: 0, consecutiveFailures: 0 };
    let now = NOW;
    const delays: number[] = [];
    const alerts: boolean[] = [];
    let lastSuccessAt: string | null = NOW.toISOString();
    for (let i = 0; i < 9; i++) {
      const next = nextHealth(health, 'soft', now, 15);
      delays.push(next.delayMs / MIN);
      alerts.push(
        needsFailureAlert({ status: next.status, failureScore: next.score, lastSuccessAt }, null, now),
      );
      health = next;
      now = new Date(next.nextPollAt);
    }
    expect(delays).toEqual([30, 60, 120, 240, 480, 960, 1440, 1440, 1440]);
    // Sustained from the sixth failure on (score 6), not before.
    expect(alerts).toEqual([false, false, false, false, false, true, true, true, true]);

    const recovered = nextHealth(health, 'success', now, 15);
    expect(recovered).toMatchObject({ score: 0, consecutiveFailures: 0, delayMs: 15 * MIN, status: 'ok' });
    lastSuccessAt = now.toISOString();
    expect(needsFailureAlert({ status: recovered.status, failureScore: 0, lastSuccessAt }, null, now)).toBe(
      false,
    );

    // The next failure starts the ladder again from the bottom.
    expect(nextHealth(recovered, 'soft', now, 15).delayMs).toBe(30 * MIN);
  });
});

describe('needsFailureAlert', () => {
  const failing = (score: number, lastSuccessAt: string | null) => ({
    status: 'failing' as const,
    failureScore: score,
    lastSuccessAt,
  });
  const hoursAgo = (h: number) => new Date(NOW.getTime() - h * HOUR).toISOString();

  it.each([
    {
      name: 'healthy-feed',
      health: { status: 'ok' as const, failureScore: 0, lastSuccessAt: hoursAgo(1) },
      lastAlertAt: null,
      expected: false,
    },
    {
      name: 'new-feed',
      health: { status: 'new' as const, failureScore: 0, lastSuccessAt: null },
      lastAlertAt: null,
      expected: false,
    },
    { name: 'brief-failure', health: failing(2, hoursAgo(1)), lastAlertAt: null, expected: false },
    {
      name: 'score-at-threshold',
      health: failing(FAILURE_ALERT_SCORE, hoursAgo(3)),
      lastAlertAt: null,
      expected: true,
    },
    {
      name: 'failing-for-a-day-at-a-low-score',
      health: failing(1.5, hoursAgo(24)),
      lastAlertAt: null,
      expected: true,
    },
    { name: 'never-succeeded-low-score', health: failing(2, null), lastAlertAt: null, expected: false },
    {
      name: 'alerted-an-hour-ago',
      health: failing(8, hoursAgo(30)),
      lastAlertAt: hoursAgo(1),
      expected: false,
    },
    {
      name: 'alerted-a-day-ago-reminds',
      health: failing(8, hoursAgo(60)),
      lastAlertAt: hoursAgo(24),
      expected: true,
    },
    {
      name: 'alert-from-an-earlier-streak',
      health: failing(6, hoursAgo(2)),
      lastAlertAt: hoursAgo(3),
      expected: true,
    },
  ])('$name', ({ health, lastAlertAt, expected }) => {
    expect(needsFailureAlert(health, lastAlertAt, NOW)).toBe(expected);
  });
});

describe('nextPollDue', () => {
  it('is the backoff when there is one, else an interval after the last fetch, else now', () => {
    const fetched = { lastFetchedAt: '2025-12-19T10:00:00.000Z', intervalMinutes: 15 };
    expect(nextPollDue({ ...fetched, nextPollAt: null })).toBe('2025-12-19T10:15:00.000Z');
    expect(nextPollDue({ ...fetched, nextPollAt: '2025-12-19T16:00:00.000Z' })).toBe(
      '2025-12-19T16:00:00.000Z',
    );
    expect(nextPollDue({ lastFetchedAt: null, intervalMinutes: 15, nextPollAt: null })).toBeNull();
  });
});
