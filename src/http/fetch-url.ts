/**
 * The pipeline's one outbound HTTP client. Built on node:http/node:https `request` rather than global
 * `fetch` because the SSRF guard must decide on the address actually connected to: we resolve the host
 * ourselves, check every address, then pin the socket to the checked one through a custom `lookup`, on
 * every redirect hop (FACTS.md, Network safety).
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import zlib from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import { PipelineError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import type { HostGate, ReleaseHost } from './host-gate.ts';
import { HttpStatusError } from './http-status-error.ts';
import { parseRetryAfter } from './parse-retry-after.ts';
import { isForbiddenAddress, isPrivateNetworkAddress } from './ssrf-guard.ts';

export interface FetchTimeouts {
  /** DNS, TCP connect and TLS handshake of one hop. @defaultValue 10 000 */
  connectMs?: number;
  /** From connected to the response's status line and headers. @defaultValue 15 000 */
  headersMs?: number;
  /** Longest silence between two body chunks. @defaultValue 15 000 */
  idleMs?: number;
  /** The whole call: waiting for the host's turn, every hop, the body. @defaultValue `timeoutMs`, else 60 000 */
  totalMs?: number;
}

export interface FetchOptions {
  /** Cap on the decoded body (after gzip/deflate/br), so a compression bomb is cut off early. */
  maxBytes: number;
  /** The total time, as `timeouts.totalMs` (which wins when both are set); kept for existing callers. */
  timeoutMs?: number;
  timeouts?: FetchTimeouts;
  /**
   * Let loopback and private networks through the SSRF guard (feeds served on one's own network, local
   * development on 127.0.0.1); link-local, cloud metadata, unspecified, multicast and reserved
   * addresses stay refused (see {@link isPrivateNetworkAddress}).
   */
  allowPrivateNetworks: boolean;
  /** Extra request headers, e.g. `If-None-Match` / `If-Modified-Since` for a conditional GET. */
  headers?: Record<string, string>;
  /** @defaultValue {@link DEFAULT_USER_AGENT} */
  userAgent?: string;
  /**
   * Replaces the address decision when `allowPrivateNetworks` is false, e.g. to allow one internal
   * mirror while keeping every other private range closed. @defaultValue {@link isForbiddenAddress}
   */
  isForbidden?: (ip: string) => boolean;
  /**
   * Per-host politeness: a slot is taken before each hop (for that hop's host) and given back once the
   * hop's body is read or it failed; 429/503 Retry-After and 403 bursts penalize the host. Without a
   * gate, requests are not limited per host.
   */
  gate?: HostGate;
}

export interface FetchResult {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The decoded body (empty for 304). */
  body: Buffer;
  /** True for a 304 answer to a conditional request. */
  notModified: boolean;
}

/** Redirect hops followed before giving up; 5 is what browsers' feed readers and rss-parser also allow. */
export const MAX_REDIRECTS = 5;

/**
 * Says what we are without naming a host or URL: the user agent must not point anyone at where the
 * monitor runs or who runs it.
 */
export const DEFAULT_USER_AGENT = 'ceasefire-watch/0.1 (news monitor; feed reader)';

/**
 * Phase limits. Connect: 10 s covers two lost SYNs (Linux retransmits after 1 s and 3 s) plus a TLS
 * handshake across the world. Headers: 15 s lets an uncached WordPress or Drupal feed be generated (a
 * few seconds at worst in our feeds) while a server that accepted and hung is dropped. Idle: the same
 * 15 s between chunks; a live server streams far faster. Total: 60 s when the caller sets none (the
 * settings' FETCH_TIMEOUT_MS, 20 s by default, normally does).
 */
export const DEFAULT_TIMEOUTS: Required<FetchTimeouts> = {
  connectMs: 10_000,
  headersMs: 15_000,
  idleMs: 15_000,
  totalMs: 60_000,
};

/**
 * A 429 without Retry-After: wait a minute, the usual window of per-minute rate limits (GitHub,
 * Cloudflare rate limiting rules) and what Miniflux falls back to as well.
 */
export const DEFAULT_429_RETRY_MS = 60_000;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GET `url` with the SSRF guard, redirect, size and time limits and the per-host gate applied.
 *
 * Errors are {@link PipelineError}s with stage `http` and the URL as culprit: `FETCH_REFUSED` (guard,
 * scheme; permanent), `FETCH_TOO_LARGE` (permanent), `FETCH_TIMEOUT` (the message names the phase),
 * `FETCH_FAILED` (network errors; too many redirects is permanent), and {@link HttpStatusError}
 * (`HTTP_STATUS`; permanent for 4xx except 429 and a 403 burst, with `retryAfterMs` for rate limits).
 *
 * @example
 * const res = await fetchUrl('https://www.aljazeera.com/xml/rss/all.xml', {
 *   maxBytes: 5_000_000, timeoutMs: 20_000, allowPrivateNetworks: false,
 *   headers: { 'If-None-Match': '"abc"' }, gate: createMemoryHostGate(),
 * });
 * if (!res.notModified) parse(res.body);
 */
export async function fetchUrl(url: string, opts: FetchOptions): Promise<FetchResult> {
  const limits = resolveTimeouts(opts);
  const total = new AbortController();
  let current = url;
  let waitingFor: string | null = null;
  const timer = setTimeout(() => {
    total.abort(
      waitingFor === null
        ? timeoutError(current, `no complete answer within ${limits.totalMs} ms`)
        : timeoutError(
            current,
            `no turn at ${waitingFor} within ${limits.totalMs} ms (per-host limit or Retry-After penalty)`,
          ),
    );
  }, limits.totalMs);
  try {
    for (let hop = 0; ; hop++) {
      const target = parseTarget(current);
      let release: ReleaseHost = () => undefined;
      if (opts.gate) {
        waitingFor = target.host;
        release = await opts.gate.acquire(target.host, total.signal);
        waitingFor = null;
      }
      try {
        const outcome = await fetchHop(target, current, opts, limits, total.signal);
        if ('location' in outcome) {
          if (hop >= MAX_REDIRECTS) {
            throw httpError('FETCH_FAILED', current, `more than ${MAX_REDIRECTS} redirects`, true);
          }
          current = new URL(outcome.location, current).href;
          continue;
        }
        return outcome;
      } finally {
        release();
      }
    }
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    if (total.signal.aborted && total.signal.reason instanceof PipelineError) throw total.signal.reason;
    throw new PipelineError({
      code: 'FETCH_FAILED',
      stage: 'http',
      culprit: current,
      detail: networkProblem(error as NodeJS.ErrnoException, current),
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

function resolveTimeouts(opts: FetchOptions): Required<FetchTimeouts> {
  return {
    connectMs: opts.timeouts?.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
    headersMs: opts.timeouts?.headersMs ?? DEFAULT_TIMEOUTS.headersMs,
    idleMs: opts.timeouts?.idleMs ?? DEFAULT_TIMEOUTS.idleMs,
    totalMs: opts.timeouts?.totalMs ?? opts.timeoutMs ?? DEFAULT_TIMEOUTS.totalMs,
  };
}

/**
 * One request: guard, connect, headers, then either a redirect to follow or the final result. The
 * connect and headers phases each have their own timer, aborting this hop with an error naming the
 * phase; the total timer aborts through `totalSignal`.
 */
async function fetchHop(
  target: Target,
  culprit: string,
  opts: FetchOptions,
  limits: Required<FetchTimeouts>,
  totalSignal: AbortSignal,
): Promise<FetchResult | { location: string }> {
  const hop = new AbortController();
  const signal = AbortSignal.any([totalSignal, hop.signal]);
  const phase = (ms: number, detail: string) =>
    setTimeout(() => hop.abort(timeoutError(culprit, detail)), ms);
  let timer = phase(limits.connectMs, `no connection within ${limits.connectMs} ms`);
  try {
    const address = await raceAbort(resolveChecked(target, culprit, opts), signal);
    const res = await sendRequest(target, address, opts, signal, () => {
      clearTimeout(timer);
      timer = phase(limits.headersMs, `no response headers within ${limits.headersMs} ms`);
    });
    clearTimeout(timer);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    // Bodies we do not read are dropped with their socket (no keep-alive to save it for), so a server
    // stalling a redirect's body cannot hold the socket open.
    if (REDIRECT_STATUSES.has(status) && location) {
      res.destroy();
      return { location };
    }
    const headers = flattenHeaders(res);
    if (status === 304) {
      res.destroy();
      return { url: culprit, status, headers, body: Buffer.alloc(0), notModified: true };
    }
    if (status < 200 || status > 299) {
      res.destroy();
      throw await statusError(status, headers, target.host, culprit, opts.gate);
    }
    const body = await readBody(res, opts.maxBytes, limits.idleMs, signal, culprit);
    return { url: culprit, status, headers, body, notModified: false };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The one place an HTTP status becomes an error. 429 and 503 are transient and carry the server's
 * Retry-After (429 without one: {@link DEFAULT_429_RETRY_MS}), which also penalizes the host in the gate
 * so no other fetch asks it sooner. A 403 is permanent, unless it completes a burst: then the host is
 * blocking us, and it is treated as a 429.
 */
async function statusError(
  status: number,
  headers: Record<string, string>,
  host: string,
  culprit: string,
  gate: HostGate | undefined,
): Promise<HttpStatusError> {
  if (status === 429 || status === 503) {
    const hinted = parseRetryAfter(headers['retry-after'], Date.now());
    const retryAfterMs = hinted ?? (status === 429 ? DEFAULT_429_RETRY_MS : null);
    if (gate && retryAfterMs) await gate.penalize(host, Date.now() + retryAfterMs, `HTTP ${status}`);
    const wait = retryAfterMs === null ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`;
    return new HttpStatusError({
      status,
      culprit,
      detail: `HTTP ${status}${wait}`,
      permanent: false,
      retryAfterMs,
    });
  }
  if (status === 403 && gate) {
    const penalty = await gate.recordForbidden(host);
    if (penalty) {
      return new HttpStatusError({
        status,
        culprit,
        detail: `HTTP 403, the last of ${penalty.reason}: treated as rate limiting`,
        permanent: false,
        retryAfterMs: Math.max(0, penalty.untilMs - Date.now()),
      });
    }
  }
  return new HttpStatusError({ status, culprit, detail: `HTTP ${status}`, permanent: status < 500 });
}

/** A person-readable reason for a socket-level failure, with the system code kept for searching. */
function networkProblem(error: NodeJS.ErrnoException, url: string): string {
  const host = new URL(url).hostname;
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${host} (${error.code})`;
    case 'ECONNREFUSED':
      return `connection refused by ${host} (ECONNREFUSED)`;
    case 'ECONNRESET':
      return `connection reset by ${host} (ECONNRESET)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host} is unreachable (${error.code})`;
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}

interface Target {
  url: URL;
  /** The host without IPv6 brackets. */
  host: string;
}

function parseTarget(raw: string): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new PipelineError({
      code: 'FETCH_REFUSED',
      stage: 'http',
      culprit: raw,
      detail: 'not a valid URL',
      permanent: true,
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw httpError('FETCH_REFUSED', raw, `scheme ${url.protocol} is not http or https`, true);
  }
  // The WHATWG parser has already turned octal/hex/short IPv4 forms into dotted quads.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { url, host };
}

/**
 * Resolves the host and returns the one address the socket will be pinned to. Literal IPs are checked
 * as they are: `net.connect` never calls `lookup` for them, so a DNS-only guard would let them through.
 * Every resolved address must pass, not just the first: a host answering both a public and a private
 * address would otherwise win whenever the private one is tried.
 */
async function resolveChecked(
  target: Target,
  culprit: string,
  opts: FetchOptions,
): Promise<dns.LookupAddress> {
  const family = net.isIP(target.host);
  const addresses =
    family !== 0
      ? [{ address: target.host, family }]
      : await dns.promises.lookup(target.host, { all: true, verbatim: true });
  const first = addresses[0];
  if (!first) throw httpError('FETCH_FAILED', culprit, `no address for ${target.host}`, false);
  const forbidden = opts.allowPrivateNetworks
    ? (ip: string) => isForbiddenAddress(ip) && !isPrivateNetworkAddress(ip)
    : (opts.isForbidden ?? isForbiddenAddress);
  const bad = addresses.find((a) => forbidden(a.address));
  if (bad) {
    const why = opts.allowPrivateNetworks
      ? 'link-local, metadata, multicast or reserved address, refused even with ALLOW_PRIVATE_NETWORKS'
      : 'private, local or reserved address; set ALLOW_PRIVATE_NETWORKS=true to allow feeds on your own network';
    throw httpError(
      'FETCH_REFUSED',
      culprit,
      `refused to connect to ${bad.address} (${target.host}): ${why}`,
      true,
    );
  }
  return first;
}

function sendRequest(
  target: Target,
  address: dns.LookupAddress,
  opts: FetchOptions,
  signal: AbortSignal,
  onConnected: () => void,
): Promise<IncomingMessage> {
  // Node may ask for all addresses (autoSelectFamily) or one; either way it gets only the checked one.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [address]);
    else callback(null, address.address, address.family);
  };
  const secure = target.url.protocol === 'https:';
  const client = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(target.url, {
      method: 'GET',
      lookup: pinned,
      // No pooled sockets: a kept-alive socket skips `lookup`, and one opened under another call's
      // guard settings must not be reused under stricter ones. Feeds are one request per host anyway.
      agent: false,
      signal,
      headers: {
        'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT,
        accept: '*/*',
        'accept-encoding': 'gzip, deflate, br',
        ...opts.headers,
      },
    });
    req.once('socket', (socket) => {
      socket.once(secure ? 'secureConnect' : 'connect', onConnected);
    });
    req.on('response', resolve);
    req.on('error', (error) => reject(signal.aborted ? signal.reason : error));
    req.end();
  });
}

/**
 * Reads and decodes the body, counting decoded bytes so a compression bomb stops at `maxBytes`, and
 * failing when no chunk arrives for `idleMs`.
 */
function readBody(
  res: IncomingMessage,
  maxBytes: number,
  idleMs: number,
  signal: AbortSignal,
  culprit: string,
): Promise<Buffer> {
  const tooLarge = () => httpError('FETCH_TOO_LARGE', culprit, `body over ${maxBytes} bytes`, true);
  const declared = Number(res.headers['content-length']);
  const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' && Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    let decoder: zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress | undefined;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => fail(timeoutError(culprit, `no body data for ${idleMs} ms`)), idleMs);
    };
    const onAbort = () => fail(signal.reason);
    const settle = () => {
      settled = true;
      clearTimeout(idle);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settle();
      res.destroy();
      decoder?.destroy();
      reject(
        error instanceof PipelineError
          ? error
          : signal.aborted
            ? signal.reason
            : httpError(
                'FETCH_FAILED',
                culprit,
                `unable to read response body: ${(error as Error).message}`,
                false,
              ),
      );
    };
    const onDecoded = (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > maxBytes) return fail(tooLarge());
      chunks.push(chunk);
    };
    const done = () => {
      if (settled) return;
      settle();
      resolve(Buffer.concat(chunks));
    };
    const makeDecoder = (first: Buffer) => {
      if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip();
      if (encoding === 'br') return zlib.createBrotliDecompress();
      // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate: a zlib header's
      // first byte has 8 (deflate) in its low nibble.
      if (encoding === 'deflate')
        return (first[0] ?? 0) % 16 === 8 ? zlib.createInflate() : zlib.createInflateRaw();
      return undefined;
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    armIdle();
    res.on('error', fail);
    res.on('aborted', () => fail(new Error('connection aborted')));
    let started = false;
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      armIdle();
      if (!started) {
        started = true;
        decoder = makeDecoder(chunk);
        if (decoder) {
          decoder.on('data', onDecoded);
          decoder.on('error', fail);
          decoder.on('end', done);
        }
      }
      if (decoder) decoder.write(chunk);
      else onDecoded(chunk);
    });
    res.on('end', () => {
      if (settled) return;
      if (decoder) decoder.end();
      else done();
    });
  });
}

function flattenHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** dns.lookup cannot be cancelled; racing it keeps the timeouts honest. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function timeoutError(culprit: string, detail: string): PipelineError {
  return httpError('FETCH_TIMEOUT', culprit, detail, false);
}

function httpError(code: ErrorCode, culprit: string, detail: string, permanent: boolean): PipelineError {
  return new PipelineError({ code, stage: 'http', culprit, detail, permanent });
}
