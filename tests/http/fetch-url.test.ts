import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { fetchUrl } from '../../src/http/fetch-url.ts';
import type { FetchOptions } from '../../src/http/fetch-url.ts';
import { isForbiddenAddress } from '../../src/http/ssrf-guard.ts';

// One local server on 127.0.0.1; every route is a scenario. Tests never connect anywhere else.
const BIG = Buffer.alloc(2 * 1024 * 1024, 'a');
const BOMB = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024));
const PAGE = Buffer.from('<rss version="2.0"><channel><title>Ceasefire</title></channel></rss>');

let server: http.Server;
let base: string;
let requests = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = url.pathname;
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
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

  it('times-out-on-a-slow-server', async () => {
    const started = Date.now();
    const error = await failure(fetchUrl(`${base}/slow`, { ...LOCAL, timeoutMs: 300 }));
    expect(error.code).toBe('FETCH_TIMEOUT');
    expect(error.permanent).toBe(false);
    expect(Date.now() - started).toBeLessThan(3_000);
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
  });
});
