import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildWebhookPayload,
  sendWebhook,
  serializeWebhookPayload,
  verifyWebhookSignature,
} from '../../src/alerts/channels/webhook.ts';
import type { AlertMessage, StoryCopy } from '../../src/alerts/compose-alert.ts';
import { PipelineError } from '../../src/errors.ts';
import { HttpStatusError } from '../../src/http/http-status-error.ts';
import { CLEAN_URL, MIAMI_SUMMIT, regionalCopy, rule, seed, seedMessage } from './story-copies.ts';

const SENT_AT = '2025-12-18T15:00:00.000Z';
/** 2025-12-18T15:00:00Z: the signing clock of every send here. */
const NOW_MS = Date.parse(SENT_AT);
const SECRET = 'whsec_s3cretValue';

const RULE = rule({
  id: 'witkoff-phase-2',
  channels: ['webhook'],
  actors: ['steve-witkoff'],
  keywords: ['Miami summit'],
});
const REGIONAL = regionalCopy();

function message(patch: Partial<StoryCopy> = {}, others: StoryCopy[] = []): AlertMessage {
  return seedMessage(RULE, 'webhook', patch, others);
}

describe('buildWebhookPayload', () => {
  it('stable-shape', () => {
    const payload = buildWebhookPayload(message({}, [REGIONAL]), SENT_AT);
    expect(Object.keys(payload)).toEqual([
      'rule',
      'channel',
      'article',
      'actors',
      'phases',
      'reasons',
      'evidence',
      'evidenceSentences',
      'otherSources',
      'sentAt',
    ]);
    expect(Object.keys(payload.article)).toEqual([
      'url',
      'canonicalUrl',
      'title',
      'feedId',
      'feedTitle',
      'published',
      'source',
    ]);
    expect(payload).toEqual({
      rule: 'witkoff-phase-2',
      channel: 'webhook',
      article: {
        url: CLEAN_URL,
        canonicalUrl: seed.canonicalUrl,
        title: seed.title,
        feedId: 'seed',
        feedTitle: 'Seed Wire',
        published: '2025-12-18T14:30:00.000Z',
        source: seed.source,
      },
      actors: payload.actors,
      phases: [{ id: 'phase-2', name: 'Phase two of the Gaza plan', count: 5 }],
      reasons: ['actor: Steve Witkoff', 'keyword: "Miami summit"'],
      evidence: MIAMI_SUMMIT,
      evidenceSentences: [MIAMI_SUMMIT],
      otherSources: [
        {
          title: seed.title,
          url: 'https://regional.example.com/news/gaza-talks-miami',
          feedId: 'regional-daily',
          feedTitle: 'Regional Daily',
          published: '2025-12-18T15:10:00.000Z',
        },
      ],
      sentAt: SENT_AT,
    });
    // Ids for machines, names for people, the featured copy's counts.
    expect(payload.actors.slice(0, 3)).toEqual([
      { id: 'hamas', name: 'Hamas', count: 4 },
      { id: 'israel', name: 'Israel', count: 4 },
      { id: 'donald-trump', name: 'Donald Trump', count: 3 },
    ]);
    expect(payload.actors).toContainEqual({ id: 'badr-abdelatty', name: 'Badr Abdelatty', count: 1 });
    expect(JSON.stringify(payload)).not.toMatch(/utm_|fbclid|gclid/);
  });

  it('no-evidence-null-and-empty-list', () => {
    const payload = buildWebhookPayload({ ...message(), evidence: [] }, SENT_AT);
    expect(payload.evidence).toBeNull();
    expect(payload.evidenceSentences).toEqual([]);
    expect(payload.otherSources).toEqual([]);
  });

  it('several-evidence-sentences-first-kept-for-v1-receivers', () => {
    const payload = buildWebhookPayload({ ...message(), evidence: ['First.', 'Second.'] }, SENT_AT);
    expect(payload.evidence).toBe('First.');
    expect(payload.evidenceSentences).toEqual(['First.', 'Second.']);
  });

  it('payload-does-not-share-the-message-arrays', () => {
    const source = message({}, [REGIONAL]);
    const payload = buildWebhookPayload(source, SENT_AT);
    payload.reasons.push('tampered');
    payload.evidenceSentences.push('tampered');
    (payload.otherSources[0] as { title: string }).title = 'tampered';
    expect(source.reasons).not.toContain('tampered');
    expect(source.evidence).not.toContain('tampered');
    expect(source.otherSources[0]?.title).toBe(seed.title);
  });

  it.each<{
    name: string;
    patch: Partial<AlertMessage> | ((m: AlertMessage) => Partial<AlertMessage>);
    read: (p: unknown) => unknown;
    value: string;
  }>([
    {
      name: 'script-tag-in-title',
      patch: (m) => ({ article: { ...m.article, title: '</script><script>alert(1)</script>' } }),
      read: (p) => (p as { article: { title: string } }).article.title,
      value: '</script><script>alert(1)</script>',
    },
    {
      name: 'ampersand-and-cdata-end-in-title',
      patch: (m) => ({ article: { ...m.article, title: 'Hamas & Israel ]]> <b>' } }),
      read: (p) => (p as { article: { title: string } }).article.title,
      value: 'Hamas & Israel ]]> <b>',
    },
    {
      name: 'line-separators-in-title',
      patch: (m) => ({ article: { ...m.article, title: 'a\u2028b\u2029c' } }),
      read: (p) => (p as { article: { title: string } }).article.title,
      value: 'a\u2028b\u2029c',
    },
    {
      name: 'script-tag-in-evidence',
      patch: { evidence: ['He said </script><script>alert(2)</script>'] },
      read: (p) => (p as { evidenceSentences: string[] }).evidenceSentences[0],
      value: 'He said </script><script>alert(2)</script>',
    },
    {
      name: 'script-tag-in-other-source',
      patch: {
        otherSources: [
          {
            title: '<img src=x onerror=alert(3)>',
            url: 'https://x.example/',
            feedId: 'x',
            feedTitle: '<b>X</b>',
            published: null,
          },
        ],
      },
      read: (p) => (p as { otherSources: { title: string }[] }).otherSources[0]?.title,
      value: '<img src=x onerror=alert(3)>',
    },
  ])('injection-escaped-in-json-$name', ({ patch, read, value }) => {
    const base = message();
    const hostile = { ...base, ...(typeof patch === 'function' ? patch(base) : patch) };
    const body = serializeWebhookPayload(buildWebhookPayload(hostile, SENT_AT));
    expect(body).not.toMatch(/[<>&\u2028\u2029]/);
    expect(read(JSON.parse(body))).toBe(value);
  });
});

describe('verifyWebhookSignature', () => {
  const body = '{"rule":"witkoff"}';
  const ts = String(NOW_MS / 1000);
  const good = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`;

  it.each([
    { name: 'valid', body, ts, sig: good, ok: true },
    { name: 'body-tampered', body: '{"rule":"witkoff "}', ts, sig: good, ok: false },
    { name: 'timestamp-swapped', body, ts: String(NOW_MS / 1000 - 1), sig: good, ok: false },
    {
      name: 'signature-altered',
      body,
      ts,
      sig: good.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
      ok: false,
    },
    { name: 'truncated-signature', body, ts, sig: good.slice(0, 20), ok: false },
    { name: 'missing-signature', body, ts, sig: undefined, ok: false },
    { name: 'non-numeric-timestamp', body, ts: 'yesterday', sig: good, ok: false },
  ])('$name', ({ body, ts, sig, ok }) => {
    expect(verifyWebhookSignature(body, ts, sig, SECRET, { nowMs: NOW_MS })).toBe(ok);
  });

  it.each([
    { name: 'replayed-six-minutes-later', nowMs: NOW_MS + 6 * 60_000, ok: false },
    { name: 'four-minutes-later', nowMs: NOW_MS + 4 * 60_000, ok: true },
    { name: 'from-the-future', nowMs: NOW_MS - 6 * 60_000, ok: false },
  ])('tolerance-$name', ({ nowMs, ok }) => {
    expect(verifyWebhookSignature(body, ts, good, SECRET, { nowMs })).toBe(ok);
  });
});

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

describe('sendWebhook', () => {
  let replies: ({ status: number; body?: string; headers?: Record<string, string> } | 'hang')[] = [];
  let received: Received[] = [];
  let server: Server;
  let base: string;
  const hanging: ServerResponse[] = [];
  const PATH = '/hooks/ceasefire?token=t0kenInQuery';
  const opts = { secret: SECRET, now: () => NOW_MS };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, raw: Buffer.concat(chunks) });
        const reply = replies.shift() ?? { status: 200 };
        if (reply === 'hang') {
          hanging.push(res);
          return;
        }
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    received = [];
    replies = [];
  });

  it('delivers-signed-json-receiver-verifies', async () => {
    const payload = buildWebhookPayload(message({ title: 'Witkoff <b>& Kushner</b>' }, [REGIONAL]), SENT_AT);
    await sendWebhook(`${base}${PATH}`, payload, opts);
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(PATH);
    expect(req?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req?.headers['x-ceasefire-timestamp']).toBe(String(NOW_MS / 1000));
    const signature = req?.headers['x-ceasefire-signature'];
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    // What a receiver does: verify the raw bytes, then parse.
    const raw = req?.raw ?? Buffer.alloc(0);
    expect(
      verifyWebhookSignature(
        raw,
        req?.headers['x-ceasefire-timestamp'] as string,
        signature as string,
        SECRET,
        { nowMs: NOW_MS + 2_000 },
      ),
    ).toBe(true);
    expect(
      verifyWebhookSignature(raw, String(NOW_MS / 1000), signature as string, 'other-secret', {
        nowMs: NOW_MS,
      }),
    ).toBe(false);
    expect(JSON.parse(raw.toString('utf8'))).toEqual(payload);
  });

  it('retry-after-500-succeeds', async () => {
    replies = [{ status: 500, body: 'database is down' }];
    const payload = buildWebhookPayload(message(), SENT_AT);
    const error = await sendWebhook(`${base}${PATH}`, payload, opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 500, permanent: false, retryAfterMs: null });
    await sendWebhook(`${base}${PATH}`, payload, opts);
    expect(received).toHaveLength(2);
    expect(received[1]?.raw.equals(received[0]?.raw ?? Buffer.alloc(0))).toBe(true);
  });

  it.each([
    { name: 'server-error-transient', status: 500, retryAfter: undefined, permanent: false, ms: null },
    { name: 'rate-limited-seconds', status: 429, retryAfter: '30', permanent: false, ms: 30_000 },
    {
      name: 'rate-limited-http-date',
      status: 429,
      retryAfter: 'Thu, 18 Dec 2025 15:02:00 GMT',
      permanent: false,
      ms: 120_000,
    },
    { name: 'unavailable-retry-after', status: 503, retryAfter: '5', permanent: false, ms: 5_000 },
    { name: 'rate-limited-garbage-retry-after', status: 429, retryAfter: 'soon', permanent: false, ms: null },
    { name: 'request-timeout-transient', status: 408, retryAfter: undefined, permanent: false, ms: null },
    { name: 'not-found-permanent', status: 404, retryAfter: undefined, permanent: true, ms: null },
    { name: 'unauthorized-permanent', status: 401, retryAfter: undefined, permanent: true, ms: null },
    { name: 'retry-after-ignored-on-400', status: 400, retryAfter: '30', permanent: true, ms: null },
    { name: 'redirect-not-followed', status: 302, retryAfter: undefined, permanent: true, ms: null },
  ])('$name', async ({ status, retryAfter, permanent, ms }) => {
    replies = [
      {
        status,
        body: `status ${status}`,
        headers: {
          ...(retryAfter ? { 'retry-after': retryAfter } : {}),
          ...(status === 302 ? { location: `${base}/elsewhere` } : {}),
        },
      },
    ];
    const error = await sendWebhook(`${base}${PATH}`, buildWebhookPayload(message(), SENT_AT), opts).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpStatusError);
    const he = error as HttpStatusError;
    expect(he).toMatchObject({
      status,
      permanent,
      retryAfterMs: ms,
      culprit: `webhook ${new URL(base).host}`,
    });
    expect(he.message).toContain(`HTTP ${status}: status ${status}`);
    expect(he.message).not.toContain('t0ken');
    expect(he.message).not.toContain(SECRET);
    expect(received.map((r) => r.url)).toEqual([PATH]);
  });

  it('timeout-transient', async () => {
    replies = ['hang'];
    const error = await sendWebhook(`${base}${PATH}`, buildWebhookPayload(message(), SENT_AT), {
      ...opts,
      timeoutMs: 150,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({ code: 'FETCH_TIMEOUT', permanent: false, stage: 'alerts' });
    expect((error as Error).message).toBe(`alerts: webhook ${new URL(base).host}: no answer within 150 ms`);
  });

  it('connection-refused-transient', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await sendWebhook(`http://127.0.0.1:${port}${PATH}`, {}, opts).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ALERT_FAILED',
      permanent: false,
      culprit: `webhook 127.0.0.1:${port}`,
    });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).not.toContain('t0ken');
  });

  it.each([
    { name: 'not-a-url', url: 'hooks.example.org/x?token=t0kenInQuery', secret: SECRET },
    { name: 'not-http', url: 'ftp://hooks.example.org/x?token=t0kenInQuery', secret: SECRET },
    { name: 'empty-secret', url: 'http://127.0.0.1:9/x?token=t0kenInQuery', secret: '' },
  ])('invalid-config-$name', async ({ url, secret }) => {
    const error = await sendWebhook(url, {}, { secret, now: () => NOW_MS }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', permanent: true, stage: 'alerts' });
    expect((error as Error).message).not.toContain('t0ken');
    expect(received).toHaveLength(0);
  });
});
