/**
 * Feed health, as `cli feeds` prints it: each feed's status, last success, failure score (out of the
 * alert threshold once it nears it), next poll and last error.
 */
import { FAILURE_ALERT_SCORE, nextPollDue } from '../feeds/feed-health.ts';
import type { FeedRecord } from '../store/feeds.ts';
import { html, webHref, type SafeHtml } from './html.ts';

/** A feed as the page and `/api/feeds` show it. */
export function feedHealth(feed: FeedRecord) {
  return {
    id: feed.id,
    url: feed.url,
    title: feed.title,
    status: feed.status,
    lastSuccessAt: feed.lastSuccessAt,
    failureScore: feed.failureScore,
    failureAlertScore: FAILURE_ALERT_SCORE,
    nextPollAt: nextPollDue(feed),
    lastStatus: feed.lastStatus,
    lastError: feed.lastError,
  };
}

const when = (iso: string | null, none: string) =>
  iso ? html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>` : none;

export function feedsPage(feeds: readonly FeedRecord[]): SafeHtml {
  const row = (feed: FeedRecord) => {
    const f = feedHealth(feed);
    const href = webHref(f.url);
    const score =
      f.failureScore >= FAILURE_ALERT_SCORE
        ? `${f.failureScore}/${FAILURE_ALERT_SCORE}`
        : String(f.failureScore);
    return html`<tr class="feed-${f.status}" data-feed="${f.id}">
      <td><a href="/?feed=${encodeURIComponent(f.id)}">${f.id}</a>${f.title ? html`<br><small>${f.title}</small>` : ''}</td>
      <td>${f.status}</td>
      <td>${when(f.lastSuccessAt, 'never')}</td>
      <td>${score}</td>
      <td>${when(f.nextPollAt, 'due')}</td>
      <td class="error">${f.lastError ?? ''}</td>
      <td>${href ? html`<a href="${href}" rel="noreferrer">feed</a>` : f.url}</td>
    </tr>`;
  };
  return html`<table class="feeds">
    <thead><tr><th>Feed</th><th>Status</th><th>Last success</th><th>Failure score</th><th>Next poll</th><th>Last error</th><th></th></tr></thead>
    <tbody>${feeds.map(row)}</tbody>
  </table>`;
}
