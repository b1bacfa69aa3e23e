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
    /** ok, failing, new, or paused (health is kept while paused, but nothing is polled). */
    status: feed.pausedAt ? ('paused' as const) : feed.status,
    pausedAt: feed.pausedAt,
    lastSuccessAt: feed.lastSuccessAt,
    failureScore: feed.failureScore,
    failureAlertScore: FAILURE_ALERT_SCORE,
    nextPollAt: feed.pausedAt ? null : nextPollDue(feed),
    lastStatus: feed.lastStatus,
    lastError: feed.lastError,
  };
}

const when = (iso: string | null, none: string) =>
  iso ? html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>` : none;

export interface FeedsPageOptions {
  /** Whether this server can add feeds (it can when it knows the config files). */
  canAdd?: boolean;
  /** The outcome of the last action, shown above the table. */
  done?: string;
  error?: string;
}

/** Pause or resume: a one-button form, so it works without JavaScript. */
function toggleForm(feed: FeedRecord): SafeHtml {
  const action = feed.pausedAt ? 'resume' : 'pause';
  return html`<form method="post" action="/feeds/${encodeURIComponent(feed.id)}/${action}" class="inline">
        <button type="submit" name="feed" value="${feed.id}">${feed.pausedAt ? 'Resume' : 'Pause'}</button></form>`;
}

const addForm = html`<form method="post" action="/feeds" class="filters add-feed">
  <label>Feed, site or article URL <input type="url" name="url" required size="50" placeholder="https://"></label>
  <label>Id (optional) <input name="id" pattern="[a-z0-9][a-z0-9\-]*" size="18"></label>
  <label>Minutes between polls <input type="number" name="intervalMinutes" min="1" max="1440" size="5"></label>
  <button type="submit">Add feed</button>
</form>`;

export function feedsPage(feeds: readonly FeedRecord[], opts: FeedsPageOptions = {}): SafeHtml {
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
      <td>${f.pausedAt ? 'paused' : when(f.nextPollAt, 'due')}</td>
      <td class="error">${f.lastError ?? ''}</td>
      <td>${href ? html`<a href="${href}" rel="noreferrer">feed</a>` : f.url}</td>
      <td>${toggleForm(feed)}</td>
    </tr>`;
  };
  return html`${opts.done ? html`<p class="notice" role="status">${opts.done}</p>` : ''}
  ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
  ${opts.canAdd ? addForm : html`<p class="count">Add feeds with <code>npm run cli -- feeds add URL</code>.</p>`}
  <p class="count">Adding, pausing and resuming need the dashboard token (<a href="/login?next=/feeds">log in</a>).</p>
  <table class="feeds">
    <thead><tr><th>Feed</th><th>Status</th><th>Last success</th><th>Failure score</th><th>Next poll</th><th>Last error</th><th></th><th></th></tr></thead>
    <tbody>${feeds.map(row)}</tbody>
  </table>`;
}
