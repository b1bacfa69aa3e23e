/**
 * What a path has done so far, in a form two paths can be compared by: the rows (articles, stories,
 * tags, mentions, feed items, feeds, deliveries) and the exact messages each receiver got, with only
 * what must differ between two runs taken out (database ids, the clock of the run, signatures).
 */
import { simpleParser } from 'mailparser';
import type { Db } from '../../src/store/db.ts';
import type { MailCatcher, WebhookReceiver } from '../helpers/local-servers.ts';

export interface Receivers {
  slack: WebhookReceiver;
  webhook: WebhookReceiver;
  mail: MailCatcher;
}

export interface Snapshot {
  articles: string[];
  stories: string[];
  tags: string[];
  mentions: string[];
  items: string[];
  feeds: string[];
  deliveries: string[];
  messages: { slack: string[]; webhook: string[]; email: string[] };
}

/** A message as a receiver got it, when, and whether it is an alert (paced) or a feed notice. */
export interface Arrival {
  at: number;
  channel: 'slack' | 'webhook' | 'email';
  alert: boolean;
}

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;

/**
 * Replaces the clock of the run (fetch times, next polls, failing-since) by `<now>`; dates of the
 * news itself (publication times, in 2025) stay, since both paths must agree on them.
 */
export function normaliseTimes(text: string, runStartedAt: number): string {
  return text.replace(ISO, (iso) => (Date.parse(iso) >= runStartedAt - 3_600_000 ? '<now>' : iso));
}

const sorted = (values: string[]) => [...values].sort();

export async function takeSnapshot(db: Db, receivers: Receivers, runStartedAt: number): Promise<Snapshot> {
  const storyOf = new Map<number, string>();
  for (const row of await db.query<{ story_id: number; first: string }>(
    `select story_id, min(canonical_url) as first from articles where story_id is not null group by story_id`,
  )) {
    storyOf.set(row.story_id, row.first);
  }
  const articles = await db.query<Record<string, unknown>>(
    `select canonical_url, url, feed_id, title, byline, lang, text, published, source, relevant, guid,
            content_hash, story_id
       from articles`,
  );
  const stories = await db.query<{ urls: string }>(
    `select string_agg(canonical_url, ' + ' order by canonical_url) as urls
       from articles where story_id is not null group by story_id`,
  );
  const tags = await db.query<Record<string, unknown>>(
    `select a.canonical_url, t.kind, t.tag_id, t.ordinal, t.count, t.evidence, t.in_title, t.in_lead
       from article_tags t join articles a on a.id = t.article_id`,
  );
  const mentions = await db.query<Record<string, unknown>>(
    `select a.canonical_url, m.ordinal, m.kind, m.tag_id, m.field, m.start_offset, m.end_offset, m.text, m.sentence
       from article_mentions m join articles a on a.id = m.article_id`,
  );
  const items = await db.query<Record<string, unknown>>(
    'select feed_id, canonical_url, guid, content_hash, updated_count from feed_items',
  );
  const feeds = await db.query<Record<string, unknown>>(
    `select id, status, failure_score, consecutive_failures, last_status, last_error,
            failure_alerted_at is not null as failure_alerted, paused_at is not null as paused
       from feeds`,
  );
  const deliveries = await db.query<Record<string, unknown>>(
    `select d.rule_id, d.channel, d.status, d.delivery_key, d.story_id, d.evidence, a.canonical_url
       from alert_deliveries d join articles a on a.id = d.article_id`,
  );
  const json = (row: Record<string, unknown>) => normaliseTimes(JSON.stringify(row), runStartedAt);
  const story = (id: unknown) => (typeof id === 'number' ? (storyOf.get(id) ?? null) : null);
  return {
    articles: sorted(articles.map((a) => json({ ...a, story_id: story(a.story_id) }))),
    stories: sorted(stories.map((s) => s.urls)),
    tags: sorted(tags.map(json)),
    mentions: sorted(mentions.map(json)),
    items: sorted(items.map(json)),
    feeds: sorted(feeds.map(json)),
    deliveries: sorted(
      deliveries.map((d) =>
        json({
          ...d,
          // The key names the story by its database id, which differs between two databases.
          delivery_key: String(d.delivery_key).replace(/^story:\d+\|/, `story:${story(d.story_id)}|`),
          story_id: story(d.story_id),
        }),
      ),
    ),
    messages: await messages(receivers, runStartedAt),
  };
}

async function messages(receivers: Receivers, runStartedAt: number): Promise<Snapshot['messages']> {
  const slack = receivers.slack.received.map((r) => normaliseTimes(JSON.stringify(r.body), runStartedAt));
  const webhook = receivers.webhook.received.map((r) => {
    // sentAt is the sender's clock; the signature headers sign it.
    const body = { ...(r.body as Record<string, unknown>) };
    delete body.sentAt;
    return normaliseTimes(JSON.stringify(body), runStartedAt);
  });
  const email = await Promise.all(
    receivers.mail.mails.map(async (m) => {
      const parsed = await simpleParser(m.raw);
      return normaliseTimes(
        JSON.stringify({ to: m.to, subject: parsed.subject, text: parsed.text }),
        runStartedAt,
      );
    }),
  );
  return { slack: sorted(slack), webhook: sorted(webhook), email: sorted(email) };
}

/** Every message a path's receivers got, in arrival order. */
export function arrivals(receivers: Receivers): Arrival[] {
  const isNotice = (text: string) => text.includes('Feed failing');
  return [
    ...receivers.slack.received.map((r) => ({
      at: r.at,
      channel: 'slack' as const,
      alert: !isNotice(JSON.stringify(r.body)),
    })),
    ...receivers.webhook.received.map((r) => ({ at: r.at, channel: 'webhook' as const, alert: true })),
    ...receivers.mail.mails.map((m) => ({ at: m.at, channel: 'email' as const, alert: !isNotice(m.raw) })),
  ].sort((a, b) => a.at - b.at);
}
