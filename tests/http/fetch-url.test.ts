import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { fetchUrl } from '../../src/http/fetch-url.ts';
import type { FetchOptions } from '../../src/http/fetch-url.ts';
import type { HostGate } from '../../src/http/host-gate.ts';
import { HttpStatusError } from '../../src/http/http-status-error.ts';
import { createMemoryHostGate } from '../../src/http/memory-host-gate.ts';
import { isForbiddenAddress } from '../../src/http/ssrf-guard.ts';

// One local server on 127.0.0.1; every route is a scenario. Tests never connect anywhere else.
const BIG = Buffer.alloc(2 * 1024 * 1024, 'a');
const BOMB = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024));
const PAGE = Buffer.from('<rss version="2.0"><channel><title>Ceasefire</title></channel></rss>');

let server: http.Server;
let base: string;
let requests = 0;
/** When each request reached the server (this process's clock), by path. */
const arrivals: { path: string; at: number }[] = [];

/** Accepts connections and never says a word: no TLS handshake, no HTTP answer. */
let silent: net.Server;
let silentPort: number;
const silentSockets = new Set<net.Socket>();

/** Listens on ::1, for a redirect that changes host. */
let v6: http.Server;
let v6Base: string;

/**
 * Two servers for the redirect-hop guard test: `allowed` on 127.0.0.2 (the only address the test's
 * guard lets through) redirects to `forbidden` on 127.0.0.1, which counts every request it gets.
 */
let allowed: http.Server;
let allowedBase: string;
let forbidden: http.Server;
let forbiddenPort: number;
let forbiddenRequests = 0;

function listen(srv: net.Server, host: string): Promise<number> {
  return new Promise((resolve) => srv.listen(0, host, () => resolve((srv.address() as AddressInfo).port)));
}

function close(srv: http.Server | net.Server): Promise<unknown> {
  if (srv instanceof http.Server) srv.closeAllConnections();
  return new Promise((resolve) => srv.close(resolve));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = url.pathname;
    arrivals.push({ path: route, at: Date.now() });
    if (route === '/ua') return void res.end(req.headers['user-agent'] ?? '');
    if (route === '/to-v6') {
      res.writeHead(302, { location: `${v6Base}/ok` });
      return void res.end();
    }
    if (route === '/limited') {
      const retry = url.searchParams.get('retry');
      res.writeHead(
        Number(url.searchParams.get('code') ?? 429),
        retry === null ? {} : { 'retry-after': retry },
      );
      return void res.end('slow down');
    }
    const hops = Number(url.searchParams.get('hops') ?? 0);
    if (route === '/ok') return void res.end(PAGE);
    if (route === '/chain') {
      if (hops === 0) return void res.end(PAGE);
      res.writeHead(302, { location: `/chain?hops=${hops - 1}` });
      return void res.end();
    }
    if (route === '/redirect') {
      res.writeHead(301, { location: url.searchParams.get('to') ?? '/' });
      return void res.end();
    }
    if (route === '/big') return void res.end(BIG);
    if (route === '/big-chunked') {
      res.write(BIG.subarray(0, BIG.length / 2));
      return void res.end(BIG.subarray(BIG.length / 2));
    }
    if (route === '/bomb') {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      return void res.end(BOMB);
    }
    if (route === '/encoded') {
      const encoding = url.searchParams.get('encoding') ?? 'gzip';
      const body =
        encoding === 'gzip'
          ? zlib.gzipSync(PAGE)
          : encoding === 'br'
            ? zlib.brotliCompressSync(PAGE)
            : encoding === 'deflate'
              ? zlib.deflateSync(PAGE)
              : zlib.deflateRawSync(PAGE);
      res.writeHead(200, { 'content-encoding': encoding === 'deflate-raw' ? 'deflate' : encoding });
      return void res.end(body);
    }
    if (route === '/slow') {
      res.writeHead(200);
      res.write('<rss>');
      return; // never ends
    }
    if (route === '/etag') {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"' });
        return void res.end();
      }
      res.writeHead(200, { etag: '"v1"' });
      return void res.end(PAGE);
    }
    if (route === '/status') {
      res.writeHead(Number(url.searchParams.get('code')));
      return void res.end('nope');
    }
    res.writeHead(404);
    res.end();
  });
  base = `http://127.0.0.1:${await listen(server, '127.0.0.1')}`;

  silent = net.createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  silentPort = await listen(silent, '127.0.0.1');

  v6 = http.createServer((_req, res) => res.end(PAGE));
  v6Base = `http://[::1]:${await listen(v6, '::1')}`;

  forbidden = http.createServer((_req, res) => {
    forbiddenRequests++;
    res.end(PAGE);
  });
  forbiddenPort = await listen(forbidden, '127.0.0.1');
  allowed = http.createServer((req, res) => {
    const to = new URL(req.url ?? '/', 'http://127.0.0.2').searchParams.get('to') ?? '/';
    res.writeHead(302, { location: to });
    res.end();
  });
  allowedBase = `http://127.0.0.2:${await listen(allowed, '127.0.0.2')}`;
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await Promise.all([server, silent, v6, allowed, forbidden].map(close));
});

const LOCAL: FetchOptions = { maxBytes: 1024 * 1024, timeoutMs: 5_000, allowPrivateNetworks: true };
/** The guard as in production, except that this test server's own address is let through. */
const ONLY_TEST_SERVER: FetchOptions = {
  ...LOCAL,
  allowPrivateNetworks: false,
  isForbidden: (ip) => ip !== '127.0.0.1' && isForbiddenAddress(ip),
};

async function failure(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}

describe('fetchUrl', () => {
  it('fetches-a-local-page-when-private-networks-are-allowed', async () => {
    const res = await fetchUrl(`${base}/ok`, LOCAL);
    expect(res).toMatchObject({ status: 200, notModified: false, url: `${base}/ok` });
    expect(res.body.equals(PAGE)).toBe(true);
  });

  it.each([
    { name: 'loopback-literal', url: () => `${base}/ok` },
    { name: 'localhost-through-dns', url: () => base.replace('127.0.0.1', 'localhost') + '/ok' },
    { name: 'ipv6-loopback-literal', url: () => base.replace('127.0.0.1', '[::1]') + '/ok' },
    { name: 'ipv4-mapped-literal', url: () => base.replace('127.0.0.1', '[::ffff:7f00:1]') + '/ok' },
    { name: 'hex-short-ipv4-form', url: () => base.replace('127.0.0.1', '0x7f.1') + '/ok' },
    { name: 'unspecified-address', url: () => base.replace('127.0.0.1', '0.0.0.0') + '/ok' },
  ])('refuses-before-connecting-$name', async ({ url }) => {
    const before = requests;
    const error = await failure(fetchUrl(url(), { ...LOCAL, allowPrivateNetworks: false }));
    expect(error.code).toBe('FETCH_REFUSED');
    expect(error.permanent).toBe(true);
    expect(error.stage).toBe('http');
    expect(error.message).toMatch(/refused to connect to \S+/);
    expect(requests).toBe(before);
  });

  it.each([
    { name: 'file-scheme', url: 'file:///etc/passwd' },
    { name: 'ftp-scheme', url: 'ftp://127.0.0.1/feed.xml' },
    { name: 'not-a-url', url: 'not a url' },
  ])('refuses-$name', async ({ url }) => {
    const error = await failure(fetchUrl(url, LOCAL));
    expect(error.code).toBe('FETCH_REFUSED');
    expect(error.culprit).toBe(url);
  });

  it.each([
    {
      name: 'redirect-to-ipv4-mapped-loopback',
      target: (port: string) => `http://[::ffff:127.0.0.1]:${port}/ok`,
    },
    { name: 'redirect-to-other-loopback', target: (port: string) => `http://127.0.0.2:${port}/ok` },
    { name: 'redirect-to-ipv6-loopback', target: (port: string) => `http://[::1]:${port}/ok` },
    { name: 'redirect-to-unspecified', target: (port: string) => `http://0.0.0.0:${port}/ok` },
  ])('checks-every-redirect-hop-$name', async ({ target }) => {
    const port = new URL(base).port;
    // The first hop passes the guard (it is the test server's own address), the redirect does not.
    const ok = await fetchUrl(`${base}/ok`, ONLY_TEST_SERVER);
    expect(ok.status).toBe(200);
    const before = requests;
    const to = target(port);
    const error = await failure(fetchUrl(`${base}/redirect?to=${encodeURIComponent(to)}`, ONLY_TEST_SERVER));
    expect(error.code).toBe('FETCH_REFUSED');
    expect(error.culprit).toBe(new URL(to).href);
    // Only the redirecting request reached the server; the hop it pointed to was never sent.
    expect(requests).toBe(before + 1);
  });

  it('follows-five-redirects', async () => {
    const res = await fetchUrl(`${base}/chain?hops=5`, LOCAL);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${base}/chain?hops=0`);
  });

  it('refuses-a-sixth-redirect', async () => {
    const error = await failure(fetchUrl(`${base}/chain?hops=6`, LOCAL));
    expect(error.code).toBe('FETCH_FAILED');
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('more than 5 redirects');
  });

  it.each([
    { name: 'declared-length-over-cap', path: '/big' },
    { name: 'streamed-body-over-cap', path: '/big-chunked' },
  ])('cuts-off-$name', async ({ path }) => {
    const error = await failure(fetchUrl(`${base}${path}`, LOCAL));
    expect(error.code).toBe('FETCH_TOO_LARGE');
    expect(error.permanent).toBe(true);
  });

  it('stops-a-gzip-bomb-at-the-decoded-cap', async () => {
    expect(BOMB.length).toBeLessThan(100 * 1024);
    const heapBefore = process.memoryUsage().rss;
    const error = await failure(fetchUrl(`${base}/bomb`, LOCAL));
    expect(error.code).toBe('FETCH_TOO_LARGE');
    // 50 MB decoded would show; the cap keeps growth to a few MB.
    expect(process.memoryUsage().rss - heapBefore).toBeLessThan(40 * 1024 * 1024);
  });

  it.each(['gzip', 'br', 'deflate', 'deflate-raw'])('decodes-%s', async (encoding) => {
    const res = await fetchUrl(`${base}/encoded?encoding=${encoding}`, LOCAL);
    expect(res.body.toString()).toBe(PAGE.toString());
  });

  it.each([
    {
      name: 'connect-no-tls-handshake',
      url: () => `https://127.0.0.1:${silentPort}/`,
      opts: { timeouts: { connectMs: 200 } },
      message: 'no connection within 200 ms',
    },
    {
      name: 'headers-server-accepts-and-never-answers',
      url: () => `http://127.0.0.1:${silentPort}/`,
      opts: { timeouts: { headersMs: 200 } },
      message: 'no response headers within 200 ms',
    },
    {
      name: 'idle-body-stalls-after-the-headers',
      url: () => `${base}/slow`,
      opts: { timeouts: { idleMs: 200 } },
      message: 'no body data for 200 ms',
    },
    {
      name: 'total-given-as-timeout-ms',
      url: () => `${base}/slow`,
      opts: { timeoutMs: 300 },
      message: 'no complete answer within 300 ms',
    },
    {
      name: 'total-given-in-timeouts-wins',
      url: () => `${base}/slow`,
      opts: { timeoutMs: 60_000, timeouts: { totalMs: 300 } },
      message: 'no complete answer within 300 ms',
    },
  ])('times-out-$name', async ({ url, opts, message }) => {
    const error = await failure(fetchUrl(url(), { ...LOCAL, timeoutMs: 10_000, ...opts }));
    expect(error.code).toBe('FETCH_TIMEOUT');
    expect(error.permanent).toBe(false);
    expect(error.message).toBe(`http: ${url()}: ${message}`);
  });

  it('reports-304-as-not-modified', async () => {
    const first = await fetchUrl(`${base}/etag`, LOCAL);
    expect(first.headers.etag).toBe('"v1"');
    const second = await fetchUrl(`${base}/etag`, {
      ...LOCAL,
      headers: { 'If-None-Match': first.headers.etag ?? '' },
    });
    expect(second).toMatchObject({ status: 304, notModified: true });
    expect(second.body.length).toBe(0);
  });

  it.each([
    { name: 'not-found-is-permanent', code: 404, permanent: true },
    { name: 'gone-is-permanent', code: 410, permanent: true },
    { name: 'forbidden-is-permanent', code: 403, permanent: true },
    { name: 'too-many-requests-is-transient', code: 429, permanent: false },
    { name: 'server-error-is-transient', code: 503, permanent: false },
  ])('maps-status-$name', async ({ code, permanent }) => {
    const error = await failure(fetchUrl(`${base}/status?code=${code}`, LOCAL));
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.permanent).toBe(permanent);
    expect(error.message).toContain(`HTTP ${code}`);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(code);
  });

  it('sends-a-user-agent-naming-no-host', async () => {
    const res = await fetchUrl(`${base}/ua`, LOCAL);
    expect(res.body.toString()).toBe('ceasefire-watch/0.1 (news monitor; feed reader)');
  });

  // Spellings of loopback and "this host" that the WHATWG parser turns into an address the guard sees.
  it.each([
    { name: 'hex-and-short', host: '0x7f.1' },
    { name: 'single-integer', host: '2130706433' },
    { name: 'octal-dotted', host: '0177.0.0.1' },
    { name: 'short-dotted', host: '127.1' },
    { name: 'zero-is-unspecified', host: '0' },
    { name: 'ipv6-unspecified', host: '[::]' },
    { name: 'ipv4-mapped-dotted', host: '[::ffff:127.0.0.1]' },
    { name: 'ipv4-mapped-hex', host: '[::ffff:7f00:1]' },
  ])('refuses-literal-ip-spelling-$name', async ({ host }) => {
    const before = requests;
    const url = base.replace('127.0.0.1', host) + '/ok';
    const error = await failure(fetchUrl(url, { ...LOCAL, allowPrivateNetworks: false }));
    expect(error.code).toBe('FETCH_REFUSED');
    expect(error.message).toMatch(/refused to connect to \S+/);
    expect(requests).toBe(before);
  });

  it.each([
    { name: 'localhost-name', to: () => `http://localhost:${forbiddenPort}/` },
    { name: 'other-loopback-address', to: () => `http://127.0.0.1:${forbiddenPort}/` },
  ])('never-sends-a-redirect-hop-to-$name', async ({ to }) => {
    const onlyAllowed: FetchOptions = {
      ...LOCAL,
      allowPrivateNetworks: false,
      isForbidden: (ip) => ip !== '127.0.0.2' && isForbiddenAddress(ip),
    };
    // The guard lets the forbidden server through when private networks are allowed: it is reachable.
    await fetchUrl(to(), LOCAL);
    const before = forbiddenRequests;
    const error = await failure(fetchUrl(`${allowedBase}/?to=${encodeURIComponent(to())}`, onlyAllowed));
    expect(error.code).toBe('FETCH_REFUSED');
    expect(error.culprit).toBe(to());
    expect(forbiddenRequests).toBe(before);
  });
});

/** The gate as given, logging each acquire and release, in order. */
function recordingGate(gate: HostGate): { gate: HostGate; events: string[] } {
  const events: string[] = [];
  return {
    events,
    gate: {
      ...gate,
      acquire: async (host, signal) => {
        const release = await gate.acquire(host, signal);
        events.push(`acquire ${host}`);
        return () => {
          events.push(`release ${host}`);
          release();
        };
      },
    },
  };
}

describe('fetchUrl with a host gate', () => {
  it('takes-a-slot-per-hop-for-that-hops-host', async () => {
    const { gate, events } = recordingGate(createMemoryHostGate({ minSpacingMs: 0 }));
    const res = await fetchUrl(`${base}/to-v6`, { ...LOCAL, gate });
    expect(res.url).toBe(`${v6Base}/ok`);
    expect(events).toEqual(['acquire 127.0.0.1', 'release 127.0.0.1', 'acquire ::1', 'release ::1']);
  });

  it.each([
    { name: 'success', path: '/ok', opts: {} },
    { name: 'not-found', path: '/status?code=404', opts: {} },
    { name: 'too-large', path: '/big', opts: {} },
    { name: 'gzip-bomb', path: '/bomb', opts: {} },
    { name: 'timeout', path: '/slow', opts: { timeouts: { idleMs: 100 } } },
    { name: 'too-many-redirects', path: '/chain?hops=6', opts: {} },
    { name: 'refused-redirect-hop', path: '/redirect?to=http%3A%2F%2F0.0.0.0%2F', opts: ONLY_TEST_SERVER },
  ])('gives-every-slot-back-on-$name', async ({ path, opts }) => {
    const { gate, events } = recordingGate(createMemoryHostGate({ minSpacingMs: 0 }));
    await fetchUrl(`${base}${path}`, { ...LOCAL, ...opts, gate }).catch(() => undefined);
    const acquired = events.filter((e) => e.startsWith('acquire')).length;
    expect(acquired).toBeGreaterThan(0);
    expect(events.filter((e) => e.startsWith('release')).length).toBe(acquired);
    expect(events.at(-1)).toMatch(/^release /);
  });

  it('gives-up-waiting-for-a-turn-at-the-total-timeout-without-sending', async () => {
    const gate = createMemoryHostGate({ maxConcurrent: 1, minSpacingMs: 0 });
    const holder = await gate.acquire('127.0.0.1');
    const before = requests;
    const error = await failure(fetchUrl(`${base}/ok`, { ...LOCAL, timeoutMs: 200, gate }));
    holder();
    expect(error.code).toBe('FETCH_TIMEOUT');
    expect(error.message).toBe(
      `http: ${base}/ok: no turn at 127.0.0.1 within 200 ms (per-host limit or Retry-After penalty)`,
    );
    expect(requests).toBe(before);
  });

  it('honours-retry-after-the-next-request-waits-for-the-penalty', async () => {
    const gate = createMemoryHostGate({ minSpacingMs: 0 });
    const error = await failure(fetchUrl(`${base}/limited?retry=1`, { ...LOCAL, gate }));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 1000, permanent: false, code: 'HTTP_STATUS' });
    expect(error.message).toBe(`http: ${base}/limited?retry=1: HTTP 429, retry after 1 s`);
    const penalty = await gate.penalty('127.0.0.1');
    expect(penalty?.reason).toBe('HTTP 429');
    const seen = arrivals.length;
    await fetchUrl(`${base}/ok`, { ...LOCAL, gate });
    const next = arrivals[seen];
    expect(next?.path).toBe('/ok');
    // The follow-up reached the server only once the penalty had run out.
    expect(next?.at).toBeGreaterThanOrEqual(penalty?.untilMs ?? Infinity);
    expect(await gate.penalty('127.0.0.1')).toBeNull();
  });

  it.each([
    { name: '429-without-retry-after-waits-a-minute', query: 'code=429', min: 59_000, max: 60_000 },
    { name: '429-seconds-capped-at-a-day', query: 'code=429&retry=999999', min: 86_399_000, max: 86_400_000 },
    {
      name: '503-with-http-date',
      query: () => `code=503&retry=${encodeURIComponent(new Date(Date.now() + 120_000).toUTCString())}`,
      min: 118_000,
      max: 120_000,
    },
  ])('penalizes-the-host-$name', async ({ query, min, max }) => {
    const gate = createMemoryHostGate({ minSpacingMs: 0 });
    const q = typeof query === 'function' ? query() : query;
    const error = (await failure(fetchUrl(`${base}/limited?${q}`, { ...LOCAL, gate }))) as HttpStatusError;
    expect(error.permanent).toBe(false);
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(min);
    expect(error.retryAfterMs).toBeLessThanOrEqual(max);
    const penalty = await gate.penalty('127.0.0.1');
    expect(penalty?.untilMs).toBeGreaterThan(Date.now() + min - 5_000);
  });

  it('does-not-penalize-on-503-without-retry-after', async () => {
    const gate = createMemoryHostGate({ minSpacingMs: 0 });
    const error = (await failure(
      fetchUrl(`${base}/limited?code=503`, { ...LOCAL, gate }),
    )) as HttpStatusError;
    expect(error).toMatchObject({ status: 503, retryAfterMs: null, permanent: false });
    expect(await gate.penalty('127.0.0.1')).toBeNull();
  });

  it('reports-retry-after-without-a-gate', async () => {
    const error = (await failure(fetchUrl(`${base}/limited?retry=7`, LOCAL))) as HttpStatusError;
    expect(error.retryAfterMs).toBe(7_000);
  });

  it('treats-a-burst-of-403s-like-a-429', async () => {
    const gate = createMemoryHostGate({ minSpacingMs: 0 });
    const errors: HttpStatusError[] = [];
    for (let i = 0; i < 3; i++) {
      errors.push(
        (await failure(fetchUrl(`${base}/status?code=403`, { ...LOCAL, gate }))) as HttpStatusError,
      );
    }
    expect(errors.map((e) => [e.permanent, e.retryAfterMs === null])).toEqual([
      [true, true],
      [true, true],
      [false, false],
    ]);
    expect(errors[2]?.retryAfterMs).toBeGreaterThan(9 * 60_000);
    expect(errors[2]?.message).toContain('HTTP 403, the last of 3 HTTP 403 answers within 10 min');
    expect((await gate.penalty('127.0.0.1'))?.reason).toBe('3 HTTP 403 answers within 10 min');
  });
});
