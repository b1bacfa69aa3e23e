/**
 * The two engines every store test runs against, each test file in its own schema: PGlite in memory
 * and the PostgreSQL on this machine (`TEST_DATABASE_URL` to point elsewhere, 127.0.0.1 only).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { freshPgliteDir } from '../helpers/pglite-template.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrations.ts';
import type { FeedConfig, Mention, TaggedArticle } from '../../src/model.ts';
import { upsertFeeds } from '../../src/store/feeds.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Backend {
  name: 'pglite' | 'postgres';
  databaseUrl?: string;
  dataDir?: string;
}

export const backends: Backend[] = [
  // An embedded database copied from the migrated template (tests/global-setup.ts), not created.
  { name: 'pglite' },
  { name: 'postgres', databaseUrl: TEST_DATABASE_URL },
];

/** `cw_test_<random>`: unique per call, so parallel test files never share tables. */
export function uniqueSchema(): string {
  return `cw_test_${randomBytes(6).toString('hex')}`;
}

const copies = new WeakMap<Db, string>();

/** Opens a backend in a fresh schema and migrates it. */
export async function openTestDb(backend: Backend, schema: string): Promise<Db> {
  const dataDir = backend.name === 'pglite' ? (backend.dataDir ?? freshPgliteDir()) : undefined;
  const db = await openDb({ ...backend, dataDir, schema });
  if (dataDir && !backend.dataDir) copies.set(db, dataDir);
  await migrate(db);
  return db;
}

/** Drops the test schema and closes the handle; a copied PGlite directory is removed. */
export async function dropTestDb(db: Db, schema: string): Promise<void> {
  await db.exec(`drop schema if exists ${schema} cascade`);
  await db.close();
  const copy = copies.get(db);
  if (copy) rmSync(path.dirname(copy), { recursive: true, force: true });
}

/** Empties every table so each test starts from nothing. */
export async function truncateAll(db: Db): Promise<void> {
  await db.exec(
    'truncate feeds, articles, article_tags, article_mentions, alert_deliveries, digests, feed_items, stories, article_signature_bands restart identity cascade',
  );
}

export const feedConfig: FeedConfig = {
  id: 'bbc-world',
  url: 'https://feeds.bbci.co.uk/news/world/rss.xml',
  title: 'BBC World',
  intervalMinutes: 15,
  labels: ['uk', 'broadcaster'],
};

/** A tagged article as the tagger would hand it to the store stage. */
export function taggedArticle(overrides: Partial<TaggedArticle> = {}): TaggedArticle {
  const sentence = 'Hamas released three hostages to the Red Cross in Gaza on Sunday.';
  return {
    feedId: feedConfig.id,
    url: 'https://www.bbc.co.uk/news/articles/c1?at_medium=RSS',
    canonicalUrl: 'https://www.bbc.co.uk/news/articles/c1',
    title: 'Three hostages released',
    byline: 'Jane Doe',
    lang: 'en',
    text: sentence,
    published: '2025-10-12T08:30:00.000Z',
    fetchedAt: '2025-10-12T09:00:00.000Z',
    source: 'page',
    tags: {
      relevant: true,
      actors: [
        { id: 'hamas', count: 1, evidence: sentence, inTitle: true, inLead: true },
        { id: 'icrc', count: 1, evidence: sentence, inTitle: false, inLead: true },
      ],
      phases: [{ id: 'hostage-release', count: 1, evidence: sentence, inTitle: false, inLead: false }],
      mentions: [
        mention('actor', 'hamas', sentence, 'Hamas'),
        mention('phase', 'hostage-release', sentence, 'released three hostages'),
        mention('actor', 'icrc', sentence, 'Red Cross'),
      ],
    },
    ...overrides,
  };
}

function mention(kind: 'actor' | 'phase', id: string, sentence: string, text: string): Mention {
  const start = sentence.indexOf(text);
  return { kind, id, field: 'text', start, end: start + text.length, text, sentence };
}

/** Stores the test feed: articles reference it. */
export async function seedFeed(db: Db): Promise<void> {
  await upsertFeeds(db, [feedConfig]);
}
