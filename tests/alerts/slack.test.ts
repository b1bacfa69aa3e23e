import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSlackMessage, sendSlack } from '../../src/alerts/channels/slack.ts';
import type { AlertMessage, StoryCopy } from '../../src/alerts/compose-alert.ts';
import { PipelineError } from '../../src/errors.ts';
import { HttpStatusError } from '../../src/http/http-status-error.ts';
import { CLEAN_URL, copyOf, MIAMI_SUMMIT, regionalCopy, rule, seed, seedMessage } from './story-copies.ts';

const RULE = rule({
  id: 'witkoff-phase-2',
  actors: ['steve-witkoff'],
  phases: ['phase-2'],
  keywords: ['Miami summit'],
});
const REGIONAL = regionalCopy();

function message(patch: Partial<StoryCopy> = {}, others: StoryCopy[] = [], r = RULE): AlertMessage {
  return seedMessage(r, 'slack', patch, others);
}

/** Every mrkdwn string of a message: the fallback text and each text of each block. */
function mrkdwnTexts(slack: { text: string; blocks: unknown[] }): string[] {
  const texts = [slack.text];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (obj.type === 'mrkdwn' && typeof obj.text === 'string') texts.push(obj.text);
      Object.values(obj).forEach(visit);
    }
  };
  visit(slack.blocks);
  return texts;
}

type Block = {
  type: string;
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: { text: string }[];
};

describe('buildSlackMessage', () => {
  it('block-kit-shape', () => {
    const slack = buildSlackMessage(message({}, [REGIONAL]));
    const blocks = slack.blocks as Block[];
    expect(blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'context',
      'section',
    ]);
    expect(blocks[0]?.text).toEqual({ type: 'plain_text', text: 'Ceasefire alert: witkoff-phase-2' });
    // The link carries no tracking parameter: the fixture's `?utm_source=rss` is gone.
    expect(blocks[1]?.text?.text).toBe(`*<${CLEAN_URL}|${seed.title}>*`);
    expect(slack.text).toBe(`witkoff-phase-2: <${CLEAN_URL}|${seed.title}>`);

    const fields = (blocks[2]?.fields ?? []).map((f) => f.text);
    expect(fields[0]).toBe('*Source*\nSeed Wire · www.example.com');
    expect(fields[1]).toBe(
      `*Published*\n<!date^${Date.parse('2025-12-18T14:30:00.000Z') / 1000}^{date_short_pretty} {time}|2025-12-18T14:30:00.000Z>`,
    );
    // Actors by name, the featured copy's first with its counts; the regional copy adds four more.
    expect(fields[2]).toBe(
      '*Actors*\nHamas (4), Israel (4), Donald Trump (3), Egypt (3), Qatar (3), Steve Witkoff (3), Turkey (3), United States (3), Jared Kushner (2), Badr Abdelatty (1), National Committee for the Administration of Gaza (1), Hakan Fidan (1) +6 more',
    );
    expect(fields[3]).toBe('*Phases*\nPhase two of the Gaza plan (5)');
    expect(blocks[3]?.text?.text).toBe(
      '*Rule* witkoff-phase-2\n• actor: Steve Witkoff\n• phase: Phase two of the Gaza plan\n• keyword: "Miami summit"',
    );
    expect(blocks[4]?.elements?.map((e) => e.text)).toEqual([`> ${MIAMI_SUMMIT}`]);
    expect(blocks[5]?.text?.text).toBe(
      `*Also reported by Regional Daily.*\n• <https://regional.example.com/news/gaza-talks-miami|${seed.title}> (Regional Daily)`,
    );
    expect(JSON.stringify(slack)).not.toMatch(/utm_|fbclid|gclid|steve-witkoff|badr-abdelatty|phase-2 \(/);
  });

  it('evidence-sentences-quoted-in-reading-order', () => {
    const r = rule({ id: 'two-phrases', when: '"interim authority" AND "Miami summit"' });
    const blocks = buildSlackMessage(message({}, [], r)).blocks as Block[];
    expect(blocks.find((b) => b.type === 'context')?.elements?.map((e) => e.text)).toEqual([
      `> ${MIAMI_SUMMIT}`,
      '> The agreement also calls for an interim authority to govern the Palestinian territory instead of Hamas, fundamentally altering the administrative landscape of Gaza.',
    ]);
  });

  it('no-evidence-no-context-block', () => {
    const untagged = { actors: [], phases: [], mentions: [] };
    const slack = buildSlackMessage(message(untagged, [], rule({ id: 'everything' })));
    expect((slack.blocks as Block[]).map((b) => b.type)).toEqual(['header', 'section', 'section', 'section']);
    expect(JSON.stringify(slack.blocks)).toContain('*Actors*\\n—');
    expect(JSON.stringify(slack.blocks)).toContain('• every relevant article');
  });

  it('many-other-sources-listed-then-counted', () => {
    const others = Array.from({ length: 12 }, (_, i) =>
      copyOf(seed, 100 + i, {
        feedId: `feed-${i}`,
        url: `https://copy${i}.example.com/a?utm_source=x`,
        published: `2025-12-18T15:${String(10 + i)}:00.000Z`,
      }),
    );
    const blocks = buildSlackMessage(message({}, others)).blocks as Block[];
    const text = blocks.at(-1)?.text?.text ?? '';
    expect(text.split('\n')[0]).toBe('*Also reported by feed-0, feed-1, feed-2 and 9 other sources.*');
    expect(text.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(10);
    expect(text).toMatch(/\n…and 2 more$/);
    expect(text).not.toContain('utm_source');
  });

  it.each<{
    name: string;
    copy?: Partial<StoryCopy>;
    patch?: Partial<AlertMessage>;
    forbidden: string[];
    expected: string;
  }>([
    {
      name: 'title-channel-ping-and-forged-link',
      copy: { title: '<!channel> <http://evil|click> & @here' },
      forbidden: ['<!channel>', '<http://evil', '<!here>'],
      expected: '&lt;!channel&gt; &lt;http://evil|click&gt; &amp; @here',
    },
    {
      name: 'title-user-mention',
      copy: { title: 'Statement by <@U024BE7LH> and <!subteam^SAZ94GDB8>' },
      forbidden: ['<@U024BE7LH>', '<!subteam'],
      expected: '&lt;@U024BE7LH&gt; and &lt;!subteam^SAZ94GDB8&gt;',
    },
    {
      // A feed without a title in feeds.yaml is shown by its id.
      name: 'feed-id-and-reason-injection',
      copy: { feedId: '<!everyone>' },
      patch: { reasons: ['keyword: "<!here>"'] },
      forbidden: ['<!everyone>', '<!here>'],
      expected: '&lt;!everyone&gt;',
    },
    {
      name: 'actor-name-injection',
      patch: { actors: [{ id: 'hamas', name: '<!channel> Hamas', count: 1 }] },
      forbidden: ['<!channel>'],
      expected: '&lt;!channel&gt; Hamas (1)',
    },
    {
      name: 'evidence-injection',
      patch: { evidence: ['Say <!channel> now & <https://x|y>'] },
      forbidden: ['<!channel>', '<https://x|y>'],
      expected: '> Say &lt;!channel&gt; now &amp; &lt;https://x|y&gt;',
    },
    {
      name: 'other-source-injection',
      patch: {
        otherSources: [
          {
            title: '<!channel> copy',
            url: 'javascript:alert(1)',
            feedId: 'x',
            feedTitle: '<!here>',
            published: null,
          },
        ],
      },
      forbidden: ['<!channel>', '<!here>', 'javascript:'],
      expected: '• &lt;!channel&gt; copy (&lt;!here&gt;)',
    },
    {
      name: 'url-with-pipe-and-angle-bracket',
      copy: { url: 'https://evil.example/a|b>c', title: 'Headline' },
      forbidden: ['a|b', 'b>c'],
      expected: '<https://evil.example/a%7Cb%3Ec|Headline>',
    },
    {
      name: 'javascript-url-not-linked',
      copy: { url: 'javascript:alert(1)', title: 'Headline' },
      forbidden: ['javascript:'],
      expected: '*Headline*',
    },
  ])('escapes-$name', ({ copy, patch, forbidden, expected }) => {
    const texts = mrkdwnTexts(buildSlackMessage({ ...message(copy), ...patch }));
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
    const slack = buildSlackMessage(message({}, [REGIONAL]));
    await sendSlack(`${base}${SECRET_PATH}`, slack);
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(SECRET_PATH);
    expect(req?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(req?.body ?? '')).toEqual(slack);
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
    const error = await sendSlack(`${base}${SECRET_PATH}`, buildSlackMessage(message())).catch(
      (e: unknown) => e,
    );
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
    const error = await sendSlack(`${base}${SECRET_PATH}`, buildSlackMessage(message()), {
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

    const error = await sendSlack(
      `http://127.0.0.1:${port}${SECRET_PATH}`,
      buildSlackMessage(message()),
    ).catch((e: unknown) => e);
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
    const error = await sendSlack(url, buildSlackMessage(message())).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', permanent: true, stage: 'alerts' });
    expect((error as Error).message).not.toContain('s3cret');
    expect(received).toHaveLength(0);
  });
});
