/**
 * Builds the PipelineContext from settings: reads and validates config files, compiles the
 * watchlist, opens the database (migrations applied) and the mailer. Shared by `npm start`, the CLI
 * and the tests, so that all three start the same way.
 */
import path from 'node:path';
import { createMailer, type Mailer } from '../alerts/channels/email.ts';
import {
  configPaths,
  loadAlertsFile,
  loadFeedsFile,
  loadTextFile,
  parseAlertsFile,
  parseFeedsFile,
} from '../config/load-config.ts';
import { reloadingFile } from '../config/reloading-file.ts';
import type { Settings } from '../config/settings.ts';
import type { HostGate } from '../http/host-gate.ts';
import { createMemoryHostGate } from '../http/memory-host-gate.ts';
import { log as rootLog, type Logger } from '../log.ts';
import type { ExtractedArticle, FeedConfig } from '../model.ts';
import { extractArticle } from '../extract/extract-article.ts';
import { openDb, type Db } from '../store/db.ts';
import { upsertFeeds } from '../store/feeds.ts';
import { migrate } from '../store/migrations.ts';
import { compileWatchlist, type Matcher } from '../tagging/compile-watchlist.ts';
import { parseWatchlist, type Watchlist } from '../tagging/watchlist.ts';
import type { PipelineContext } from './steps.ts';

export interface OpenContextOptions {
  settings: Settings;
  log?: Logger;
  now?: () => Date;
  /** PostgreSQL schema (tests use one per file). */
  schema?: string;
  /** Per-host limits; the workers pass one kept in Redis so that every process shares it. */
  hostGate?: HostGate;
  /** Extraction; in-process by default, a worker-thread pool in the services. */
  extract?: (html: string, url: string) => Promise<ExtractedArticle>;
}

export function watchlistNames(watchlist: Watchlist): Record<string, string> {
  const names: Record<string, string> = {};
  for (const actor of watchlist.actors) names[actor.id] = actor.name;
  for (const phase of watchlist.phases) names[phase.id] = phase.name;
  return names;
}

export async function loadWatchlist(file: string): Promise<Watchlist> {
  return parseWatchlist(await loadTextFile(file), file);
}

export async function openContext(
  opts: OpenContextOptions,
): Promise<PipelineContext & { close(): Promise<void> }> {
  const { settings } = opts;
  const paths = configPaths(settings);
  const log = opts.log ?? rootLog;
  // All three are read again when they change on disk: `cli feeds add`, watchlist edits and a rule
  // added to alerts.yaml need no restart. Read once first, so a broken file is one error at start.
  await Promise.all([
    loadFeedsFile(paths.feeds),
    loadAlertsFile(paths.alerts),
    loadWatchlist(paths.watchlist),
  ]);
  const feedsFile = reloadingFile(paths.feeds, parseFeedsFile, { log });
  const watchlistFile = reloadingFile(paths.watchlist, parseWatchlist, { log });
  const alertsFile = reloadingFile(paths.alerts, parseAlertsFile, { log });
  const derived = <T>(file: { version(): number }, derive: () => T): (() => T) => {
    let cached: { version: number; value: T } | null = null;
    return () => {
      const version = file.version();
      if (cached?.version !== version) cached = { version, value: derive() };
      return cached.value;
    };
  };
  const feeds = derived(
    feedsFile,
    () => new Map<string, FeedConfig>(feedsFile.current().feeds.map((f) => [f.id, f])),
  );
  const matcher = derived(watchlistFile, (): Matcher => compileWatchlist(watchlistFile.current()));
  const names = derived(watchlistFile, () => watchlistNames(watchlistFile.current()));
  const db: Db = await openDb({
    databaseUrl: settings.DATABASE_URL,
    dataDir: path.join(settings.DATA_DIR, 'pglite'),
    schema: opts.schema,
  });
  await migrate(db);
  await upsertFeeds(db, feedsFile.current().feeds);
  const mailer: Mailer | null = settings.SMTP_URL
    ? createMailer({ url: settings.SMTP_URL, from: settings.EMAIL_FROM, to: settings.ALERT_EMAIL_TO })
    : null;
  return {
    db,
    settings,
    get feeds() {
      return feeds();
    },
    get alerts() {
      return alertsFile.current();
    },
    get names() {
      return names();
    },
    matcher,
    extract: opts.extract ?? (async (html, url) => extractArticle(html, url)),
    reloadConfig() {
      feedsFile.check();
      watchlistFile.check();
      alertsFile.check();
    },
    mailer,
    hostGate:
      opts.hostGate ??
      createMemoryHostGate({
        maxConcurrent: settings.HOST_MAX_CONCURRENT,
        minSpacingMs: settings.HOST_MIN_SPACING_MS,
      }),
    log,
    now: opts.now ?? (() => new Date()),
    async close() {
      mailer?.close();
      await db.close();
    },
  };
}
