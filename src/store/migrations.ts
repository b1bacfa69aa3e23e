/**
 * Schema migrations, append-only as in miniflux/v2/internal/database/migrations.go: a released
 * migration is never edited or reordered; a change is a new entry at the end. `schema_migrations`
 * records which versions a database has.
 */
import type { Db } from './db.ts';

export interface Migration {
  /** 1, 2, 3, … in order; never reused. */
  version: number;
  name: string;
  /** Plain PostgreSQL that PGlite runs too; may hold several statements. */
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'feeds, articles, tags, mentions, alert deliveries, digests',
    sql: `
      create table feeds (
        id text primary key,
        url text not null,
        title text,
        interval_minutes integer not null,
        labels jsonb not null default '[]',
        etag text,
        last_modified text,
        last_fetched_at timestamptz,
        last_success_at timestamptz,
        last_error text,
        consecutive_failures integer not null default 0,
        status text not null default 'new' check (status in ('ok', 'failing', 'new'))
      );

      create table articles (
        id bigserial primary key,
        canonical_url text not null unique,
        url text not null,
        feed_id text not null references feeds (id),
        title text not null,
        byline text,
        lang text,
        text text not null,
        published timestamptz,
        fetched_at timestamptz not null,
        updated_at timestamptz not null,
        source text not null check (source in ('page', 'feed')),
        relevant boolean not null
      );
      -- The digest selects a day by publication time, or fetch time when the feed gave none.
      create index articles_digest_time on articles ((coalesce(published, fetched_at)));
      create index articles_feed_id on articles (feed_id);

      create table article_tags (
        article_id bigint not null references articles (id) on delete cascade,
        kind text not null check (kind in ('actor', 'phase')),
        tag_id text not null,
        -- Keeps the tagger's order, so an article reads back as it was stored.
        ordinal integer not null,
        count integer not null,
        evidence text not null,
        primary key (article_id, kind, tag_id)
      );
      create index article_tags_tag on article_tags (kind, tag_id);

      create table article_mentions (
        article_id bigint not null references articles (id) on delete cascade,
        ordinal integer not null,
        kind text not null check (kind in ('actor', 'phase')),
        tag_id text not null,
        field text not null check (field in ('title', 'text')),
        start_offset integer not null,
        end_offset integer not null,
        text text not null,
        sentence text not null,
        primary key (article_id, ordinal)
      );

      create table alert_deliveries (
        id bigserial primary key,
        rule_id text not null,
        article_id bigint not null references articles (id) on delete cascade,
        channel text not null,
        status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
        attempts integer not null default 1,
        last_error text,
        created_at timestamptz not null default now(),
        sent_at timestamptz,
        unique (rule_id, article_id, channel)
      );

      create table digests (
        day date not null,
        timezone text not null,
        created_at timestamptz not null default now(),
        markdown_path text,
        html_path text,
        emailed boolean not null default false,
        primary key (day, timezone)
      );
    `,
  },
  {
    version: 2,
    name: 'feed health and backoff, item identity, story clusters',
    sql: `
      -- Feed health (issue 3): a graded failure score drives the next poll time; the body hash
      -- catches servers whose ETag changes while the feed does not.
      alter table feeds add column failure_score real not null default 0;
      alter table feeds add column next_poll_at timestamptz;
      alter table feeds add column last_status integer;
      alter table feeds add column last_body_hash text;
      alter table feeds add column failure_alerted_at timestamptz;

      -- Every item seen in any feed, known by canonical URL, guid and content hash: an item seen
      -- before is skipped, a changed one is processed as an update.
      create table feed_items (
        canonical_url text primary key,
        feed_id text not null references feeds (id),
        guid text,
        content_hash text not null,
        first_seen_at timestamptz not null,
        last_seen_at timestamptz not null,
        updated_count integer not null default 0
      );
      create index feed_items_feed_guid on feed_items (feed_id, guid);

      -- Story clusters: syndicated copies of one story share a story id. Candidates are found
      -- through signature bands (locality-sensitive hashing), then confirmed on the signature.
      create table stories (
        id bigserial primary key,
        title text not null,
        first_seen_at timestamptz not null
      );
      alter table articles add column guid text;
      alter table articles add column content_hash text;
      alter table articles add column story_id bigint references stories (id);
      alter table articles add column signature text;
      create index articles_story on articles (story_id);
      create table article_signature_bands (
        band smallint not null,
        bucket text not null,
        article_id bigint not null references articles (id) on delete cascade,
        primary key (band, bucket, article_id)
      );
    `,
  },
  {
    version: 3,
    name: 'raw pages kept for reprocessing',
    sql: `
      -- The page as fetched (gzip), keyed by canonical URL because it is saved before the article row
      -- exists; \`cli reprocess\` re-extracts from it after an upgrade.
      create table article_pages (
        canonical_url text primary key,
        url text not null,
        content_type text,
        fetched_at timestamptz not null,
        html_gzip bytea not null
      );
    `,
  },
  {
    version: 4,
    name: 'tag salience',
    sql: `
      -- Whether a tag is in the headline or the lead: alerts and digests rank by it.
      alter table article_tags add column in_title boolean not null default false;
      alter table article_tags add column in_lead boolean not null default false;
    `,
  },
  {
    version: 5,
    name: 'alert deliveries keyed by story',
    sql: `
      -- A delivery is unique per (rule, channel, key): the key names the story and the actors and
      -- phases it carried when it was sent, so five syndicated copies make one alert, and a story
      -- alerts again only when what it carries changes. Articles without a story keep 'article:<id>'.
      alter table alert_deliveries add column story_id bigint references stories (id);
      alter table alert_deliveries add column delivery_key text;
      update alert_deliveries set delivery_key = 'article:' || article_id;
      alter table alert_deliveries alter column delivery_key set not null;
      alter table alert_deliveries drop constraint if exists alert_deliveries_rule_id_article_id_channel_key;
      create unique index alert_deliveries_key on alert_deliveries (rule_id, channel, delivery_key);
    `,
  },
  {
    version: 6,
    name: 'held alerts (throttling, quiet hours)',
    sql: `
      -- 'held': over the rule's hourly limit or inside its quiet hours; sent later in one summary.
      alter table alert_deliveries drop constraint if exists alert_deliveries_status_check;
      alter table alert_deliveries add constraint alert_deliveries_status_check
        check (status in ('pending', 'sent', 'failed', 'held'));
      alter table alert_deliveries add column held_at timestamptz;
      create index alert_deliveries_rule_sent on alert_deliveries (rule_id, channel, sent_at);
    `,
  },
  {
    version: 7,
    name: 'weekly digests',
    sql: `
      alter table digests add column period text not null default 'daily' check (period in ('daily', 'weekly'));
      alter table digests drop constraint if exists digests_pkey;
      alter table digests add primary key (day, timezone, period);
    `,
  },
  {
    version: 8,
    name: 'feed items per feed, delivery leases and evidence',
    sql: `
      -- An item is tracked per feed: two feeds carrying one URL with different summaries would
      -- otherwise overwrite each other's content hash and make each poll of either look like an edit.
      alter table feed_items drop constraint feed_items_pkey;
      alter table feed_items add primary key (feed_id, canonical_url);
      create index feed_items_url on feed_items (canonical_url);

      -- A claim to send is a lease ('sending' since claimed_at): two workers can never both send one
      -- delivery, and a worker that died mid-send frees it once the lease ends. The evidence quoted in
      -- the message is kept for the rule's Atom feed.
      alter table alert_deliveries drop constraint if exists alert_deliveries_status_check;
      alter table alert_deliveries add constraint alert_deliveries_status_check
        check (status in ('pending', 'sending', 'sent', 'failed', 'held'));
      alter table alert_deliveries add column claimed_at timestamptz;
      alter table alert_deliveries add column evidence text;
    `,
  },
  {
    version: 9,
    name: 'why the feed text stood in',
    sql: `
      -- When the feed's own text stands in for the page (source 'feed'), why: the page's failure
      -- ("took longer than 10000 ms", "HTTP 404") or that the feed's text was the better one. A busy
      -- machine or a blocking site then shows in \`cli feeds\`, not only in a log line.
      alter table articles add column source_reason text;
    `,
  },
  {
    version: 10,
    name: 'the ledger: pending items and planned alerts',
    sql: `
      -- The database is the ledger, Redis a work queue that can be lost: an item is written here as
      -- pending (with the job that processes it) in the same transaction as its feed's new validators,
      -- and done once stored; a reconciler queues again what stays pending, so a lost queue, a killed
      -- worker or spent retries lose nothing.
      alter table feed_items add column state text not null default 'done'
        check (state in ('pending', 'done', 'failed'));
      alter table feed_items add column ref jsonb;
      alter table feed_items add column pending_since timestamptz;
      alter table feed_items add column tries integer not null default 0;
      alter table feed_items add column next_try_at timestamptz;
      alter table feed_items add column last_error text;
      create index feed_items_pending on feed_items (pending_since) where state = 'pending';

      -- Every alert a stored article planned, by its job key, until its delivery is decided.
      create table planned_alerts (
        job_key text primary key,
        job jsonb not null,
        state text not null default 'pending' check (state in ('pending', 'done', 'failed')),
        planned_at timestamptz not null,
        tries integer not null default 0,
        next_try_at timestamptz,
        last_error text
      );
      create index planned_alerts_pending on planned_alerts (planned_at) where state = 'pending';
    `,
  },
  {
    version: 11,
    name: 'when each item version was stored; signature bands by article',
    sql: `
      -- With first_seen_at, how long an item took from the feed to the database: what
      -- npm run bench reports as seen-to-stored latency, and what an operator asks when alerts feel late.
      alter table feed_items add column stored_at timestamptz;
      -- Storing an article deletes its old bands by article_id, which the primary key (band, bucket,
      -- article_id) cannot serve: each store scanned every band of every article (issue 12's profile).
      create index article_signature_bands_article on article_signature_bands (article_id);
    `,
  },
  {
    version: 12,
    name: 'full-text search over stored articles',
    sql: `
      -- The dashboard's search (issue 13): PostgreSQL full-text search, which PGlite has too. The title
      -- weighs more than the body; English stemming, the watchlists' language ("negotiating" finds
      -- "negotiations"). Generated, so every path that writes an article keeps it right.
      alter table articles add column search tsvector generated always as (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', text), 'B')
      ) stored;
      create index articles_search on articles using gin (search);
    `,
  },
  {
    version: 13,
    name: 'feeds paused from the dashboard',
    sql: `
      -- A pause is the operator's, not the config's: feeds.yaml says what a feed is, this says that
      -- nobody wants it polled for now (Miniflux's "disabled"). A paused feed keeps its history and
      -- its scheduler; the poll step looks here and fetches nothing.
      alter table feeds add column paused_at timestamptz;
    `,
  },
];

/**
 * Applies the migrations this database lacks, all in one transaction, and returns their versions.
 * On PostgreSQL a transaction-scoped advisory lock, keyed on the current schema, makes a second
 * process wait and then find nothing left to do; PGlite has a single connection.
 *
 * @example
 * const db = await openDb({ dataDir: './data/pglite' });
 * const { applied } = await migrate(db); // [1] the first time, [] afterwards
 */
export async function migrate(
  db: Db,
  list: readonly Migration[] = migrations,
): Promise<{ applied: number[] }> {
  return db.transaction(async (tx) => {
    if (tx.kind === 'postgres') {
      await tx.query(
        `select pg_advisory_xact_lock(hashtext('ceasefire-watch:migrate:' || coalesce(current_schema(), '')))`,
      );
    }
    await tx.exec(`
      create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )
    `);
    const done = new Set(
      (await tx.query<{ version: number }>('select version from schema_migrations')).map((r) => r.version),
    );
    const applied: number[] = [];
    for (const migration of list) {
      if (done.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return { applied };
  });
}
