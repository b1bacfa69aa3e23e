/**
 * Email channel: alert messages and the daily digest, sent over SMTP with nodemailer.
 *
 * API: https://nodemailer.com/smtp/ (transport options, connection URL), https://nodemailer.com/message/
 * Header injection: https://nodemailer.com/message/custom-headers/ and RFC 5322 §2.2 (no bare CR/LF)
 */
import escapeHtml from 'escape-html';
import { createTransport } from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { PipelineError } from '../../errors.ts';
import { webUrl } from '../alert-facts.ts';
import { alsoReportedBy, type AlertMessage, type NamedTag } from '../compose-alert.ts';

/** SMTP settings from config/env; `url` is `smtp://user:pass@host:port` (or `smtps://` for implicit TLS). */
export type SmtpSettings = {
  url: string;
  from: string;
  to: string[];
};

/** A subject with a plain-text and an HTML body: what an alert or a digest renders to. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** A transport bound to its sender and recipients. `culprit` names the server without credentials. */
export interface Mailer {
  transporter: Transporter;
  from: string;
  to: string[];
  culprit: string;
  /** Closes pooled connections; call on shutdown. */
  close(): void;
}

/**
 * nodemailer waits 2 minutes to connect and 10 minutes on an idle socket by default: long enough to
 * stall an alert worker on a dead server. These apply unless the URL sets its own (`?socketTimeout=`).
 */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;
/** Long subjects are folded by mail clients into an unreadable line; 200 keeps a whole headline. */
const MAX_SUBJECT_CHARS = 200;
const SUBJECT_PREFIX = '[ceasefire-watch]';

function culpritOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `email ${parsed.host}`;
  } catch {
    return 'email (invalid SMTP URL)';
  }
}

/**
 * A mailer for the configured SMTP server. The URL is validated here, at start-up, so a typo fails
 * once and clearly instead of on every alert.
 *
 * @example
 * ```ts
 * const mailer = createMailer({ url: 'smtp://alerts:secret@mail.example.org:587',
 *   from: 'ceasefire-watch <alerts@example.org>', to: ['desk@example.org'] });
 * await sendAlertEmail(mailer, message);
 * mailer.close();
 * ```
 */
export function createMailer(smtp: SmtpSettings): Mailer {
  const culprit = culpritOf(smtp.url);
  let protocol: string | null = null;
  try {
    protocol = new URL(smtp.url).protocol;
  } catch {
    // No `cause`: URL's TypeError carries the whole input, password included.
  }
  if (protocol !== 'smtp:' && protocol !== 'smtps:') {
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'alerts',
      culprit,
      detail: 'SMTP URL must look like smtp://user:pass@host:port',
      permanent: true,
    });
  }
  const transporter = createTransport({
    url: smtp.url,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });
  return { transporter, from: smtp.from, to: [...smtp.to], culprit, close: () => transporter.close() };
}

/**
 * One header line: CR, LF and the other line breaks removed (they would start a new header, e.g. a
 * forged `Bcc:`), control characters dropped, whitespace collapsed, length capped.
 */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL_OR_LINE_BREAK = /[\u0000-\u001F\u007F\u0085\u2028\u2029]+/g;

function headerLine(s: string, max: number): string {
  const flat = s.replace(CONTROL_OR_LINE_BREAK, ' ').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

function tagText(tags: NamedTag[]): string {
  return tags.length === 0 ? '—' : tags.map((t) => `${t.name} (${t.count})`).join(', ');
}

/** One line of the plain-text part: a title or sentence from a feed cannot break the layout. */
function textLine(s: string): string {
  return s.replace(CONTROL_OR_LINE_BREAK, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Subject, plain-text and HTML bodies for one alert. Every article and config string in the HTML is
 * escaped with escape-html; the subject is one line (CR/LF stripped) so a title cannot add headers,
 * and so is every line of the text part.
 *
 * @example
 * ```ts
 * const { subject } = buildAlertEmail(message);
 * // '[ceasefire-watch] witkoff: Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase …'
 * ```
 */
export function buildAlertEmail(message: AlertMessage): RenderedEmail {
  const { article } = message;
  const title = headerLine(article.title, 1000) || '(untitled)';
  const link = webUrl(article.url);
  const host = link?.host ?? 'unknown host';
  const published = article.published ?? 'unknown';
  const actors = tagText(message.actors);
  const phases = tagText(message.phases);
  const others = message.otherSources;
  const also = alsoReportedBy(others);
  const source = `${article.feedTitle} (${host})`;

  const subject = headerLine(`${SUBJECT_PREFIX} ${message.ruleId}: ${title}`, MAX_SUBJECT_CHARS);

  const text = [
    title,
    textLine(article.url),
    '',
    `Source:    ${textLine(source)}`,
    `Published: ${textLine(published)}`,
    `Actors:    ${textLine(actors)}`,
    `Phases:    ${textLine(phases)}`,
    '',
    `Rule ${message.ruleId}:`,
    ...message.reasons.map((r) => `  - ${textLine(r)}`),
    ...(message.evidence.length > 0 ? ['', ...message.evidence.map((e) => `> ${textLine(e)}`)] : []),
    ...(also !== null
      ? [
          '',
          // Names the other feeds, whose titles may come from the feeds themselves (`cli feeds add`).
          textLine(also),
          ...others.map((o) => `  - ${textLine(o.title)} (${textLine(o.feedTitle)}) ${textLine(o.url)}`),
        ]
      : []),
    '',
  ].join('\n');

  const e = escapeHtml;
  const titleHtml = link ? `<a href="${e(link.href)}" style="color:#0b5394">${e(title)}</a>` : e(title);
  const row = (label: string, value: string) =>
    `<tr><th style="text-align:left;padding:2px 12px 2px 0;color:#555;vertical-align:top">${e(label)}</th><td style="padding:2px 0">${e(value)}</td></tr>`;
  const evidenceHtml = message.evidence
    .map(
      (sentence) =>
        `<blockquote style="margin:0 0 6px;padding:8px 12px;border-left:3px solid #ccc;color:#444">${e(sentence)}</blockquote>`,
    )
    .join('\n');
  const othersHtml =
    also === null
      ? ''
      : `<p style="margin:12px 0 4px"><strong>${e(also)}</strong></p><ul style="margin:0;padding-left:20px">${others.map((o) => `<li>${webUrl(o.url) ? `<a href="${e(o.url)}">${e(o.title)}</a>` : e(o.title)} (${e(o.feedTitle)})</li>`).join('')}</ul>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:15px;line-height:1.45;color:#222;max-width:640px;margin:0 auto;padding:16px">
<p style="margin:0 0 4px;color:#777;font-size:13px">Ceasefire alert: ${e(message.ruleId)}</p>
<h1 style="font-size:20px;margin:0 0 12px">${titleHtml}</h1>
<table style="border-collapse:collapse;font-size:14px;margin-bottom:12px">
${row('Source', source)}
${row('Published', published)}
${row('Actors', actors)}
${row('Phases', phases)}
</table>
<p style="margin:0 0 4px"><strong>Rule ${e(message.ruleId)}</strong></p>
<ul style="margin:0 0 12px;padding-left:20px">${message.reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>
${evidenceHtml}
${othersHtml}
</body></html>
`;
  return { subject, text, html };
}

/**
 * The SMTP reply code decides retry when there is one (RFC 5321 §4.2.1): 5xx (mailbox unknown,
 * credentials refused) will fail again the same way, 4xx (greylisting, mailbox busy) may not. Without
 * a reply, rejected credentials or an unusable envelope are permanent; timeouts and dropped
 * connections are transient.
 */
function toPipelineError(mailer: Mailer, error: unknown): PipelineError {
  const err = error as { code?: string; responseCode?: number; message?: string };
  const permanent =
    typeof err.responseCode === 'number'
      ? err.responseCode >= 500
      : err.code === 'EAUTH' || err.code === 'EENVELOPE';
  return new PipelineError({
    code: 'ALERT_FAILED',
    stage: 'alerts',
    culprit: mailer.culprit,
    detail: headerLine(err.message ?? String(error), 300),
    permanent,
    cause: error,
  });
}

async function send(mailer: Mailer, email: RenderedEmail, to: string[]): Promise<void> {
  // Checked per send, not in createMailer: a deployment may mail digests to a list but no alerts.
  if (to.length === 0) {
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'alerts',
      culprit: mailer.culprit,
      detail: 'no recipients',
      permanent: true,
    });
  }
  try {
    await mailer.transporter.sendMail({
      from: mailer.from,
      to,
      subject: headerLine(email.subject, MAX_SUBJECT_CHARS),
      text: email.text,
      html: email.html,
    });
  } catch (error) {
    throw toPipelineError(mailer, error);
  }
}

/**
 * Sends one alert to the mailer's recipients. Throws a PipelineError (stage `alerts`, culprit
 * `email <host>`), permanent for 5xx replies and failed authentication.
 *
 * @example
 * ```ts
 * await sendAlertEmail(mailer, composeAlert({ rule, channel: 'email', copies, names, feedTitles })!);
 * ```
 */
export async function sendAlertEmail(mailer: Mailer, message: AlertMessage): Promise<void> {
  await send(mailer, buildAlertEmail(message), mailer.to);
}

/**
 * Sends a rendered digest (from src/digest/render-digest.ts: `digestSubject`, `renderDigestMarkdown`
 * as the text part, `renderDigestHtml`) to `to`, or to the mailer's recipients when omitted. The
 * subject is re-flattened here so no caller can inject headers.
 *
 * @example
 * ```ts
 * await sendDigestEmail(mailer, { subject: digestSubject(d), text: renderDigestMarkdown(d), html: renderDigestHtml(d) });
 * ```
 */
export async function sendDigestEmail(
  mailer: Mailer,
  digest: RenderedEmail,
  to: string[] = mailer.to,
): Promise<void> {
  await send(mailer, digest, to);
}
