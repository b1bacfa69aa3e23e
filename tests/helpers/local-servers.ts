/**
 * Real servers on 127.0.0.1 for tests: a fixture site (feeds and pages), a webhook receiver that
 * records what Slack would have been sent, and an SMTP server (smtp-server) that records mail.
 * Each listens on an ephemeral port and closes in afterAll.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createServer as createNetServer } from 'node:net';

export interface Route {
  status?: number;
  contentType?: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  /** Answer a request carrying this ETag in If-None-Match with a 304, as a polite server does. */
  etag?: string;
}

export interface FixtureSite {
  base: string;
  /** Requests seen, by path, in order. */
  hits: string[];
  /** Replaces (or adds) what a path serves, e.g. a feed that changed or a server that recovered. */
  set(path: string, route: Route): void;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Serves `routes(base)`; anything else is a 404. Routes get the base URL to write absolute links. */
export async function startFixtureSite(
  routes: (base: string) => Record<string, Route>,
): Promise<FixtureSite> {
  let table: Record<string, Route> = {};
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.push(path);
    const route = table[path];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (route.etag && req.headers['if-none-match'] === route.etag) {
      res.writeHead(304, { etag: route.etag }).end();
      return;
    }
    res.writeHead(route.status ?? 200, {
      'content-type': route.contentType ?? 'text/html; charset=utf-8',
      ...(route.etag ? { etag: route.etag } : {}),
      ...route.headers,
    });
    res.end(route.body);
  });
  const base = await listen(server);
  table = routes(base);
  return {
    base,
    hits,
    set: (path, route) => {
      table[path] = route;
    },
    close: () => closeServer(server),
  };
}

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** When the request was answered (epoch ms): gaps between messages show the pace. */
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status codes to answer with, in order; 200 once exhausted. */
  replies: number[];
  /** Every request, answered or refused, with when and how it was answered. */
  requests: { at: number; status: number }[];
  /**
   * Decides the answer when set (after `replies` is exhausted): a status and headers, e.g. a 429 with
   * Retry-After for a while, as Slack does when posted to too fast.
   */
  answer?: () => { status: number; headers?: Record<string, string> };
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const replies: number[] = [];
  const requests: { at: number; status: number }[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    received,
    replies,
    requests,
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const decided = replies.length === 0 ? receiver.answer?.() : undefined;
      const status = replies.shift() ?? decided?.status ?? 200;
      requests.push({ at: Date.now(), status });
      if (status === 200) {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // kept as text: the test asserts on it
        }
        received.push({ path: req.url ?? '/', headers: req.headers, body, at: Date.now() });
      }
      res
        .writeHead(status, { 'content-type': 'text/plain', ...decided?.headers })
        .end(status === 200 ? 'ok' : 'error');
    });
  });
  const base = await listen(server);
  receiver.url = `${base}/services/T000/B000/XXXX`;
  receiver.close = () => closeServer(server);
  return receiver;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** When the message was accepted (epoch ms). */
  at: number;
}

export interface MailCatcher {
  url: string;
  mails: ReceivedMail[];
  /** While true, every message is refused with a passing error (451), as a busy relay does. */
  refusing: boolean;
  /** Messages refused while `refusing`. */
  refused: number;
  close(): Promise<void>;
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const mails: ReceivedMail[] = [];
  const catcher = { refusing: false, refused: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (!catcher.refusing) return callback();
      catcher.refused++;
      callback(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({
          from,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
  });
  return Object.assign(catcher, {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` with `what` in the message. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A loopback port free a moment ago: for a process that must be told its port before it starts. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
