/**
 * Per-host politeness: how many requests may be in flight to one host, how far apart they start, and
 * how long a host that asked us to back off (429/503 Retry-After, a burst of 403s) is left alone.
 * `fetchUrl` takes a gate and asks it before every hop; the memory gate serves one process
 * (`run --once`), the Redis gate is shared by every worker process.
 */

/** Gives the slot back. Calling it twice is harmless. */
export type ReleaseHost = () => void;

export interface HostPenalty {
  /** Epoch milliseconds (this process's clock) before which no request to the host starts. */
  untilMs: number;
  /** Why, e.g. "HTTP 429"; shown in logs and errors. */
  reason: string;
}

export interface HostGate {
  /**
   * Waits until the host's penalty has expired, its minimum spacing has passed since the last request
   * to it started, and fewer than the allowed number of requests to it are in flight; then takes a slot.
   * Rejects with `signal.reason` when `signal` aborts while waiting (no slot is then held).
   */
  acquire(host: string, signal?: AbortSignal): Promise<ReleaseHost>;
  /** No request to `host` starts before `untilMs`. A penalty only ever grows: a shorter one is ignored. */
  penalize(host: string, untilMs: number, reason: string): Promise<void>;
  /**
   * Counts a 403 from `host`; the one that completes a burst ({@link FORBIDDEN_BURST}) penalizes the
   * host and returns that penalty, any other returns null.
   */
  recordForbidden(host: string): Promise<HostPenalty | null>;
  /** The host's current penalty, or null when there is none (or it has expired). */
  penalty(host: string): Promise<HostPenalty | null>;
}

/**
 * Requests in flight to one host. Two is the HTTP/1.1 guidance of RFC 2616 §8.1.4 (two connections per
 * server) that browsers and crawlers long kept; a feed poll plus one article page is the common case.
 */
export const DEFAULT_MAX_CONCURRENT = 2;

/**
 * Minimum time between two request starts to one host. Polite-crawler convention: feed readers such as
 * Miniflux and crawlers honouring a `Crawl-delay: 1` hit a host at most about once a second, and news
 * sites' rate limits (Cloudflare's defaults included) are set well above that.
 */
export const DEFAULT_MIN_SPACING_MS = 1_000;

/**
 * When 403s stop meaning "this page is forbidden" and start meaning "you are being blocked": bot
 * protection (Cloudflare, Akamai) answers 403 to every URL of a host once it has decided against a
 * client. Three different articles of one site all truly forbidden within ten minutes is unlikely;
 * the ten-minute penalty matches the window, so a blocked host is tried again about six times an hour.
 */
export const FORBIDDEN_BURST = { count: 3, windowMs: 10 * 60_000, penaltyMs: 10 * 60_000 } as const;

/** The reason recorded for a 403 burst penalty. */
export const FORBIDDEN_BURST_REASON = `${FORBIDDEN_BURST.count} HTTP 403 answers within ${
  FORBIDDEN_BURST.windowMs / 60_000
} min`;

/** Resolves after `ms`, or rejects with `signal.reason` as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
