/**
 * Hostile input, injection: 20 payloads, each in a feed item's title and text and in its page's title
 * and text (and, where a URL can carry it, in the item's link or the page's canonical URL), run
 * through the real pipeline with a rule that fires on every one of them. Then every sink's real
 * output is read back: the database, the Slack receiver's JSON, the signed webhook, the SMTP messages
 * (alerts and the digest), the digest's Markdown and HTML, the rule's Atom feed and the CLI (`feeds`,
 * `alerts test`, `explain`). Each sink must show the payload as text, or neutralised, and nothing
 * live: no markup, mention, link, header, heading or terminal control that the payload brought.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import escapeHtml from 'escape-html';
import { JSDOM } from 'jsdom';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../src/alerts/channels/webhook.ts';
import { createRuleFeedServer } from '../../src/pipeline/alert-feeds.ts';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce, type RunSummary } from '../../src/pipeline/run-once.ts';
import { buildDailyDigest } from '../../src/pipeline/steps.ts';
import { fixture, projectRoot, startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';
import { cliInProcess, type CliResult } from '../helpers/run-cli.ts';

interface Payload {
  name: string;
  payload: string;
  /** The title's tail as stored: the payload, or what entry cleaning leaves of it. */
  stored: string | RegExp;
}

const PAYLOADS: Payload[] = [
  { name: 'script-tag', payload: '<script>alert(1)</script>' },
  { name: 'img-onerror', payload: '<img src=x onerror=alert(1)>' },
  { name: 'attribute-breakout', payload: '"><svg onload=alert(1)>' },
  { name: 'javascript-url', payload: 'javascript:alert(1)' },
  { name: 'slack-link', payload: '<http://evil.example|click here>' },
  { name: 'slack-channel-mention', payload: '<!channel>' },
  { name: 'at-here', payload: '@here' },
  { name: 'mrkdwn-formatting', payload: '*bold* _it_ ~s~ `code`' },
  { name: 'markdown-link', payload: '[click](http://evil.example)' },
  { name: 'cdata-end', payload: ']]><evil/>' },
  // Readability unescapes a page title's entities once more (`_unescapeHtmlEntities`): `&<`, still text.
  { name: 'double-escape', payload: '&amp;&lt;', stored: /(&amp;&lt;|&<)$/ },
  {
    name: 'header-injection',
    payload: 'Subject\r\nBcc: victim@example.org',
    stored: 'Subject Bcc: victim@example.org',
  },
  { name: 'fake-structure', payload: 'line1\nline2\n\n# Heading', stored: 'line1 line2 # Heading' },
  { name: 'spreadsheet-formula', payload: "=cmd|' /C calc'!A0" },
  { name: 'sql', payload: "'; DROP TABLE articles; --" },
  { name: 'template', payload: '{{7*7}} ${7*7}' },
  { name: 'ansi-escape', payload: '\u001b[31mred\u001b[0m', stored: '[31mred[0m' },
  { name: 'bidi-override', payload: '\u202Eevil', stored: 'evil' },
  { name: 'ten-thousand-chars', payload: 'Rafah '.repeat(1_667).slice(0, 10_000) },
  { name: 'encoded-crlf', payload: '%0d%0aSet-Cookie:x' },
].map((p) => ({ ...p, stored: p.stored ?? p.payload }));

/** Item links that carry a payload too (the site routes by path, so the page is the same). */
const LINK_QUERY: Record<string, string> = {
  'attribute-breakout': '?q="><svg onload=alert(1)>',
  'slack-link': '?q=a|b>c',
  'encoded-crlf': '?q=%0d%0aSet-Cookie:x',
};

const RULE = 'injection';
const SECRET = 'hostile-suite-webhook-secret';
/** Terminal controls and bidi overrides: what a CLI line must never carry raw. */
// eslint-disable-next-line no-control-regex -- the point is that none is printed
const TERMINAL_CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/** The terminal controls in `text`, as code points: a short failure message however long the text. */
const controlsIn = (text: string) =>
  [...text.matchAll(new RegExp(TERMINAL_CONTROL, 'g'))].map(
    (m) => `U+${(m[0].codePointAt(0) ?? 0).toString(16)}`,
  );
/** What entry cleaning takes out of stored text (src/feeds/strip-control-characters.ts). */
// eslint-disable-next-line no-control-regex -- the point is that none is stored
const STORED_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/**
 * Twenty different stories: the two halves of each of ten Gaza stories (tests/fixtures/stories), so
 * that no two pages are taken for copies of one story and each gets its own message.
 */
async function storyHalves(): Promise<string[][]> {
  const lines = (await readFile(fixture('stories/gaza-other-stories.jsonl'), 'utf8')).trim().split('\n');
  return lines.flatMap((line) => {
    const paragraphs = (JSON.parse(line) as { text: string }).text.split('\n\n');
    const middle = Math.ceil(paragraphs.length / 2);
    return [paragraphs.slice(0, middle), paragraphs.slice(middle)];
  });
}

/** The keyword the rule fires on is in the title and in the sentence that holds the payload. */
const titleOf = (i: number) => `Gaza ceasefire dispatch ${i + 1}: ${PAYLOADS[i]?.payload ?? ''}`;
const sentenceOf = (i: number) => `Desk dispatch on the Gaza ceasefire: ${PAYLOADS[i]?.payload ?? ''}`;

function pageOf(i: number, paragraphs: string[]): string {
  const e = escapeHtml;
  const javascriptLinks =
    PAYLOADS[i]?.name === 'javascript-url'
      ? '<link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="javascript:alert(1)">'
      : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${e(titleOf(i))}</title>${javascriptLinks}</head>
<body><article><h1>${e(titleOf(i))}</h1>
${paragraphs.map((p) => `<p>${e(p)}</p>`).join('\n')}
<p>${e(sentenceOf(i))} <a href="javascript:alert(1)">more</a></p>
</article></body></html>`;
}

/** A JSON Feed: its strings can hold every payload as written, control characters included. */
function injectionFeed(base: string, published: string): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Injection wire',
    items: [
      ...PAYLOADS.map((p, i) => ({
        id: `inject-${i}`,
        url: `${base}/inject/${i}${LINK_QUERY[p.name] ?? ''}`,
        title: titleOf(i),
        content_text: sentenceOf(i),
        date_published: published,
      })),
      // Never fetched nor stored: not a web link.
      { id: 'inject-js', url: 'javascript:alert(1)', title: titleOf(3), content_text: sentenceOf(3) },
      // A 404: the feed's text stands in, and `cli feeds` names the URL as the last problem.
      {
        id: 'inject-gone',
        url: `${base}/inject/gone/<script>\u202E`,
        title: 'Gaza ceasefire dispatch: gone',
        content_text: sentenceOf(0),
        date_published: published,
      },
    ],
  });
}

interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A webhook receiver that keeps the raw body: the signature is over its exact bytes. */
async function startRawReceiver(): Promise<{ url: string; requests: RawRequest[]; server: Server }> {
  const requests: RawRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests, server };
}

const xml = (text: string) => new new JSDOM('').window.DOMParser().parseFromString(text, 'application/xml');
const html = (text: string) => new JSDOM(text).window.document;
/** Slack's three mrkdwn escapes undone: the text a reader sees. */
const unescapeMrkdwn = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
/** mrkdwn strings of a Slack message: the notification fallback and every mrkdwn block text. */
function mrkdwnTexts(body: unknown): string[] {
  const fallback = (body as { text?: unknown } | undefined)?.text;
  const found: string[] = typeof fallback === 'string' ? [fallback] : [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') found.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(body);
  return found;
}

/** No element or attribute that runs or links anything the payloads brought. */
function expectInertHtml(doc: Document, base: string) {
  expect(doc.querySelectorAll('script, img, iframe, evil, object, embed')).toHaveLength(0);
  for (const el of doc.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) expect(attr).not.toMatch(/^on/i);
  }
  for (const a of doc.querySelectorAll('[href]')) {
    expect(a.getAttribute('href')).toMatch(new RegExp(`^${base.replace(/[.]/g, '\\.')}/`));
  }
}

describe('20 injection payloads through every sink', () => {
  let world: PipelineWorld;
  let summary: RunSummary;
  let webhook: Awaited<ReturnType<typeof startRawReceiver>>;
  let rows: { title: string; text: string; url: string; feed_id: string }[];
  let tables: string[];
  let atom: string;
  let digest: { markdown: string; html: string };
  let mails: { raw: string; parsed: ParsedMail }[];
  let cli: { feeds: CliResult; alertsTest: CliResult; explain: CliResult; explainJson: CliResult };

  const base = () => world.site.base;
  /** The stored row of payload `i`, and the first 120 characters of its title (past every cut). */
  const rowOf = (i: number) => rows.find((r) => new URL(r.url).pathname === `/inject/${i}`);
  const titlePrefix = (i: number) => (rowOf(i)?.title ?? '<missing>').slice(0, 120);
  const indexOf = (name: string) => PAYLOADS.findIndex((p) => p.name === name);
  const cases = PAYLOADS.map((p, i) => ({ ...p, i }));

  beforeAll(async () => {
    world = await startPipelineWorld({
      extraFeeds: (site) =>
        [
          '  - id: injection-wire',
          // A feed title is shown in messages, and `cli feeds add` takes it from the feed itself.
          '    title: "Wire <!here> & <b>co</b>"',
          `    url: ${site}/inject/feed.json`,
        ].join('\n'),
    });
    const published = new Date(Date.now() - 3_600_000).toISOString();
    const halves = await storyHalves();
    world.site.set('/inject/feed.json', {
      contentType: 'application/feed+json',
      body: injectionFeed(base(), published),
    });
    PAYLOADS.forEach((_, i) => world.site.set(`/inject/${i}`, { body: pageOf(i, halves[i] ?? []) }));
    await writeFile(
      path.join(world.configDir, 'alerts.yaml'),
      [
        'rules:',
        `  - id: ${RULE}`,
        '    keywords: [dispatch]',
        '    relevantOnly: false',
        '    feeds: [injection-wire]',
        '    channels: [slack, email, webhook]',
        'digest:',
        "  time: '07:00'",
        '  timezone: UTC',
      ].join('\n'),
    );
    webhook = await startRawReceiver();
    const ctx = await openContext({
      settings: {
        ...world.settings,
        WEBHOOK_URL: webhook.url,
        WEBHOOK_SECRET: SECRET,
        // Sixty messages: no spacing between them here (the pace has tests of its own).
        ALERT_MIN_SPACING_MS: 0,
      },
    });
    try {
      summary = await runOnce(ctx);
      const written = await buildDailyDigest(ctx, published.slice(0, 10));
      digest = {
        markdown: await readFile(written.markdownPath, 'utf8'),
        html: await readFile(written.htmlPath, 'utf8'),
      };
      rows = await ctx.db.query('select title, text, url, feed_id from articles order by id');
      tables = (
        await ctx.db.query<{ name: string }>(
          'select table_name as name from information_schema.tables where table_schema = current_schema()',
        )
      ).map((r) => r.name);
      const feeds = createRuleFeedServer(ctx);
      await new Promise<void>((resolve) => feeds.listen(0, '127.0.0.1', resolve));
      const port = (feeds.address() as AddressInfo).port;
      atom = await (await fetch(`http://127.0.0.1:${port}/alerts/${RULE}.atom`)).text();
      feeds.closeAllConnections();
      await new Promise((resolve) => feeds.close(resolve));
    } finally {
      // The CLI opens the same embedded database: one process at a time.
      await ctx.close();
    }
    mails = await Promise.all(
      world.mail.mails.map(async (m) => ({ raw: m.raw, parsed: await simpleParser(m.raw) })),
    );
    const env = {
      CONFIG_DIR: world.configDir,
      DATA_DIR: world.settings.DATA_DIR,
      WATCHLIST: path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'),
      DATABASE_URL: '',
      ALLOW_PRIVATE_NETWORKS: 'true',
    };
    // explain reads what it is given: the raw payloads, not what the pipeline stored.
    const explainInput = PAYLOADS.map((p, i) => ({
      id: p.name,
      title: `Hamas ${titleOf(i)}`,
      text: `${sentenceOf(i)} Hamas${p.payload}Qatar mediators met in Gaza on the ceasefire. ${p.payload}`,
    }));
    const stdin = explainInput.map((line) => JSON.stringify(line)).join('\n');
    cli = {
      feeds: await cliInProcess(['feeds'], { env }),
      alertsTest: await cliInProcess(['alerts', 'test', RULE, '--since', '1w'], { env }),
      explain: await cliInProcess(['explain'], { env, input: stdin }),
      explainJson: await cliInProcess(['explain', '--json'], { env, input: stdin }),
    };
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => webhook.server.close(resolve));
    await world.close();
  });

  it('processes-every-payload-and-the-good-feed-beside-them', () => {
    expect(summary.failures.map((f) => f.culprit)).toEqual([`${base()}/broken/rss.xml`]);
    const byFeed = (feed: string) => rows.filter((r) => r.feed_id === feed).length;
    expect(byFeed('world-news')).toBe(4);
    // 20 payload pages and the 404 whose feed text stood in; the javascript: item is not followed.
    expect(byFeed('injection-wire')).toBe(21);
    expect(world.site.hits.filter((h) => /^\/inject\/\d+$/.test(h)).sort()).toEqual(
      PAYLOADS.map((_, i) => `/inject/${i}`).sort(),
    );
    expect(rows.map((r) => r.url)).not.toContain('javascript:alert(1)');
  });

  describe('database', () => {
    it.each(cases)('stores-$name-as-text', ({ i, stored }) => {
      const title = rowOf(i)?.title ?? '';
      expect(title.startsWith(`Gaza ceasefire dispatch ${i + 1}: `)).toBe(true);
      if (typeof stored === 'string') expect(title.endsWith(stored)).toBe(true);
      else expect(title).toMatch(stored);
      expect(new URL(rowOf(i)?.url ?? '').protocol).toBe('http:');
    });

    it('runs-no-sql-and-keeps-no-control-character', () => {
      expect(tables).toEqual(expect.arrayContaining(['articles', 'feeds', 'alert_deliveries']));
      expect(rows.find((r) => r.title.includes('DROP TABLE'))?.text).toContain(sentenceOf(indexOf('sql')));
      for (const row of rows) expect(`${row.title}${row.url}${row.text}`).not.toMatch(STORED_CONTROL);
    });
  });

  describe('slack', () => {
    /** The message about payload `i`: its link is the item's page. */
    const messageOf = (i: number) =>
      world.slack.received.find((r) =>
        mrkdwnTexts(r.body).some((t) => t.includes(`${base()}/inject/${i}`) && t.includes('|')),
      );

    it('sends-one-message-per-payload', () => {
      expect(world.slack.received).toHaveLength(21);
      for (const { i } of cases) expect(messageOf(i), `message ${i}`).toBeDefined();
    });

    it.each(cases)('shows-$name-as-text', ({ i }) => {
      const texts = mrkdwnTexts(messageOf(i)?.body);
      expect(texts.map(unescapeMrkdwn).join('\n')).toContain(titlePrefix(i));
    });

    it('opens-no-mention-link-or-entity-from-article-text', () => {
      for (const { body } of world.slack.received) {
        expect(JSON.stringify(body)).not.toContain('link_names');
        for (const text of mrkdwnTexts(body)) {
          // Ours: the article link `<http://site/…|label>` and the date token. Nothing else opens.
          const rest = text
            // A context line's leading `>` is our quote marker.
            .replace(/^> /, '')
            .replace(new RegExp(`<${base().replace(/[.]/g, '\\.')}/[^|<>]*\\|[^<>]*>`, 'g'), '')
            .replace(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>/g, '');
          expect(rest).not.toMatch(/[<>]/);
          expect(rest).not.toMatch(/&(?!amp;|lt;|gt;)/);
        }
      }
    });
  });

  describe('webhook', () => {
    const payloads = () =>
      webhook.requests.map((r) => JSON.parse(r.body) as { article: { url: string; title: string } });

    it('sends-valid-signed-json-per-payload', () => {
      expect(webhook.requests).toHaveLength(21);
      for (const { headers, body } of webhook.requests) {
        const header = (name: string) => {
          const value = headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        expect(verifyWebhookSignature(body, header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), SECRET)).toBe(
          true,
        );
        // Escaped so that a receiver pasting the body into HTML cannot be broken out of.
        expect(body).not.toMatch(/[<>&\u2028\u2029]/);
      }
    });

    it.each(cases)('carries-$name-verbatim', ({ i }) => {
      const sent = payloads().find((p) => new URL(p.article.url).pathname === `/inject/${i}`);
      expect(sent?.article.title).toBe(rowOf(i)?.title);
    });
  });

  describe('email', () => {
    const alertMail = (i: number) =>
      mails.find(
        (m) =>
          m.parsed.html &&
          m.parsed.html.includes(`${base()}/inject/${i}`) &&
          m.parsed.subject?.includes(RULE),
      );
    const ALLOWED_HEADERS = ['from', 'to', 'subject', 'message-id', 'date', 'mime-version', 'content-type'];

    it('sends-one-alert-per-payload-and-the-digest', () => {
      expect(mails.filter((m) => m.parsed.subject?.startsWith(`[ceasefire-watch] ${RULE}:`))).toHaveLength(
        21,
      );
      expect(mails.filter((m) => m.parsed.subject?.startsWith('Gaza ceasefire digest'))).toHaveLength(1);
    });

    it('adds-no-header-and-keeps-the-subject-one-line', () => {
      for (const { raw, parsed } of mails) {
        const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
        // Folded lines (starting with white space) continue the header above them.
        const names = head
          .split('\r\n')
          .filter((line) => !/^[ \t]/.test(line))
          .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
        expect(
          names.every((n) => ALLOWED_HEADERS.includes(n)),
          names.join(', '),
        ).toBe(true);
        expect([...parsed.headers.keys()].filter((k) => !ALLOWED_HEADERS.includes(k))).toEqual([]);
        expect(parsed.subject).not.toMatch(/[\r\n]/);
      }
    });

    it.each(cases)('shows-$name-as-text-in-subject-and-both-parts', ({ i }) => {
      const mail = alertMail(i)?.parsed;
      const prefix = titlePrefix(i);
      expect(mail?.subject).toContain(prefix);
      expect(html(String(mail?.html)).body.textContent).toContain(prefix);
      expect(mail?.text?.split('\n')[0]).toContain(prefix);
    });

    it('runs-nothing-in-the-html-and-forges-no-line-in-the-text', () => {
      for (const { parsed } of mails) {
        expectInertHtml(html(String(parsed.html)), base());
        for (const line of (parsed.text ?? '').split('\n')) {
          expect(line).not.toMatch(/^(bcc|cc|set-cookie|subject):/i);
          expect(line).not.toMatch(/^(line2|# Heading)/);
          expect(controlsIn(line)).toEqual([]);
        }
      }
    });
  });

  describe('digest', () => {
    /** Markdown with its backslash escapes undone: the text a reader sees. */
    const shownMarkdown = () => digest.markdown.replace(/\\([\\`*_[\]<>|~#&.+()!-])/g, '$1');

    it.each(cases)('lists-$name-as-text', ({ i }) => {
      expect(shownMarkdown()).toContain(titlePrefix(i));
      expect(html(digest.html).body.textContent).toContain(titlePrefix(i));
    });

    it('html-runs-and-links-nothing-from-article-text', () => {
      expectInertHtml(html(digest.html), base());
    });

    it('markdown-gains-no-heading-link-html-or-emphasis-from-article-text', () => {
      const lines = digest.markdown.split('\n');
      // Our headings only: the title, sections, and groups named after the watchlist's actors and phases.
      for (const line of lines.filter((l) => /^\s{0,3}#/.test(l))) expect(line).toMatch(/^#{1,3} [A-Z]/);
      expect(lines.filter((l) => /^\s*#+ Heading/.test(l))).toEqual([]);
      // Live links are ours, to the site's pages.
      const links = [...digest.markdown.matchAll(/(?<!\\)\[(?:[^\]\\]|\\.)*\]\(([^)]*)\)/g)].map((m) => m[1]);
      expect(links.length).toBeGreaterThanOrEqual(20);
      for (const target of links) expect(target).toMatch(new RegExp(`^<${base().replace(/[.]/g, '\\.')}/`));
      // Our link targets and quote markers set aside, no HTML, code, strike or emphasis is left open.
      const withoutLinks = digest.markdown.replace(/\]\(<[^>]*>\)/g, ']').replace(/^\s*> /gm, '');
      expect(withoutLinks).not.toMatch(/(?<!\\)[<>`~]/);
      expect(withoutLinks).not.toMatch(/(?<![\\*])\*(?!\*)|(?<!\\)_/);
    });
  });

  describe('rule atom feed', () => {
    it('is-well-formed-xml-whose-titles-are-the-stored-text', () => {
      const doc = xml(atom);
      expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
      expect(doc.getElementsByTagName('evil')).toHaveLength(0);
      const entries = [...doc.getElementsByTagName('entry')];
      expect(entries).toHaveLength(21);
      for (const link of doc.querySelectorAll('entry > link')) {
        expect(link.getAttribute('href')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/inject\//);
      }
    });

    it.each(cases)('shows-$name-as-text', ({ i }) => {
      const entry = [...xml(atom).getElementsByTagName('entry')].find(
        (e) => new URL(e.querySelector('link')?.getAttribute('href') ?? '').pathname === `/inject/${i}`,
      );
      expect(entry?.querySelector('title')?.textContent).toBe(rowOf(i)?.title);
      expect(entry?.querySelector('title')?.getAttribute('type')).toBe('text');
    });
  });

  describe('cli', () => {
    it('feeds-prints-one-line-per-feed-without-controls', () => {
      expect(cli.feeds.code).toBe(0);
      const lines = cli.feeds.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines.find((l) => l.startsWith('injection-wire'))).toMatch(
        /feed text used: http: \S+\/inject\/gone\/\S*: HTTP 404$/,
      );
      expect(controlsIn(cli.feeds.stdout.replace(/\n/g, ''))).toEqual([]);
    });

    it.each(cases)('alerts-test-lists-$name-on-its-line', ({ i }) => {
      const line = cli.alertsTest.stdout.split('\n').find((l) => l.includes(titlePrefix(i)));
      expect(line).toMatch(/^FIRES {2}\S+ {2}injection-wire {2}Gaza ceasefire dispatch/);
    });

    it('alerts-test-prints-the-layout-and-nothing-forged', () => {
      expect(cli.alertsTest.code).toBe(0);
      const lines = cli.alertsTest.stdout.trimEnd().split('\n');
      // Per article: the verdict line, its URL, and its two reasons (the feed, the keyword).
      expect(lines).toHaveLength(21 * 4 + 1);
      for (const line of lines) {
        expect(line).toMatch(/^(FIRES {2}| {7}|rule injection )/);
        expect(controlsIn(line)).toEqual([]);
      }
    });

    it('explain-prints-no-terminal-control-from-its-input', () => {
      expect(cli.explain.code).toBe(0);
      expect(controlsIn(cli.explain.stdout.replace(/\n/g, ''))).toEqual([]);
      expect(cli.explain.stdout.split('\n').filter((l) => l.startsWith('article '))).toHaveLength(20);
    });

    it('explain-json-escapes-controls-and-keeps-the-text', () => {
      expect(cli.explainJson.code).toBe(0);
      expect(controlsIn(cli.explainJson.stdout.replace(/\n/g, ''))).toEqual([]);
      const parsed = cli.explainJson.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; tags: { mentions: { sentence: string }[] }[] });
      expect(parsed.map((p) => p.id)).toEqual(PAYLOADS.map((p) => p.name));
      // The sentences quoted are the input's own, control characters and all.
      const bidi = parsed.find((p) => p.id === 'bidi-override');
      const sentences = bidi?.tags.flatMap((t) => t.mentions.map((m) => m.sentence)) ?? [];
      expect(sentences.some((s) => s.includes('\u202E'))).toBe(true);
    });
  });
});
