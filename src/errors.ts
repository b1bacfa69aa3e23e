/**
 * One error type for the whole pipeline: a stable code, the stage that raised it, the culprit (feed,
 * URL, file, job id) and the cause. The message starts with the stage, as miniflux does
 * ("feeds: unable to parse https://…/rss: unexpected end tag"), so one line says everything.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'config invalid',
  FETCH_FAILED: 'fetch failed',
  FETCH_REFUSED: 'fetch refused',
  FETCH_TOO_LARGE: 'response too large',
  FETCH_TIMEOUT: 'fetch timed out',
  HTTP_STATUS: 'unexpected HTTP status',
  FEED_UNPARSEABLE: 'feed unparseable',
  EXTRACT_FAILED: 'extraction failed',
  STORE_FAILED: 'storage failed',
  ALERT_FAILED: 'alert delivery failed',
  REDIS_UNREACHABLE: 'redis unreachable',
} as const;
export type ErrorCode = keyof typeof ErrorCodes;

export type Stage =
  'config' | 'http' | 'feeds' | 'extract' | 'tagging' | 'store' | 'alerts' | 'digest' | 'queue';

export class PipelineError extends Error {
  readonly code: ErrorCode;
  readonly stage: Stage;
  readonly culprit: string;
  /** Permanent errors are not retried (BullMQ UnrecoverableError in workers). */
  readonly permanent: boolean;
  /**
   * When the step may be tried again, as the culprit said (a 429's Retry-After) or as we know (a
   * delivery another worker is sending): the job waits that long without spending an attempt.
   * Null: retry on the normal backoff.
   */
  readonly retryAfterMs: number | null;

  constructor(opts: {
    code: ErrorCode;
    stage: Stage;
    culprit: string;
    detail: string;
    permanent?: boolean;
    retryAfterMs?: number | null;
    cause?: unknown;
  }) {
    super(`${opts.stage}: ${opts.culprit}: ${opts.detail}`, { cause: opts.cause });
    this.name = 'PipelineError';
    this.code = opts.code;
    this.stage = opts.stage;
    this.culprit = opts.culprit;
    this.permanent = opts.permanent ?? false;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

/** The one line shown to a person for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A config file (or a file given on the command line) that cannot be used: never worth retrying. */
export function configInvalid(culprit: string, detail: string, cause?: unknown): PipelineError {
  return new PipelineError({
    code: 'CONFIG_INVALID',
    stage: 'config',
    culprit,
    detail,
    permanent: true,
    cause,
  });
}
