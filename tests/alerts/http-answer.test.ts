import { describe, expect, it } from 'vitest';
import { isPermanentStatus, statusError } from '../../src/alerts/channels/http-answer.ts';

describe('http-answer', () => {
  it.each([
    { status: 400, permanent: true },
    { status: 404, permanent: true },
    { status: 302, permanent: true },
    { status: 408, permanent: false },
    { status: 429, permanent: false },
    { status: 500, permanent: false },
    { status: 503, permanent: false },
  ])('status-$status-permanent-$permanent', ({ status, permanent }) => {
    expect(isPermanentStatus(status)).toBe(permanent);
  });

  it.each([
    { name: 'retry-after-seconds', status: 429, header: '30', body: 'rate_limited', retryAfterMs: 30_000 },
    { name: 'no-retry-after-on-500', status: 500, header: '30', body: '', retryAfterMs: null },
    { name: 'long-body-cut', status: 400, header: null, body: 'x '.repeat(500), retryAfterMs: null },
  ])('$name', ({ status, header, body, retryAfterMs }) => {
    const response = new Response(null, { status, headers: header ? { 'retry-after': header } : {} });
    const error = statusError(response, body, 'slack hooks.example', 0);
    expect(error).toMatchObject({ stage: 'alerts', status, retryAfterMs, culprit: 'slack hooks.example' });
    expect(error.message.length).toBeLessThan(300);
    expect(error.message).toContain(`HTTP ${status}`);
  });
});
