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
import { isForbiddenAddress } from './ssrf-guard.ts';

export interface FetchOptions {
  /** Cap on the decoded body (after gzip/deflate/br), so a compression bomb is cut off early. */
  maxBytes: number;
  /** Total time for DNS, connection, every redirect hop and the body. */
  timeoutMs: number;
  /** Skip the SSRF guard (local development against a feed served on 127.0.0.1). */
  allowPrivateNetworks: boolean;
  /** Extra request headers, e.g. `If-None-Match` / `If-Modified-Since` for a conditional GET. */
  headers?: Record<string, string>;
  userAgent?: string;
  /**
   * Replaces the address decision when `allowPrivateNetworks` is false, e.g. to allow one internal
   * mirror while keeping every other private range closed. @defaultValue {@link isForbiddenAddress}
   */
  isForbidden?: (ip: string) => boolean;
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

const DEFAULT_USER_AGENT = 'ceasefire-watch/0.1 (+https://github.com/ceasefire-watch)';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GET `url` with the SSRF guard, redirect, size and time limits applied.
 *
 * Errors are {@link PipelineError}s with stage `http` and the URL as culprit: `FETCH_REFUSED` (guard,
 * scheme; permanent), `FETCH_TOO_LARGE` (permanent), `FETCH_TIMEOUT`, `HTTP_STATUS` (permanent for 4xx
 * except 429), `FETCH_FAILED` (network errors; too many redirects is permanent).
 *
 * @example
 * const res = await fetchUrl('https://www.aljazeera.com/xml/rss/all.xml', {
 *   maxBytes: 5_000_000, timeoutMs: 20_000, allowPrivateNetworks: false,
 *   headers: { 'If-None-Match': '"abc"' },
 * });
 * if (!res.notModified) parse(res.body);
 */
export async function fetchUrl(url: string, opts: FetchOptions): Promise<FetchResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const target = parseTarget(current);
      const address = await raceAbort(
        resolveChecked(target, current, opts),
        controller.signal,
        current,
        opts,
      );
      const res = await sendRequest(target, address, opts, controller.signal, current);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECT_STATUSES.has(status) && location) {
        res.resume();
        if (hop >= MAX_REDIRECTS) {
          throw httpError('FETCH_FAILED', current, `more than ${MAX_REDIRECTS} redirects`, true);
        }
        current = new URL(location, current).href;
        continue;
      }
      const headers = flattenHeaders(res);
      if (status === 304) {
        res.resume();
        return { url: current, status, headers, body: Buffer.alloc(0), notModified: true };
      }
      if (status < 200 || status > 299) {
        res.resume();
        const transient = status === 429 || status >= 500;
        throw httpError('HTTP_STATUS', current, `HTTP ${status}`, !transient);
      }
      const body = await readBody(res, opts, controller.signal, current);
      return { url: current, status, headers, body, notModified: false };
    }
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    if (controller.signal.aborted) throw timeoutError(current, opts);
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
  if (!opts.allowPrivateNetworks) {
    const forbidden = opts.isForbidden ?? isForbiddenAddress;
    const bad = addresses.find((a) => forbidden(a.address));
    if (bad) {
      throw httpError(
        'FETCH_REFUSED',
        culprit,
        `refused to connect to ${bad.address} (${target.host}): private, local or reserved address`,
        true,
      );
    }
  }
  return first;
}

function sendRequest(
  target: Target,
  address: dns.LookupAddress,
  opts: FetchOptions,
  signal: AbortSignal,
  culprit: string,
): Promise<IncomingMessage> {
  // Node may ask for all addresses (autoSelectFamily) or one; either way it gets only the checked one.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [address]);
    else callback(null, address.address, address.family);
  };
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(target.url, {
      method: 'GET',
      lookup: pinned,
      signal,
      headers: {
        'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT,
        accept: '*/*',
        'accept-encoding': 'gzip, deflate, br',
        ...opts.headers,
      },
    });
    req.on('response', resolve);
    req.on('error', (error) => reject(signal.aborted ? timeoutError(culprit, opts) : error));
    req.end();
  });
}

/** Reads and decodes the body, counting decoded bytes so a compression bomb stops at `maxBytes`. */
function readBody(
  res: IncomingMessage,
  opts: FetchOptions,
  signal: AbortSignal,
  culprit: string,
): Promise<Buffer> {
  const tooLarge = () => httpError('FETCH_TOO_LARGE', culprit, `body over ${opts.maxBytes} bytes`, true);
  const declared = Number(res.headers['content-length']);
  const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' && Number.isFinite(declared) && declared > opts.maxBytes) {
    res.destroy();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    let decoder: zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress | undefined;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      res.destroy();
      decoder?.destroy();
      reject(
        error instanceof PipelineError
          ? error
          : signal.aborted
            ? timeoutError(culprit, opts)
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
      if (total > opts.maxBytes) return fail(tooLarge());
      chunks.push(chunk);
    };
    const done = () => {
      if (settled) return;
      settled = true;
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
    signal.addEventListener('abort', () => fail(timeoutError(culprit, opts)), { once: true });
    res.on('error', fail);
    res.on('aborted', () => fail(new Error('connection aborted')));
    let started = false;
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
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

/** dns.lookup cannot be cancelled; racing it keeps the total timeout honest. */
function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  culprit: string,
  opts: FetchOptions,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(timeoutError(culprit, opts));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function timeoutError(culprit: string, opts: FetchOptions): PipelineError {
  return httpError('FETCH_TIMEOUT', culprit, `no complete answer within ${opts.timeoutMs} ms`, false);
}

function httpError(code: ErrorCode, culprit: string, detail: string, permanent: boolean): PipelineError {
  return new PipelineError({ code, stage: 'http', culprit, detail, permanent });
}
