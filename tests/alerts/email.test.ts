import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildAlertEmail,
  createMailer,
  sendAlertEmail,
  sendDigestEmail,
} from '../../src/alerts/channels/email.ts';
import type { Mailer } from '../../src/alerts/channels/email.ts';
import type { AlertMessage, StoryCopy } from '../../src/alerts/compose-alert.ts';
import { buildDigest } from '../../src/digest/build-digest.ts';
import { renderDigestMarkdown } from '../../src/digest/render-digest.ts';
import { PipelineError } from '../../src/errors.ts';
import { CLEAN_URL, MIAMI_SUMMIT, regionalCopy, rule, seed, seedMessage } from './story-copies.ts';

const RULE = rule({
  id: 'witkoff-phase-2',
  actors: ['steve-witkoff'],
  phases: ['phase-2'],
  keywords: ['Miami summit'],
});
const REGIONAL = regionalCopy();

function message(patch: Partial<StoryCopy> = {}, others: StoryCopy[] = []): AlertMessage {
  return seedMessage(RULE, 'email', patch, others);
}

// --- a small MIME reader, enough for what nodemailer writes (no mail parser is installed) ---

interface Entity {
  head: string;
  headers: Map<string, string>;
  body: string;
}

function splitEntity(raw: string): Entity {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at);
  const headers = new Map<string, string>();
  // Unfolding removes the CRLF before continuation whitespace (RFC 5322 §2.2.3).
  for (const line of head.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { head, headers, body: raw.slice(at + 4) };
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=); whitespace between two of them is dropped. */
function decodeHeader(value: string): string {
  const words = value.replace(/\?=\s+=\?/g, '?==?');
  return words.replace(
    /=\?([^?]+)\?([QB])\?([^?]*)\?=/gi,
    (_m, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
  );
}

function decodeBody(entity: Entity): string {
  const encoding = (entity.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(entity.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const soft = entity.body.replace(/=\r\n/g, '');
    const latin = soft.replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(latin, 'latin1').toString('utf8');
  }
  return entity.body;
}

interface ParsedMail {
  head: string;
  subject: string;
  text: string;
  html: string;
}

function parseMail(raw: string): ParsedMail {
  const top = splitEntity(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(top.headers.get('content-type') ?? '')?.[1];
  if (!boundary) throw new Error('expected a multipart message');
  // The CRLF before a delimiter belongs to the delimiter, not to the part (RFC 2046 §5.1.1).
  const parts = `\r\n${top.body}`
    .split(`\r\n--${boundary}`)
    .slice(1, -1)
    .map((p) => splitEntity(p.replace(/^\r\n/, '')));
  const part = (type: string) => {
    const found = parts.find((p) => (p.headers.get('content-type') ?? '').startsWith(type));
    if (!found) throw new Error(`no ${type} part`);
    return decodeBody(found).replace(/\r\n/g, '\n');
  };
  return {
    head: top.head,
    subject: decodeHeader(top.headers.get('subject') ?? ''),
    text: part('text/plain'),
    html: part('text/html'),
  };
}

// --- a real SMTP server on 127.0.0.1 ---

interface Delivery {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  raw: string;
}

const USER = 'alerts';
const PASS = 'p4ss-w0rd-s3cret';

describe('email channel', () => {
  let server: SMTPServer;
  let port: number;
  let deliveries: Delivery[] = [];
  let mailer: Mailer | null = null;

  beforeAll(async () => {
    server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      // Plain-text AUTH is fine on loopback; without it the server refuses credentials with no TLS.
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === USER && auth.password === PASS) callback(null, { user: auth.username });
        else callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
      },
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('unknown@')) {
          callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
        } else if (address.address.startsWith('busy@')) {
          callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }));
        } else callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          deliveries.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : undefined,
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    deliveries = [];
  });

  afterEach(() => {
    mailer?.close();
    mailer = null;
  });

  function open(to = ['desk@example.org'], pass = PASS): Mailer {
    mailer = createMailer({
      url: `smtp://${USER}:${pass}@127.0.0.1:${port}`,
      from: 'ceasefire-watch <alerts@example.org>',
      to,
    });
    return mailer;
  }

  it('alert-email-delivered', async () => {
    const m = open(['desk@example.org', 'editor@example.org']);
    const alert = message({}, [REGIONAL]);
    await sendAlertEmail(m, alert);

    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery?.user).toBe(USER);
    expect(delivery?.from).toBe('alerts@example.org');
    expect(delivery?.to).toEqual(['desk@example.org', 'editor@example.org']);

    const mail = parseMail(delivery?.raw ?? '');
    const built = buildAlertEmail(alert);
    expect(mail.subject).toBe(
      '[ceasefire-watch] witkoff-phase-2: Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase of Gaza ceasefire',
    );
    expect(mail.subject).toBe(built.subject);
    expect(mail.text).toBe(built.text);
    expect(mail.html).toBe(built.html);

    // The link without the fixture's `?utm_source=rss`, the source by its feed title.
    expect(mail.text.split('\n').slice(0, 4)).toEqual([
      seed.title,
      CLEAN_URL,
      '',
      'Source:    Seed Wire (www.example.com)',
    ]);
    expect(mail.text).toContain('Published: 2025-12-18T14:30:00.000Z');
    expect(mail.text).toMatch(
      /\nActors: {4}Hamas \(4\), Israel \(4\), Donald Trump \(3\), .*Steve Witkoff \(3\), .*Badr Abdelatty \(1\), /,
    );
    expect(mail.text).toContain('Phases:    Phase two of the Gaza plan (5)');
    expect(mail.text).toContain(
      'Rule witkoff-phase-2:\n  - actor: Steve Witkoff\n  - phase: Phase two of the Gaza plan\n  - keyword: "Miami summit"',
    );
    expect(mail.text).toContain(`\n> ${MIAMI_SUMMIT}\n`);
    expect(mail.text).toContain(
      `\nAlso reported by Regional Daily.\n  - ${seed.title} (Regional Daily) https://regional.example.com/news/gaza-talks-miami\n`,
    );
    expect(mail.html).toMatch(/^<!doctype html>/);
    expect(mail.html).toContain(`<a href="${CLEAN_URL}" style="color:#0b5394">${seed.title}</a>`);
    expect(mail.html).toContain(
      '<li>actor: Steve Witkoff</li><li>phase: Phase two of the Gaza plan</li><li>keyword: &quot;Miami summit&quot;</li>',
    );
    expect(mail.html).toContain(`>${MIAMI_SUMMIT}</blockquote>`);
    expect(mail.html).toContain('<strong>Also reported by Regional Daily.</strong>');
    expect(mail.html).toContain(
      `<li><a href="https://regional.example.com/news/gaza-talks-miami">${seed.title}</a> (Regional Daily)</li>`,
    );
    for (const part of [mail.text, mail.html]) {
      expect(part).not.toMatch(/utm_|fbclid|gclid|steve-witkoff|badr-abdelatty/);
    }
  });

  it('no-evidence-no-quote-no-sources', async () => {
    await sendAlertEmail(open(), { ...message(), evidence: [], actors: [], phases: [] });
    const mail = parseMail(deliveries[0]?.raw ?? '');
    expect(mail.text).not.toContain('\n> ');
    expect(mail.text).not.toContain('Also reported by');
    expect(mail.text).toContain('Actors:    —');
    expect(mail.html).not.toContain('<blockquote');
  });

  it.each([
    { name: 'crlf-bcc', title: 'Ceasefire holds\r\nBcc: victim@example.net', header: /^Bcc:/im },
    { name: 'lf-only', title: 'Ceasefire holds\nX-Injected: yes', header: /^X-Injected:/im },
    { name: 'cr-only', title: 'Ceasefire holds\rX-Injected: yes', header: /^X-Injected:/im },
    { name: 'double-crlf-body', title: 'Ceasefire holds\r\n\r\nfake body', header: /^fake body/im },
    {
      name: 'unicode-line-separator',
      title: 'Ceasefire holds\u2028X-Injected: yes',
      header: /^X-Injected:/im,
    },
  ])('subject-injection-$name', async ({ title, header }) => {
    await sendAlertEmail(open(), message({ title }));
    const [delivery] = deliveries;
    expect(delivery?.to).toEqual(['desk@example.org']);
    const mail = parseMail(delivery?.raw ?? '');
    expect(mail.head).not.toMatch(header);
    expect(mail.subject).not.toMatch(/[\r\n\u2028]/);
    expect(mail.subject).toMatch(/^\[ceasefire-watch\] witkoff-phase-2: Ceasefire holds /);
  });

  it('html-escapes-article-strings', async () => {
    const hostile = {
      title: '<script>alert("x")</script> & <img src=x onerror=alert(1)>',
      url: 'javascript:alert(1)',
      // A feed without a title in feeds.yaml is shown by its id.
      feedId: '<b>feed</b>',
    };
    await sendAlertEmail(open(), {
      ...message(hostile),
      reasons: ['keyword: "<iframe>"'],
      evidence: ['He said </blockquote><script>alert(2)</script>'],
      otherSources: [
        {
          title: '<svg onload=alert(3)>',
          url: 'javascript:alert(4)',
          feedId: 'x',
          feedTitle: '<u>Regional</u>',
          published: null,
        },
        {
          title: 'Copy',
          url: 'https://example.org/a?x="><script>',
          feedId: 'y',
          feedTitle: 'Y',
          published: null,
        },
      ],
    });
    const mail = parseMail(deliveries[0]?.raw ?? '');
    for (const bad of ['<script', '<img', '<b>feed', '<iframe', 'href="javascript', '<svg', '<u>'])
      expect(mail.html).not.toContain(bad);
    expect(mail.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;',
    );
    expect(mail.html).toContain('&lt;b&gt;feed&lt;/b&gt; (unknown host)');
    expect(mail.html).toContain('<li>keyword: &quot;&lt;iframe&gt;&quot;</li>');
    expect(mail.html).toContain('He said &lt;/blockquote&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(mail.html).toContain('<li>&lt;svg onload=alert(3)&gt; (&lt;u&gt;Regional&lt;/u&gt;)</li>');
    // A quote in a linked URL cannot close the href attribute.
    expect(mail.html).toContain('<a href="https://example.org/a?x=&quot;&gt;&lt;script&gt;">Copy</a>');
    // The plain-text part is not HTML: it keeps the title as written.
    expect(mail.text.split('\n')[0]).toBe(hostile.title);
  });

  it('text-part-lines-cannot-be-broken-by-article-strings', () => {
    const { text } = buildAlertEmail({
      ...message(),
      evidence: ['First line.\r\n> Forged quote'],
      otherSources: [
        {
          title: 'Copy\nRule forged:',
          url: 'https://example.org/a',
          feedId: 'y',
          feedTitle: 'Y\u2028Z',
          published: null,
        },
      ],
    });
    expect(text).toContain('\n> First line. > Forged quote\n');
    expect(text).toContain('\n  - Copy Rule forged: (Y Z) https://example.org/a\n');
    expect(text).not.toMatch(/^Rule forged:/m);
  });

  it('digest-email-to-explicit-recipients', async () => {
    const m = open(['desk@example.org']);
    await sendDigestEmail(
      m,
      {
        subject: 'Gaza ceasefire digest 2025-12-18:\r\nBcc: x@example.net',
        text: '# Digest\n',
        html: '<p>Digest</p>',
      },
      ['digest@example.org'],
    );
    const [delivery] = deliveries;
    expect(delivery?.to).toEqual(['digest@example.org']);
    const mail = parseMail(delivery?.raw ?? '');
    expect(mail.subject).toBe('Gaza ceasefire digest 2025-12-18: Bcc: x@example.net');
    expect(mail.head).not.toMatch(/^Bcc:/im);
    expect(mail.text).toBe('# Digest\n');
    expect(mail.html).toBe('<p>Digest</p>');
  });

  it('digest-email-defaults-to-mailer-recipients', async () => {
    await sendDigestEmail(open(['desk@example.org']), { subject: 's', text: 't', html: '<p>h</p>' });
    expect(deliveries[0]?.to).toEqual(['desk@example.org']);
  });

  it.each([
    { name: 'wrong-password-permanent', pass: 'wrong-s3cret', to: ['desk@example.org'], permanent: true },
    { name: 'unknown-mailbox-permanent', pass: PASS, to: ['unknown@example.org'], permanent: true },
    { name: 'busy-mailbox-transient', pass: PASS, to: ['busy@example.org'], permanent: false },
  ])('$name', async ({ pass, to, permanent }) => {
    const error = await sendAlertEmail(open(to, pass), message()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({
      stage: 'alerts',
      code: 'ALERT_FAILED',
      permanent,
      culprit: `email 127.0.0.1:${port}`,
    });
    expect((error as Error).message).not.toContain(pass);
    expect(deliveries).toHaveLength(0);
  });

  it('connection-refused-transient', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    mailer = createMailer({
      url: `smtp://${USER}:${PASS}@127.0.0.1:${closedPort}`,
      from: 'a@example.org',
      to: ['b@example.org'],
    });
    const error = await sendAlertEmail(mailer, message()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({ permanent: false, culprit: `email 127.0.0.1:${closedPort}` });
    expect((error as Error).message).not.toContain(PASS);
  });

  it('no-recipients-permanent', async () => {
    const error = await sendAlertEmail(open([]), message()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', permanent: true });
    expect(deliveries).toHaveLength(0);
  });

  it.each([
    { name: 'not-a-url', url: `alerts:${PASS}@mail.example.org:587` },
    { name: 'http-scheme', url: `https://alerts:${PASS}@mail.example.org/` },
  ])('invalid-smtp-url-$name', ({ url }) => {
    let error: unknown;
    try {
      createMailer({ url, from: 'a@example.org', to: ['b@example.org'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', stage: 'alerts', permanent: true });
    expect((error as Error).message).not.toContain(PASS);
  });
});

describe('buildAlertEmail', () => {
  it.each([
    { name: 'long-title-capped', title: 'x'.repeat(500), maxLength: 200 },
    { name: 'control-characters-dropped', title: 'a\u0000b\u0007c\td', maxLength: 200 },
    { name: 'crlf-flattened', title: 'Truce\r\nBcc: victim@example.net\r\n\r\nbody', maxLength: 200 },
  ])('subject-$name', ({ title, maxLength }) => {
    const { subject } = buildAlertEmail(message({ title }));
    expect(subject.length).toBeLessThanOrEqual(maxLength);
    // eslint-disable-next-line no-control-regex -- asserting control characters are gone
    expect(subject).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
});

/**
 * Every way a string can start a new line for some reader of the plain-text part: CR, LF, CRLF, NEL,
 * the Unicode line and paragraph separators, vertical tab, form feed, and the C0 separators that
 * Python's `str.splitlines` breaks on.
 */
const LINE_BREAKS = [
  { name: 'crlf', br: '\r\n' },
  { name: 'cr', br: '\r' },
  { name: 'lf', br: '\n' },
  { name: 'nel', br: '\u0085' },
  { name: 'line-separator', br: '\u2028' },
  { name: 'paragraph-separator', br: '\u2029' },
  { name: 'vertical-tab', br: '\u000b' },
  { name: 'form-feed', br: '\u000c' },
  { name: 'file-separator', br: '\u001c' },
  { name: 'record-separator', br: '\u001e' },
];
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const ANY_LINE_BREAK = /\r\n|[\r\n\u0085\u2028\u2029\u000b\u000c\u001c-\u001e]/;

/** The text's lines as the most liberal reader splits them; the text itself may only use LF. */
function textLines(text: string): string[] {
  expect(text.replaceAll('\n', '')).not.toMatch(ANY_LINE_BREAK);
  return text.split(ANY_LINE_BREAK);
}

describe('plain-text parts', () => {
  it.each(LINE_BREAKS)('alert-text-keeps-source-strings-on-their-line-$name', ({ br }) => {
    const { text } = buildAlertEmail({
      ...message({ title: `Truce holds${br}Bcc: victim@example.net` }),
      otherSources: [
        {
          title: `Copy${br}Rule forged:`,
          url: 'https://example.org/a',
          feedId: 'regional',
          feedTitle: `Regional Daily${br}Rule forged: a feed title`,
          published: null,
        },
      ],
    });
    const lines = textLines(text);
    expect(lines.filter((l) => /^(Bcc:|Rule forged)/.test(l))).toEqual([]);
    expect(lines).toContain('Also reported by Regional Daily Rule forged: a feed title.');
  });

  it.each(LINE_BREAKS)('digest-text-keeps-source-strings-on-their-line-$name', ({ br }) => {
    const digest = buildDigest({
      day: '2025-12-18',
      timezone: 'UTC',
      names: { hamas: `Hamas${br}## Forged heading`, 'phase-2': 'Phase two' },
      articles: [
        {
          title: `Truce holds${br}Bcc: victim@example.net${br}- [Forged entry](https://evil.example/)`,
          url: 'https://news.example.org/truce',
          feedId: 'example',
          published: '2025-12-18T10:00:00Z',
          relevant: true,
          actors: [{ id: 'hamas', count: 1, evidence: `Hamas said it would disarm.${br}Rule: forged` }],
          phases: [{ id: 'phase-2', count: 1, evidence: 'Phase two talks resumed.' }],
        },
      ],
    });
    const lines = textLines(renderDigestMarkdown(digest));
    expect(lines.filter((l) => /^(Bcc:|Rule:|## Forged|- \[Forged)/.test(l))).toEqual([]);
    expect(lines.some((l) => l.includes('Truce holds Bcc: victim@example.net - \\[Forged entry\\]'))).toBe(
      true,
    );
  });
});
