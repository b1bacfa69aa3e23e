import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSlackMessage, sendSlack } from '../../src/alerts/channels/slack.ts';
import { PipelineError } from '../../src/errors.ts';
import { HttpStatusError } from '../../src/http/http-status-error.ts';
import { TaggedArticleSchema } from '../../src/model.ts';
import type { AlertJob, TaggedArticle } from '../../src/model.ts';

const seed: TaggedArticle = TaggedArticleSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/alerts/seed-tagged.json', import.meta.url), 'utf8')),
);

function job(
  article: Partial<TaggedArticle> = {},
  reasons = ['actor: steve-witkoff', 'phase: phase-2'],
): AlertJob {
  return { ruleId: 'witkoff-phase-2', channel: 'slack', reasons, article: { ...seed, ...article } };
}

/** Every mrkdwn string of a message: the fallback text and each text of each block. */
function mrkdwnTexts(message: { text: string; blocks: unknown[] }): string[] {
  const texts = [message.text];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (obj.type === 'mrkdwn' && typeof obj.text === 'string') texts.push(obj.text);
      Object.values(obj).forEach(visit);
    }
  };
  visit(message.blocks);
  return texts;
}

describe('buildSlackMessage', () => {
  it('block-kit-shape', () => {
    const message = buildSlackMessage(job());
    const blocks = message.blocks as {
      type: string;
      text?: { type: string; text: string };
      fields?: unknown[];
      elements?: { text: string }[];
    }[];
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect(blocks[0]?.text).toEqual({ type: 'plain_text', text: 'Ceasefire alert: witkoff-phase-2' });
    expect(blocks[1]?.text?.text).toBe(`*<${seed.url.replace(/&/g, '&amp;')}|${seed.title}>*`);
    expect(message.text).toBe(`witkoff-phase-2: <${seed.url.replace(/&/g, '&amp;')}|${seed.title}>`);

    const fields = (blocks[2]?.fields as { text: string }[]).map((f) => f.text);
    expect(fields[0]).toBe('*Source*\nseed · www.example.com');
    expect(fields[1]).toBe(
      `*Published*\n<!date^${Date.parse('2025-12-18T14:30:00.000Z') / 1000}^{date_short_pretty} {time}|2025-12-18T14:30:00.000Z>`,
    );
    expect(fields[2]).toMatch(/^\*Actors\*\nhamas \(4\), israel \(4\), donald-trump \(3\), .* \+2 more$/);
    expect(fields[3]).toBe('*Phases*\nphase-2 (5)');
    expect(blocks[3]?.text?.text).toBe('*Rule* witkoff-phase-2\n• actor: steve-witkoff\n• phase: phase-2');
    const context = blocks[4]?.elements?.[0]?.text;
    expect(context).toBe(`> ${seed.tags.actors[0]?.evidence}`);
  });

  it('evidence-from-first-mention-in-reading-order', () => {
    const mention = { kind: 'actor' as const, id: 'x', start: 0, end: 1, text: 'x' };
    const article = {
      ...seed,
      tags: {
        ...seed.tags,
        mentions: [
          { ...mention, field: 'text' as const, start: 90, sentence: 'Later text sentence.' },
          { ...mention, field: 'text' as const, start: 10, sentence: 'Earlier text sentence.' },
          { ...mention, field: 'title' as const, start: 40, sentence: 'Title sentence.' },
        ],
      },
    };
    const blocks = buildSlackMessage(job(article)).blocks as {
      type: string;
      elements?: { text: string }[];
    }[];
    expect(blocks.at(-1)?.elements?.[0]?.text).toBe('> Title sentence.');
  });

  it('no-tags-no-evidence-block', () => {
    const article = { ...seed, tags: { relevant: true, actors: [], phases: [], mentions: [] } };
    const message = buildSlackMessage(job(article));
    expect((message.blocks as { type: string }[]).map((b) => b.type)).not.toContain('context');
    expect(JSON.stringify(message.blocks)).toContain('*Actors*\\n—');
  });

  it.each([
    {
      name: 'title-channel-ping-and-forged-link',
      article: { title: '<!channel> <http://evil|click> & @here' },
      reasons: [],
      forbidden: ['<!channel>', '<http://evil', '<!here>'],
      expected: '&lt;!channel&gt; &lt;http://evil|click&gt; &amp; @here',
    },
    {
      name: 'title-user-mention',
      article: { title: 'Statement by <@U024BE7LH> and <!subteam^SAZ94GDB8>' },
      reasons: [],
      forbidden: ['<@U024BE7LH>', '<!subteam'],
      expected: '&lt;@U024BE7LH&gt; and &lt;!subteam^SAZ94GDB8&gt;',
    },
    {
      name: 'feed-id-and-reason-injection',
      article: { feedId: '<!everyone>' },
      reasons: ['keyword: "<!here>"'],
      forbidden: ['<!everyone>', '<!here>'],
      expected: '&lt;!everyone&gt;',
    },
    {
      name: 'evidence-injection',
      article: {
        tags: {
          ...seed.tags,
          actors: [{ id: 'hamas', count: 1, evidence: 'Say <!channel> now & <https://x|y>' }],
        },
      },
      reasons: [],
      forbidden: ['<!channel>', '<https://x|y>'],
      expected: '> Say &lt;!channel&gt; now &amp; &lt;https://x|y&gt;',
    },
    {
      name: 'url-with-pipe-and-angle-bracket',
      article: { url: 'https://evil.example/a|b>c', title: 'Headline' },
      reasons: [],
      forbidden: ['a|b', 'b>c'],
      expected: '<https://evil.example/a%7Cb%3Ec|Headline>',
    },
    {
      name: 'javascript-url-not-linked',
      article: { url: 'javascript:alert(1)', title: 'Headline' },
      reasons: [],
      forbidden: ['javascript:'],
      expected: '*Headline*',
    },
  ])('escapes-$name', ({ article, reasons, forbidden, expected }) => {
    const texts = mrkdwnTexts(buildSlackMessage(job(article as Partial<TaggedArticle>, reasons)));
    for (const text of texts) {
      for (const bad of forbidden) expect(text).not.toContain(bad);
    }
    expect(texts.some((t) => t.includes(expected))).toBe(true);
  });
});

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('sendSlack', () => {
  /** What the next request gets; each test sets it. `hang` never answers (for the timeout case). */
  let reply: { status: number; body: string; headers?: Record<string, string> } | 'hang' = {
    status: 200,
    body: 'ok',
  };
  let received: Received[] = [];
  let server: Server;
  let base: string;
  const hanging: ServerResponse[] = [];
  const SECRET_PATH = '/services/T0000/B0000/s3cretT0ken';

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body });
        if (reply === 'hang') {
          hanging.push(res);
          return;
        }
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body);
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
    reply = { status: 200, body: 'ok' };
  });

  it('delivers-json-to-webhook', async () => {
    const message = buildSlackMessage(job());
    await sendSlack(`${base}${SECRET_PATH}`, message);
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(SECRET_PATH);
    expect(req?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(req?.body ?? '')).toEqual(message);
  });

  it.each([
    {
      name: 'server-error-transient',
      status: 500,
      body: 'rollup_error',
      permanent: false,
      code: 'HTTP_STATUS',
    },
    { name: 'service-unavailable-transient', status: 503, body: '', permanent: false, code: 'HTTP_STATUS' },
    {
      name: 'rate-limited-transient',
      status: 429,
      body: 'rate_limited',
      permanent: false,
      code: 'HTTP_STATUS',
    },
    { name: 'not-found-permanent', status: 404, body: 'no_service', permanent: true, code: 'HTTP_STATUS' },
    {
      name: 'bad-payload-permanent',
      status: 400,
      body: 'invalid_payload',
      permanent: true,
      code: 'HTTP_STATUS',
    },
    { name: 'revoked-permanent', status: 403, body: 'invalid_token', permanent: true, code: 'HTTP_STATUS' },
    { name: 'redirect-permanent', status: 302, body: '', permanent: true, code: 'HTTP_STATUS' },
  ])('$name', async ({ status, body, permanent, code }) => {
    reply = { status, body, headers: status === 429 ? { 'retry-after': '30' } : {} };
    if (status === 302) reply.headers = { location: `${base}/elsewhere` };
    const error = await sendSlack(`${base}${SECRET_PATH}`, buildSlackMessage(job())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    const pe = error as PipelineError;
    expect(pe).toMatchObject({ stage: 'alerts', code, permanent, culprit: `slack ${new URL(base).host}` });
    expect(pe.message).toContain(`HTTP ${status}`);
    if (body) expect(pe.message).toContain(body);
    if (status === 429) {
      expect(pe.message).toContain('retry after 30 s');
      // The alert worker delays the job by this much instead of retrying at once.
      expect((error as HttpStatusError).retryAfterMs).toBe(30_000);
    }
    expect(pe.message).not.toContain('s3cret');
    // The redirect must not have been followed.
    expect(received.map((r) => r.url)).toEqual([SECRET_PATH]);
  });

  it('timeout-transient', async () => {
    reply = 'hang';
    const error = await sendSlack(`${base}${SECRET_PATH}`, buildSlackMessage(job()), {
      timeoutMs: 150,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({ code: 'FETCH_TIMEOUT', permanent: false });
    expect((error as Error).message).toBe(`alerts: slack ${new URL(base).host}: no answer within 150 ms`);
  });

  it('connection-refused-transient', async () => {
    // A port that was just free: bind, read the port, close.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const error = await sendSlack(`http://127.0.0.1:${port}${SECRET_PATH}`, buildSlackMessage(job())).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({
      code: 'ALERT_FAILED',
      permanent: false,
      culprit: `slack 127.0.0.1:${port}`,
    });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).not.toContain('s3cret');
  });

  it.each([
    { name: 'not-a-url', url: 'hooks.slack.com/services/T0000/B0000/s3cretT0ken' },
    { name: 'not-http', url: 'ftp://hooks.slack.com/services/T0000/B0000/s3cretT0ken' },
  ])('invalid-webhook-$name', async ({ url }) => {
    const error = await sendSlack(url, buildSlackMessage(job())).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', permanent: true, stage: 'alerts' });
    expect((error as Error).message).not.toContain('s3cret');
    expect(received).toHaveLength(0);
  });
});
