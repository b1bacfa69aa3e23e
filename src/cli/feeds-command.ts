/**
 * `cli feeds`: one status line per feed; `feeds add URL` (a feed, a site or an article: its feeds are
 * discovered), `feeds import FILE.opml` and `feeds export`. feeds.yaml stays the source of truth:
 * add and import append to it, and the database follows at the next start.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { addFeedsToFile, type NewFeed } from '../config/edit-feeds-file.ts';
import { configPaths, loadFeedsFile } from '../config/load-config.ts';
import type { Settings } from '../config/settings.ts';
import { describeError } from '../errors.ts';
import { problem, say, type CliDeps, type CliIo } from './cli-io.ts';
import { decodeFeed } from '../feeds/decode-feed.ts';
import { FAILURE_ALERT_SCORE, needsFailureAlert, nextPollDue } from '../feeds/feed-health.ts';
import { buildOpml, parseOpml } from '../feeds/opml.ts';
import { addFeedByUrl, isWebUrl } from '../pipeline/add-feed.ts';
import { openContext } from '../pipeline/open-context.ts';
import { feedTextUse, type FeedTextUse } from '../store/articles.ts';
import { listFeeds, setFeedPaused, type FeedRecord } from '../store/feeds.ts';

export type FeedsCommandDeps = CliDeps;

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

  for (const [name, pause] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    feeds
      .command(name)
      .description(
        pause
          ? 'stop polling a feed until resumed (its articles and history stay); the dashboard can too'
          : 'poll a paused feed again at its next turn',
      )
      .argument('<id>', 'feed id, as `cli feeds` lists it')
      .action(async (id: string) => {
        const ctx = await openContext({ settings: deps.loadSettings(), log: deps.log });
        try {
          const feed = await setFeedPaused(ctx.db, id, pause ? now().toISOString() : null);
          if (!feed) problem(io, `feeds ${name}: ${id}: no such feed (see \`cli feeds\`)`);
          else say(io, `${pause ? 'paused' : 'resumed'} ${id}`);
        } finally {
          await ctx.close();
        }
      });
  }

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

async function addFeed(io: CliIo, url: string, opts: { id?: string; interval?: number }, settings: Settings) {
  const outcome = await addFeedByUrl(url, opts, settings);
  if (outcome.status === 'present') {
    say(io, `already present: ${outcome.url}${outcome.id ? ` (as ${outcome.id})` : ''}`);
    return;
  }
  const title = outcome.title ? ` "${outcome.title}"` : '';
  say(io, `added ${outcome.id}: ${outcome.url}${title}, ${outcome.items} items`);
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
      f.pausedAt ? 'paused' : `${f.status}${sustained}`,
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
  if (feed.pausedAt) return '-';
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
