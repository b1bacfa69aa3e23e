/**
 * Slack channel: one alert as a Block Kit message posted to an incoming webhook.
 *
 * API: https://api.slack.com/messaging/webhooks (posting, error statuses)
 * Formatting: https://api.slack.com/reference/surfaces/formatting#escaping (mrkdwn escaping)
 * Blocks: https://api.slack.com/reference/block-kit/blocks (header, section, context; size limits)
 */
import { PipelineError } from '../../errors.ts';
import { webUrl } from '../alert-facts.ts';
import { alsoReportedBy, type AlertMessage, type NamedTag } from '../compose-alert.ts';
import { describeNetworkError, statusError } from './http-answer.ts';

export interface SlackMessage {
  /** Fallback shown in notifications and by clients that cannot draw blocks. */
  text: string;
  blocks: unknown[];
}

export interface SendSlackOptions {
  /** Abort the POST after this long. @defaultValue 10000 */
  timeoutMs?: number;
}

/** Slack answers a webhook in well under a second; 10 s leaves room for a slow network without holding a worker. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** Slack rejects a section text over 3000 characters; evidence sentences are cut well below that. */
const MAX_EVIDENCE_CHARS = 500;
/** Titles are a line; a runaway one (a whole paragraph scraped as title) is cut to keep the message readable. */
const MAX_TITLE_CHARS = 300;
/** Tags listed per field before "+N more": enough for a Gaza story's usual cast, short enough to scan. */
const MAX_TAGS_LISTED = 12;

/**
 * Escapes the three characters Slack's mrkdwn treats as control characters. With `<` and `>` escaped
 * no user text can open `<!channel>`, `<@U123>` or `<http://evil|click>`; with `&` escaped an
 * entity in a title stays literal text.
 */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/**
 * `<url|title>`, or the escaped title alone when the URL is not a web link. `|` in the URL would end
 * the URL part early, so it is percent-encoded; `&`, `<`, `>` are escaped like any mrkdwn text.
 */
function slackLink(url: string, title: string): string {
  const label = escapeMrkdwn(title);
  const parsed = webUrl(url);
  if (!parsed) return label;
  return `<${escapeMrkdwn(parsed.href.replace(/\|/g, '%7C'))}|${label}>`;
}

/**
 * Slack's date token renders in each reader's own time zone; the fallback (the ISO instant) is what
 * clients that do not understand the token show. The token is our own markup, not user text.
 */
function slackDate(published: string | null): string {
  if (published === null) return 'unknown';
  const ms = Date.parse(published);
  if (Number.isNaN(ms)) return escapeMrkdwn(truncate(published, 40));
  const iso = new Date(ms).toISOString();
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${iso}>`;
}

function tagList(tags: NamedTag[]): string {
  if (tags.length === 0) return '—';
  const listed = tags.slice(0, MAX_TAGS_LISTED).map((t) => `${escapeMrkdwn(t.name)} (${t.count})`);
  const more = tags.length - listed.length;
  return more > 0 ? `${listed.join(', ')} +${more} more` : listed.join(', ');
}

function hostOf(url: string): string {
  return webUrl(url)?.host ?? 'unknown host';
}

/**
 * The Block Kit message for one alert: the linked title (tracking parameters removed), source (feed
 * title and host), publication time, the actors and phases by name, the rule with why it fired, the
 * sentence(s) holding what made it fire, and the story's other copies. Every string that comes from
 * an article or a config file is escaped for mrkdwn, so a title such as `<!channel>` or
 * `<http://evil|click>` shows as text and pings or links nothing.
 *
 * @example
 * ```ts
 * const message = buildSlackMessage(composeAlert({ rule, channel: 'slack', copies, names, feedTitles })!);
 * message.text; // 'witkoff: <https://www.example.com/…|Witkoff to hold Miami talks …>'
 * await sendSlack(process.env.SLACK_WEBHOOK_URL!, message);
 * ```
 */
export function buildSlackMessage(message: AlertMessage): SlackMessage {
  const { article } = message;
  const title = truncate(article.title, MAX_TITLE_CHARS) || '(untitled)';
  const link = slackLink(article.url, title);
  const rule = escapeMrkdwn(message.ruleId);
  const reasons = message.reasons.map((r) => `• ${escapeMrkdwn(truncate(r, MAX_TITLE_CHARS))}`).join('\n');

  const blocks: unknown[] = [
    // plain_text is never parsed for mentions or links; the rule id is config, limited to [a-z0-9-].
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`Ceasefire alert: ${message.ruleId}`, 150) },
    },
    { type: 'section', text: { type: 'mrkdwn', text: `*${link}*` } },
    {
      type: 'section',
      fields: [
        {
          type: 'mrkdwn',
          text: `*Source*\n${escapeMrkdwn(article.feedTitle)} · ${escapeMrkdwn(hostOf(article.url))}`,
        },
        { type: 'mrkdwn', text: `*Published*\n${slackDate(article.published)}` },
        { type: 'mrkdwn', text: `*Actors*\n${tagList(message.actors)}` },
        { type: 'mrkdwn', text: `*Phases*\n${tagList(message.phases)}` },
      ],
    },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*Rule* ${rule}\n${reasons || '• (no reason given)'}` },
    },
  ];
  if (message.evidence.length > 0) {
    blocks.push({
      type: 'context',
      elements: message.evidence.map((sentence) => ({
        type: 'mrkdwn',
        text: `> ${escapeMrkdwn(truncate(sentence, MAX_EVIDENCE_CHARS))}`,
      })),
    });
  }
  const others = message.otherSources;
  const heading = alsoReportedBy(others);
  if (heading !== null) {
    const listed = others
      .slice(0, MAX_LISTED_SOURCES)
      .map((source) => `• ${slackLink(source.url, source.title)} (${escapeMrkdwn(source.feedTitle)})`);
    const more =
      others.length > MAX_LISTED_SOURCES ? [`…and ${others.length - MAX_LISTED_SOURCES} more`] : [];
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${escapeMrkdwn(heading)}*\n${[...listed, ...more].join('\n')}` },
    });
  }
  return { text: `${rule}: ${link}`, blocks };
}

/** Sources listed under one alert; past that, a count (a Slack section holds at most 3,000 characters). */
const MAX_LISTED_SOURCES = 10;

/**
 * The culprit for errors: the webhook's host only. The path of a Slack webhook URL is its secret
 * (anyone holding it can post), so it never reaches a log line or an error message.
 */
function redactWebhook(webhookUrl: string): string {
  try {
    return `slack ${new URL(webhookUrl).host}`;
  } catch {
    return 'slack (invalid webhook URL)';
  }
}

/**
 * Posts a message to a Slack incoming webhook. Resolves on 2xx; otherwise throws a PipelineError
 * (stage `alerts`, culprit `slack <host>`) that is permanent for 4xx other than 408/429 and transient
 * for 5xx, 429, timeouts and network failures, so the queue retries only what can succeed later.
 *
 * Uses Node's fetch directly rather than the guarded client in src/http: the webhook URL is operator
 * config, not article input, and must be allowed to point at a private relay.
 *
 * @example
 * ```ts
 * await sendSlack('https://hooks.slack.com/services/T000/B000/XXXX', buildSlackMessage(job), { timeoutMs: 5000 });
 * ```
 */
export async function sendSlack(
  webhookUrl: string,
  message: SlackMessage,
  opts: SendSlackOptions = {},
): Promise<void> {
  const culprit = redactWebhook(webhookUrl);
  const parsed = webUrl(webhookUrl);
  if (!parsed) {
    // No `cause`: URL's TypeError carries the full input, secret path included.
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'alerts',
      culprit,
      detail: 'webhook URL is not an http(s) URL',
      permanent: true,
    });
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  let response: Response;
  try {
    response = await fetch(parsed, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new PipelineError({
      code: timedOut ? 'FETCH_TIMEOUT' : 'ALERT_FAILED',
      stage: 'alerts',
      culprit,
      detail: timedOut ? `no answer within ${timeoutMs} ms` : describeNetworkError(error),
      cause: error,
    });
  }

  // Read the body either way: it frees the connection, and on failure it names the problem.
  const body = await response.text().catch(() => '');
  if (response.ok) return;

  // Slack answers 429 with Retry-After (seconds) when a webhook posts faster than about one message
  // a second; the alert job is then delayed until then rather than retried blindly.
  throw statusError(response, body, culprit, Date.now());
}
