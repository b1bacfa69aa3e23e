/**
 * Builds the PipelineContext from settings: reads and validates config files (each alone, then the
 * alert rules against the watchlist and feeds), compiles the watchlist, opens the database
 * (migrations applied) and the mailer. Shared by `npm start`, the CLI and the tests, so that all
 * three start the same way.
 */
import path from 'node:path';
import { createMailer, type Mailer } from '../alerts/channels/email.ts';
import { checkConfigReferences } from '../config/check-references.ts';
import {
  configPaths,
  loadTextFile,
  parseAlertsFile,
  parseFeedsFile,
  type ConfigFileKind,
  type ConfigPaths,
} from '../config/load-config.ts';
import { configProblemsError } from '../config/parse-yaml-config.ts';
import { reloadingFile, type ReloadingFile } from '../config/reloading-file.ts';
import type { AlertsFile, FeedsFile } from '../config/schemas.ts';
import type { Settings } from '../config/settings.ts';
import { describeError, PipelineError } from '../errors.ts';
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
  return parseWatchlist(await loadTextFile(file, 'watchlist'), file);
}

/** One version of the three config files that agree with each other. */
export interface ConfigVersion {
  feeds: FeedsFile;
  alerts: AlertsFile;
  watchlist: Watchlist;
}

export interface WatchedConfig {
  /** The latest version that agrees; each file is checked for changes at most once a second. */
  current(): ConfigVersion;
  /** Checks every file for changes now. */
  check(): void;
}

/** Several problems found at start as one error, one complete line each, so all are fixed at once. */
function oneError(errors: readonly unknown[]): unknown {
  const [first, ...rest] = errors;
  if (rest.length === 0 || !(first instanceof PipelineError)) return first;
  const prefix = `${first.stage}: ${first.culprit}: `;
  return new PipelineError({
    code: first.code,
    stage: first.stage,
    culprit: first.culprit,
    detail: [first.message.slice(prefix.length), ...rest.map(describeError)].join('\n'),
    permanent: true,
  });
}

/**
 * The config files, re-read when they change on disk (`cli feeds add`, watchlist edits and a rule
 * added to alerts.yaml need no restart), as the latest version in which the alert rules name only
 * actors and phases of the watchlist and feeds of feeds.yaml. Throws at start, one line per problem,
 * when a file is missing or invalid or the files disagree. Later, a file that stops parsing keeps its
 * last good version (reloadingFile), and files that parse but disagree (an actor renamed in the
 * watchlist and not yet in alerts.yaml) keep the last version that agreed, said once in the log; as a
 * whole rather than per file, so that editing two files one after the other ends in the new version.
 *
 * @example
 * const config = watchConfig(configPaths(settings), log);
 * config.current().alerts.rules; // rules whose every id exists
 */
export function watchConfig(paths: ConfigPaths, log: Logger): WatchedConfig {
  const errors: unknown[] = [];
  const open = <T>(
    file: string,
    kind: ConfigFileKind,
    parse: (text: string, file: string) => T,
  ): ReloadingFile<T> | null => {
    try {
      return reloadingFile(file, parse, { kind, log });
    } catch (error) {
      errors.push(error);
      return null;
    }
  };
  const feedsFile = open(paths.feeds, 'feeds', parseFeedsFile);
  // The text is kept to give the line of a rule naming an unknown id.
  const alertsFile = open(paths.alerts, 'alerts', (text, file) => ({
    text,
    alerts: parseAlertsFile(text, file),
  }));
  const watchlistFile = open(paths.watchlist, 'watchlist', parseWatchlist);
  if (!feedsFile || !alertsFile || !watchlistFile) throw oneError(errors);

  // Bumped by each file's reload: the three together name one version.
  const versionKey = () => `${feedsFile.version()}:${alertsFile.version()}:${watchlistFile.version()}`;
  const read = (key: string) => {
    const { text, alerts } = alertsFile.current();
    const files = { feeds: feedsFile.current(), alerts, watchlist: watchlistFile.current() };
    const [first, ...rest] = checkConfigReferences(files);
    return { key, files, problems: first ? configProblemsError(text, paths.alerts, [first, ...rest]) : null };
  };
  const initial = read(versionKey());
  if (initial.problems) throw initial.problems;
  let accepted = { key: initial.key, files: initial.files };
  let rejectedKey: string | null = null;
  const current = () => {
    const key = versionKey();
    if (key === accepted.key || key === rejectedKey) return accepted.files;
    const next = read(key);
    if (next.problems) {
      log.error(
        { file: paths.alerts, err: describeError(next.problems) },
        'config files disagree; keeping the last version that agreed',
      );
      rejectedKey = key;
    } else {
      if (rejectedKey !== null) log.info({ file: paths.alerts }, 'config files agree again');
      accepted = { key, files: next.files };
      rejectedKey = null;
    }
    return accepted.files;
  };
  return {
    current,
    check() {
      feedsFile.check();
      alertsFile.check();
      watchlistFile.check();
    },
  };
}

/** `derive(source)`, computed again only when `source` is another object (a reloaded file). */
function memo<S, T>(derive: (source: S) => T): (source: S) => T {
  let cached: { source: S; value: T } | null = null;
  return (source) => {
    if (cached?.source !== source) cached = { source, value: derive(source) };
    return cached.value;
  };
}

export async function openContext(
  opts: OpenContextOptions,
): Promise<PipelineContext & { close(): Promise<void> }> {
  const { settings } = opts;
  const paths = configPaths(settings);
  const log = opts.log ?? rootLog;
  const config = watchConfig(paths, log);
  const feedMap = memo((file: FeedsFile) => new Map<string, FeedConfig>(file.feeds.map((f) => [f.id, f])));
  const compiled = memo((watchlist: Watchlist): Matcher => compileWatchlist(watchlist));
  const namesOf = memo(watchlistNames);
  const feeds = () => feedMap(config.current().feeds);
  const matcher = () => compiled(config.current().watchlist);
  const names = () => namesOf(config.current().watchlist);
  const db: Db = await openDb({
    databaseUrl: settings.DATABASE_URL,
    dataDir: path.join(settings.DATA_DIR, 'pglite'),
    schema: opts.schema,
  });
  await migrate(db);
  await upsertFeeds(db, config.current().feeds.feeds);
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
      return config.current().alerts;
    },
    get names() {
      return names();
    },
    matcher,
    extract: opts.extract ?? (async (html, url) => extractArticle(html, url)),
    reloadConfig() {
      config.check();
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
