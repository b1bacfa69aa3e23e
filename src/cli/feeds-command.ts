/**
 * `cli feeds`: one status line per feed; `feeds add URL` (a feed, a site or an article: its feeds are
 * discovered), `feeds import FILE.opml` and `feeds export`. feeds.yaml stays the source of truth:
 * add and import append to it, and the database follows at the next start.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { addFeedsToFile, type NewFeed } from '../config/edit-feeds-file.ts';
import { configPaths, loadFeedsFile } from '../config/load-config.ts';
import type { Settings } from '../config/settings.ts';
import { describeError } from '../errors.ts';
import { problem, say, type CliDeps, type CliIo } from './cli-io.ts';
import { decodePage } from '../extract/decode-page.ts';
import { canonicalUrl } from '../feeds/canonical-url.ts';
import { decodeFeed } from '../feeds/decode-feed.ts';
import { candidateFeedUrls, discoverFeeds, looksLikeFeed } from '../feeds/discover-feeds.ts';
import { FAILURE_ALERT_SCORE, needsFailureAlert, nextPollDue } from '../feeds/feed-health.ts';
import { buildOpml, parseOpml } from '../feeds/opml.ts';
import { parseFeed } from '../feeds/parse-feed.ts';
import { fetchUrl, type FetchResult } from '../http/fetch-url.ts';
import { openContext } from '../pipeline/open-context.ts';
import { feedTextUse, type FeedTextUse } from '../store/articles.ts';
import { listFeeds, type FeedRecord } from '../store/feeds.ts';

export type FeedsCommandDeps = CliDeps;

/**
 * GETs a site may cost `feeds add` beyond the first one: the announced feeds and the common paths are
 * tried in order until one parses. Ten covers a page announcing a handful of feeds plus the seven
 * common paths without probing a site for minutes.
 */
export const MAX_FEED_PROBES = 10;

const OPML_TITLE = 'ceasefire-watch feeds';

/**
 * Adds the `feeds` command and its subcommands to the program.
 *
 * @example
 * registerFeedsCommand(program, { io: processIo(), log: cliLog, loadSettings });
 * // cli feeds | cli feeds add https://www.timesofisrael.com/ | cli feeds import subs.opml | cli feeds export
 */
export function registerFeedsCommand(program: Command, deps: FeedsCommandDeps): Command {
  const now = deps.now ?? (() => new Date());
  const { io } = deps;
  const feeds = program
    .command('feeds')
    .description('one status line per feed: status, last success, score, next poll, last error')
    .action(async () => {
      const ctx = await openContext({ settings: deps.loadSettings(), log: deps.log });
      try {
        const lines = statusLines(await listFeeds(ctx.db), now(), await feedTextUse(ctx.db));
        for (const line of lines) say(io, line);
      } finally {
        await ctx.close();
      }
    });

  feeds
    .command('add')
    .description('add a feed by its URL, or by a site or article URL whose feeds are discovered')
    .argument('<url>', 'feed, site or article URL')
    .option('--id <id>', 'feed id (default: made from host and path)', parseId)
    .option('--interval <minutes>', 'minutes between polls (1..1440)', parseInterval)
    .action(async (url: string, opts: { id?: string; interval?: number }) => {
      try {
        await addFeed(io, url, opts, deps.loadSettings());
      } catch (error) {
        problem(io, `feeds add: ${url}: ${describeError(error)}`);
      }
    });

  feeds
    .command('import')
    .description('append every feed of an OPML file (Feedly, Inoreader, Miniflux, …) to feeds.yaml')
    .argument('<file>', 'OPML file')
    .action(async (file: string) => {
      try {
        const opml = parseOpml(decodeFeed(await readFile(file)).text, file);
        const valid: NewFeed[] = [];
        for (const entry of opml) {
          if (!isWebUrl(entry.url)) {
            problem(io, `feeds import: ${file}: skipped "${entry.url}": not an http(s) URL`);
            continue;
          }
          valid.push({ url: entry.url, title: entry.title, labels: entry.labels });
        }
        const paths = configPaths(deps.loadSettings());
        const { added, skipped } = await addFeedsToFile(paths.feeds, valid);
        say(io, `imported ${file}: ${added.length} added, ${skipped.length} skipped (already present)`);
      } catch (error) {
        problem(io, `feeds import: ${describeError(error)}`);
      }
    });

  feeds
    .command('export')
    .description('print feeds.yaml as OPML on stdout')
    .action(async () => {
      const { feeds: list } = await loadFeedsFile(configPaths(deps.loadSettings()).feeds);
      io.stdout.write(buildOpml(list, OPML_TITLE));
    });

  return feeds;
}

/**
 * One GET of `url`; when the answer is a feed, that answer is parsed and added (no second GET).
 * Otherwise the page's announced feeds, then the common paths, are fetched one by one until one parses.
 */
async function addFeed(io: CliIo, url: string, opts: { id?: string; interval?: number }, settings: Settings) {
  const file = configPaths(settings).feeds;
  if (!isWebUrl(url)) throw new Error('not an http(s) URL');
  const present = existsSync(file) ? (await loadFeedsFile(file)).feeds : [];
  const already = present.find((f) => canonicalUrl(f.url) === canonicalUrl(url));
  if (already) {
    say(io, `already present: ${url} (as ${already.id})`);
    return;
  }
  const get = (target: string, maxBytes: number) =>
    fetchUrl(target, {
      maxBytes,
      timeoutMs: settings.FETCH_TIMEOUT_MS,
      allowPrivateNetworks: settings.ALLOW_PRIVATE_NETWORKS,
    });

  // The first answer may be a page, which may be larger than any feed.
  const first = await get(url, Math.max(settings.PAGE_MAX_BYTES, settings.FEED_MAX_BYTES));
  let found: { url: string; feed: Awaited<ReturnType<typeof parseFeed>> } | null = null;
  if (looksLikeFeed(first.body, contentType(first))) {
    // Kept as given, not as redirected to: feed redirects are often temporary (FeedBurner, CDNs).
    found = { url, feed: await parseFeed(first.body, first.url, { contentType: contentType(first) }) };
  } else {
    const page = decodePage(first.body, contentType(first));
    const announced = discoverFeeds(page, first.url);
    const tried = new Set([canonicalUrl(url), canonicalUrl(first.url)]);
    const candidates = [...announced, ...candidateFeedUrls(first.url)].filter((c) => {
      const key = canonicalUrl(c);
      if (tried.has(key)) return false;
      tried.add(key);
      return true;
    });
    const reasons: string[] = [];
    for (const candidate of candidates.slice(0, MAX_FEED_PROBES)) {
      try {
        const res = await get(candidate, settings.FEED_MAX_BYTES);
        if (!looksLikeFeed(res.body, contentType(res))) {
          reasons.push(`${candidate}: not a feed`);
          continue;
        }
        found = {
          url: candidate,
          feed: await parseFeed(res.body, res.url, { contentType: contentType(res) }),
        };
        break;
      } catch (error) {
        reasons.push(describeError(error));
      }
    }
    if (!found) {
      const tries = Math.min(candidates.length, MAX_FEED_PROBES);
      const lead =
        announced.length > 0
          ? `the page announces ${announced.length} feed(s), none readable`
          : 'the page announces no feed';
      throw new Error(
        `no feed found: ${lead}; tried ${tries} URL(s); first problem: ${reasons[0] ?? 'none'}`,
      );
    }
  }

  const { added } = await addFeedsToFile(file, [
    { url: found.url, id: opts.id, title: found.feed.title || undefined, intervalMinutes: opts.interval },
  ]);
  if (added.length === 0) {
    say(io, `already present: ${found.url}`);
    return;
  }
  const title = found.feed.title ? ` "${found.feed.title}"` : '';
  say(io, `added ${added[0]}: ${found.url}${title}, ${found.feed.items.length} items`);
}

/**
 * The last thing that went wrong with a feed: its own last error, else why its latest article fell back
 * to the feed's text (a blocking site, a page too slow to extract on a busy machine).
 */
function lastProblem(feed: FeedRecord, use: FeedTextUse | undefined): string {
  if (feed.lastError) return feed.lastError;
  return use?.lastReason ? `feed text used: ${use.lastReason}` : '-';
}

/**
 * The `cli feeds` table: a header, then one aligned line per feed. FEED TEXT counts how many of the
 * feed's latest articles (at most 20) use the feed's own text because the page could not be used;
 * the last problem goes last since it is the one column of unbounded width.
 */
export function statusLines(
  feeds: readonly FeedRecord[],
  now: Date,
  textUse: ReadonlyMap<string, FeedTextUse> = new Map(),
): string[] {
  const rows = feeds.map((f) => {
    const sustained = needsFailureAlert(f, null, now) ? ' (sustained)' : '';
    const use = textUse.get(f.id);
    return [
      f.id,
      `${f.status}${sustained}`,
      f.lastSuccessAt ? ago(f.lastSuccessAt, now) : 'never',
      formatScore(f.failureScore),
      nextPoll(f, now),
      use ? `${use.fromFeedText}/${use.articles}` : '-',
      lastProblem(f, use),
    ];
  });
  const header = ['ID', 'STATUS', 'LAST SUCCESS', 'SCORE', 'NEXT POLL', 'FEED TEXT', 'LAST PROBLEM'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function nextPoll(feed: FeedRecord, now: Date): string {
  const due = nextPollDue(feed);
  if (due === null || Date.parse(due) <= now.getTime()) return 'due';
  return `in ${span(Date.parse(due) - now.getTime())}`;
}

/** Scores below the alert threshold read as plain numbers; at or above, the threshold is shown. */
function formatScore(score: number): string {
  const text = Number.isInteger(score) ? String(score) : score.toFixed(1);
  return score >= FAILURE_ALERT_SCORE ? `${text}/${FAILURE_ALERT_SCORE}` : text;
}

function ago(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  return ms < 60_000 ? 'just now' : `${span(ms)} ago`;
}

/** "45 s", "12 min", "5 h", "3 d": whole units, rounded down, as a person reads a status line. */
function span(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.floor(ms / 1000))} s`;
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
}

const contentType = (res: FetchResult) => res.headers['content-type'];

function isWebUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function parseId(value: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(value)) {
    throw new InvalidArgumentError('lowercase letters, digits and dashes');
  }
  return value;
}

function parseInterval(value: string): number {
  const minutes = Number(value);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) {
    throw new InvalidArgumentError('a whole number of minutes from 1 to 1440');
  }
  return minutes;
}
