/**
 * The message sent when a feed has been failing for a long time: a feed must never be dropped
 * silently (issue 3), so a person is told which feed, since when, why, and when it is tried next.
 */
import escapeHtml from 'escape-html';
import { escapeMrkdwn, type SlackMessage } from './channels/slack.ts';
import type { RenderedEmail } from './channels/email.ts';

export interface FailingFeed {
  id: string;
  url: string;
  title: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  failureScore: number;
  nextPollAt: string | null;
}

/**
 * @example
 * const notice = buildFeedFailureNotice(feedRecord);
 * await sendSlack(webhook, notice.slack);
 */
export function buildFeedFailureNotice(feed: FailingFeed): { slack: SlackMessage; email: RenderedEmail } {
  const name = feed.title ?? feed.id;
  const since = feed.lastSuccessAt ? `last success ${feed.lastSuccessAt}` : 'never fetched successfully';
  const facts = [
    `Feed: ${name} (${feed.id})`,
    `URL: ${feed.url}`,
    `Status: ${since}; ${feed.consecutiveFailures} failures in a row; failure score ${feed.failureScore}`,
    `Last error: ${feed.lastError ?? 'unknown'}`,
    `Next poll: ${feed.nextPollAt ?? 'at its normal interval'}`,
  ];
  const subject = `Feed failing: ${name}`.replace(/[\r\n]+/g, ' ');
  const text = `${subject}\n\n${facts.join('\n')}\n`;
  return {
    slack: {
      text: `Feed failing: ${escapeMrkdwn(name)}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: subject.slice(0, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: facts.map(escapeMrkdwn).join('\n') } },
      ],
    },
    email: {
      subject,
      text,
      html: `<!DOCTYPE html><html><body><h1>${escapeHtml(subject)}</h1><ul>${facts
        .map((f) => `<li>${escapeHtml(f)}</li>`)
        .join('')}</ul></body></html>`,
    },
  };
}
