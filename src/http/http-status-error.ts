/**
 * An unexpected HTTP status, with what the caller needs to decide when to try again: the status and,
 * for rate limiting (429, 503 with Retry-After, a burst of 403s), how long the server asked us to wait.
 */
import { PipelineError, type Stage } from '../errors.ts';

export class HttpStatusError extends PipelineError {
  readonly status: number;

  /**
   * @example
   * throw new HttpStatusError({ status: 429, culprit: url, detail: 'HTTP 429', permanent: false, retryAfterMs: 60_000 });
   */
  constructor(opts: {
    status: number;
    culprit: string;
    detail: string;
    permanent: boolean;
    retryAfterMs?: number | null;
    /** The stage that made the request: 'http' for feeds and pages, 'alerts' for webhooks. */
    stage?: Stage;
  }) {
    super({
      code: 'HTTP_STATUS',
      stage: opts.stage ?? 'http',
      culprit: opts.culprit,
      detail: opts.detail,
      permanent: opts.permanent,
      // How long to wait before asking this host again; null when the server gave no such hint.
      retryAfterMs: opts.retryAfterMs ?? null,
    });
    this.name = 'HttpStatusError';
    this.status = opts.status;
  }
}
