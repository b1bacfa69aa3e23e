/**
 * One message for the alerts a rule held back (hourly limit, quiet hours), per channel: Slack blocks,
 * an email, a webhook body. Titles are escaped for each channel as the single alerts are.
 */
import escapeHtml from 'escape-html';
import { escapeMrkdwn, type SlackMessage } from './channels/slack.ts';
import type { RenderedEmail } from './channels/email.ts';
import { webUrl } from './alert-facts.ts';

export interface HeldItem {
  title: string;
  url: string;
  feedId: string;
}

/** Items listed by name in a summary; past that, a count ("+N more") keeps one message one message. */
export const MAX_SUMMARY_ITEMS = 20;

const flat = (s: string) => s.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();

/**
 * @example
 * const { slack } = buildHeldSummary('phase-two', held);
 */
export function buildHeldSummary(
  ruleId: string,
  items: readonly HeldItem[],
): { slack: SlackMessage; email: RenderedEmail; webhook: object } {
  const shown = items.slice(0, MAX_SUMMARY_ITEMS);
  const more = items.length - shown.length;
  const heading = `${items.length} alerts held for rule ${ruleId}`;
  const slackLines = shown.map((i) => {
    const url = webUrl(i.url);
    const title = escapeMrkdwn(flat(i.title));
    return `• ${url ? `<${url.href.replace(/\|/g, '%7C')}|${title}>` : title} (${escapeMrkdwn(i.feedId)})`;
  });
  const textLines = shown.map((i) => `  - ${flat(i.title)} (${i.feedId}) ${i.url}`);
  if (more > 0) {
    slackLines.push(`…+${more} more`);
    textLines.push(`  +${more} more`);
  }
  return {
    slack: {
      text: escapeMrkdwn(heading),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: heading.slice(0, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: slackLines.join('\n').slice(0, 2900) } },
      ],
    },
    email: {
      subject: `[ceasefire-watch] ${heading}`,
      text: `${heading}:\n${textLines.join('\n')}\n`,
      html: `<!doctype html><html><body><h1>${escapeHtml(heading)}</h1><ul>${shown
        .map((i) => {
          const url = webUrl(i.url);
          const title = escapeHtml(flat(i.title));
          return `<li>${url ? `<a href="${escapeHtml(url.href)}">${title}</a>` : title} (${escapeHtml(i.feedId)})</li>`;
        })
        .join('')}${more > 0 ? `<li>+${more} more</li>` : ''}</ul></body></html>`,
    },
    webhook: { rule: ruleId, summary: true, count: items.length, articles: items.map((i) => ({ ...i })) },
  };
}
