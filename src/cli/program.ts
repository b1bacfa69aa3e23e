/**
 * The command line as a program over injected streams, settings and clock (cli-io.ts): `src/cli.ts`
 * runs it on the process, tests run it in-process. Evaluation contracts (DESIGN.md) print one JSON
 * object per line on stdout; everything meant for people goes to stderr, one line per problem.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Command, CommanderError, Option } from 'commander';
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import { configPaths } from '../config/load-config.ts';
import { describeError } from '../errors.ts';
import { decodePage } from '../extract/decode-page.ts';
import { extractArticle } from '../extract/extract-article.ts';
import { createExtractPool } from '../extract/extract-pool.ts';
import { parseFeed } from '../feeds/parse-feed.ts';
import { fetchUrl } from '../http/fetch-url.ts';
import { loadWatchlist, openContext } from '../pipeline/open-context.ts';
import { reprocessSince } from '../pipeline/reprocess.ts';
import { runOnce, runVerdict, type RunSummary } from '../pipeline/run-once.ts';
import { buildDailyDigest } from '../pipeline/steps.ts';
import { compileWatchlist } from '../tagging/compile-watchlist.ts';
import { tagArticle } from '../tagging/tag-article.ts';
import { registerAlertsCommand } from './alerts-command.ts';
import { note, problem, type CliDeps, type CliIo } from './cli-io.ts';
import { registerExplainCommand } from './explain-command.ts';
import { registerFeedsCommand } from './feeds-command.ts';
import { registerJobsCommand } from './jobs-command.ts';
import { registerServeCommand } from './serve-command.ts';

const out = (io: CliIo, value: unknown) => io.stdout.write(`${JSON.stringify(value)}\n`);

/**
 * Exit codes of `run --once`, for cron and CI: 0 every feed fetched and every item and alert handled;
 * 3 some feed, article or alert failed (each named on its own line); 4 no feed could be fetched at all.
 * 1 is any other failure (a config error), 2 a usage error.
 */
const RUN_EXIT_CODES = { ok: 0, partial: 3, 'nothing-fetched': 4 } as const;

async function* jsonLines(
  input: NodeJS.ReadableStream,
): AsyncGenerator<{ line: number; value: unknown; error?: string }> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    try {
      yield { line, value: JSON.parse(text) as unknown };
    } catch (error) {
      yield { line, value: null, error: `stdin line ${line}: not JSON (${describeError(error)})` };
    }
  }
}

interface FeedInput {
  file: string;
  url?: string;
  contentType?: string;
}

async function parseFeedFile(io: CliIo, input: FeedInput): Promise<void> {
  try {
    const bytes = await readFile(input.file);
    const feed = await parseFeed(bytes, input.url ?? `file://${input.file}`, {
      contentType: input.contentType,
    });
    out(io, {
      file: input.file,
      feed: { title: feed.title, link: feed.link },
      items: feed.items,
      encoding: feed.encoding,
    });
  } catch (error) {
    out(io, { file: input.file, error: describeError(error) });
  }
}

async function extractFile(io: CliIo, file: string, url: string | undefined): Promise<void> {
  try {
    const html = decodePage(await readFile(file));
    const article = extractArticle(html, url ?? `file://${file}`);
    out(io, { file, ...article, url: url ?? article.url });
  } catch (error) {
    out(io, { file, error: describeError(error) });
  }
}

function printSummary(io: CliIo, summary: RunSummary): void {
  // Plain style: the table is read in terminals and in logs, where colour codes are noise.
  const table = new Table({
    style: { head: [], border: [] },
    head: [
      'feeds',
      'new items',
      'extracted',
      'feed text',
      'tagged',
      'relevant',
      'stored',
      'alerted',
      'failed',
    ],
  });
  table.push([
    `${summary.feedsOk}/${summary.feeds}${summary.feedsPaused > 0 ? ` (${summary.feedsPaused} paused)` : ''}`,
    summary.newItems,
    summary.extracted,
    summary.fromFeedContent,
    summary.tagged,
    summary.relevant,
    summary.stored,
    summary.alerted,
    summary.failures.length,
  ]);
  io.stdout.write(`${table.toString()}\n`);
  // One line per problem; the reason already names its culprit ("stage: url: detail").
  for (const f of summary.failures) io.stdout.write(`${f.stage} failed: ${f.reason}\n`);
  // Not failures, but worth seeing: a blocking site or a busy machine shows up here first.
  for (const f of summary.fallbacks) io.stdout.write(`feed text used for ${f.url}: ${f.reason}\n`);
}

/**
 * The program with every command, writing to `deps.io`. Commander's exits become errors (see runCli).
 *
 * @example
 * const code = await runCli(process.argv, { io: processIo(), log: cliLog, loadSettings });
 */
export function buildProgram(deps: CliDeps): Command {
  const { io, loadSettings } = deps;
  const cliLog = deps.log;
  const program = new Command('ceasefire-watch')
    .description('News-monitoring pipeline: feeds → extraction → tagging → storage → alerts and digests')
    .showHelpAfterError('(run with --help for usage)')
    // Set before the commands are added, so that every subcommand inherits them.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  program
    .command('run')
    .description('run every stage once, in-process, without Redis')
    .requiredOption('--once', 'single pass (the only mode of this command)')
    .action(async () => {
      const settings = loadSettings();
      // Extraction is the CPU-heavy stage: a worker-thread pool sized to the cores.
      const pool = createExtractPool({ maxOldGenerationSizeMb: settings.EXTRACT_THREAD_HEAP_MB });
      const ctx = await openContext({
        settings,
        log: cliLog,
        extract: (html, url) => pool.extract(html, url),
      });
      const bar = new cliProgress.SingleBar(
        {
          stream: io.stderr,
          format: 'run [{bar}] {value}/{total} jobs',
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(0, 0);
      let total = 0;
      let done = 0;
      try {
        const summary = await runOnce(ctx, (event) => {
          if (event.type === 'job-added') bar.setTotal(++total);
          else if (event.type === 'job-done') bar.update(++done);
        });
        bar.stop();
        printSummary(io, summary);
        io.exitCode = RUN_EXIT_CODES[runVerdict(summary)];
      } finally {
        bar.stop();
        await ctx.close();
        await pool.close();
      }
    });

  program
    .command('parse-feed')
    .description('parse feed files; one JSON line per file (DESIGN.md contract)')
    .argument('[files...]')
    .option('--url <url>', 'document URL (base for relative links)')
    .option('--content-type <type>', 'HTTP Content-Type (its charset wins over the XML declaration)')
    .option('--stdin', 'read {"file","url"?,"contentType"?} lines from stdin')
    .action(async (files: string[], opts: { url?: string; contentType?: string; stdin?: boolean }) => {
      if (opts.stdin) {
        for await (const entry of jsonLines(io.stdin)) {
          const input = entry.value as Partial<FeedInput> | null;
          if (entry.error || !input || typeof input.file !== 'string') {
            note(io, entry.error ?? `stdin line ${entry.line}: needs a "file" string`);
            out(io, { file: input?.file ?? null, error: entry.error ?? 'missing "file"' });
            continue;
          }
          await parseFeedFile(io, { file: input.file, url: input.url, contentType: input.contentType });
        }
        return;
      }
      if (files.length === 0) program.error('parse-feed: give FILE... or --stdin', { exitCode: 2 });
      for (const file of files)
        await parseFeedFile(io, { file, url: opts.url, contentType: opts.contentType });
    });

  program
    .command('extract')
    .description('extract article text from HTML files, or from --url alone through the guarded HTTP client')
    .argument('[files...]')
    .option('--url <url>', 'page URL (base for links); alone, fetch this page')
    .option(
      '--time-limit <seconds>',
      'with --url alone: longest time for fetching and extracting (default: FETCH_TIMEOUT_MS + 10 s)',
    )
    .action(async (files: string[], opts: { url?: string; timeLimit?: string }) => {
      if (files.length === 0) {
        const url = opts.url;
        if (!url) return program.error('extract: give FILE... or --url URL', { exitCode: 2 });
        const settings = loadSettings();
        // Extraction's share of the default limit: the extraction pool's own page limit, past which
        // a page is a runaway rather than a long article (src/extract/extract-pool.ts).
        const EXTRACT_LIMIT_MS = 10_000;
        const limitMs =
          opts.timeLimit === undefined
            ? settings.FETCH_TIMEOUT_MS + EXTRACT_LIMIT_MS
            : Number(opts.timeLimit) * 1000;
        if (!Number.isFinite(limitMs) || limitMs <= 0) {
          return program.error(`extract: --time-limit ${opts.timeLimit}: a number of seconds, e.g. 30`, {
            exitCode: 2,
          });
        }
        const started = Date.now();
        // In a worker thread, terminated at the limit: on this thread a runaway page could not be stopped.
        const pool = createExtractPool({
          size: 1,
          pageTimeoutMs: limitMs,
          maxOldGenerationSizeMb: settings.EXTRACT_THREAD_HEAP_MB,
        });
        let timer: NodeJS.Timeout | undefined;
        try {
          const response = await fetchUrl(url, {
            maxBytes: settings.PAGE_MAX_BYTES,
            timeoutMs: Math.min(settings.FETCH_TIMEOUT_MS, limitMs),
            allowPrivateNetworks: settings.ALLOW_PRIVATE_NETWORKS,
          });
          const fetchedMs = Date.now() - started;
          const timeUp = new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new Error(
                    `extract: ${response.url}: stopped at the ${limitMs / 1000} s time limit for fetching ` +
                      `and extracting the page (fetching took ${(fetchedMs / 1000).toFixed(1)} s); ` +
                      'give more with --time-limit <seconds>',
                  ),
                ),
              Math.max(0, limitMs - fetchedMs),
            );
          });
          const html = decodePage(response.body, response.headers['content-type']);
          const article = await Promise.race([pool.extract(html, response.url), timeUp]);
          out(io, { ...article, url: response.url });
        } catch (error) {
          out(io, { url, error: describeError(error) });
        } finally {
          clearTimeout(timer);
          // Terminates the thread of a page still being extracted.
          await pool.close();
        }
        return;
      }
      for (const file of files) await extractFile(io, file, opts.url);
    });

  program
    .command('tag')
    .description('tag {"id","title","text","published"?} lines from stdin with a watchlist')
    .option('--watchlist <file>', 'watchlist YAML (default: the configured one)')
    .action(async (opts: { watchlist?: string }) => {
      const file = opts.watchlist ?? configPaths(loadSettings()).watchlist;
      const matcher = compileWatchlist(await loadWatchlist(file));
      for await (const entry of jsonLines(io.stdin)) {
        const record = entry.value as {
          id?: unknown;
          title?: unknown;
          text?: unknown;
          published?: unknown;
        } | null;
        const id =
          record && (typeof record.id === 'string' || typeof record.id === 'number') ? record.id : null;
        if (entry.error || !record || typeof record.text !== 'string') {
          const reason = entry.error ?? `stdin line ${entry.line}: needs "id", "title" and "text" strings`;
          note(io, reason);
          out(io, { id, error: reason });
          continue;
        }
        const result = tagArticle(
          {
            title: typeof record.title === 'string' ? record.title : '',
            text: record.text,
            published: typeof record.published === 'string' ? record.published : null,
          },
          matcher,
        );
        out(io, {
          id,
          relevant: result.relevant,
          actors: result.actors.map((t) => t.id),
          phases: result.phases.map((t) => t.id),
          mentions: result.mentions.map((m) => ({
            [m.kind]: m.id,
            field: m.field,
            start: m.start,
            end: m.end,
            text: m.text,
          })),
        });
      }
    });

  program
    .command('digest')
    .description("write a day's digest (Markdown + HTML) under DIGEST_DIR; email it when SMTP is configured")
    .addOption(new Option('--date <YYYY-MM-DD>', 'the local day to report').makeOptionMandatory())
    .option('--weekly', 'the week (7 days) ending with --date instead of the day')
    .action(async (opts: { date: string; weekly?: boolean }) => {
      const ctx = await openContext({ settings: loadSettings(), log: cliLog });
      try {
        const result = await buildDailyDigest(ctx, opts.date, opts.weekly ? 'weekly' : 'daily');
        io.stdout.write(
          `digest ${result.day}: ${result.articles} articles → ${result.markdownPath}, ${result.htmlPath}${result.emailed ? ' (emailed)' : ''}\n`,
        );
      } finally {
        await ctx.close();
      }
    });

  program
    .command('reprocess')
    .description(
      'extract and tag again the articles processed since DATE (after an upgrade); no alerts are sent',
    )
    .addOption(new Option('--since <DATE>', 'ISO date or date-time, e.g. 2025-12-01').makeOptionMandatory())
    .action(async (opts: { since: string }) => {
      const since = new Date(opts.since);
      if (Number.isNaN(since.getTime())) {
        return program.error(`reprocess: --since ${opts.since}: not a date (e.g. 2025-12-01)`, {
          exitCode: 2,
        });
      }
      const settings = loadSettings();
      const pool = createExtractPool({ maxOldGenerationSizeMb: settings.EXTRACT_THREAD_HEAP_MB });
      const ctx = await openContext({
        settings,
        log: cliLog,
        extract: (html, url) => pool.extract(html, url),
      });
      const bar = new cliProgress.SingleBar(
        { stream: io.stderr, format: 'reprocess [{bar}] {value}/{total}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      try {
        bar.start(1, 0);
        const summary = await reprocessSince(ctx, since.toISOString(), (done, total) => {
          bar.setTotal(total);
          bar.update(done);
        });
        bar.stop();
        io.stdout.write(
          `reprocessed ${summary.articles} articles since ${since.toISOString()}: ${summary.reextracted} extracted again, ` +
            `${summary.retaggedOnly} tagged again from stored text, ${summary.tagsChanged} with changed tags, ` +
            `${summary.failures.length} failed\n`,
        );
        for (const f of summary.failures) io.stdout.write(`${f.stage} failed: ${f.reason}\n`);
      } finally {
        bar.stop();
        await ctx.close();
        await pool.close();
      }
    });

  registerFeedsCommand(program, deps);
  registerExplainCommand(program, deps);
  registerAlertsCommand(program, deps);
  registerServeCommand(program, deps);
  registerJobsCommand(program, deps);
  return program;
}

/**
 * Runs one command line (`argv` as process.argv: node, script, args…) and returns its exit code;
 * never exits the process. A usage error is 2, as commander has it; anything thrown is one line and 1.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  try {
    await buildProgram(deps).parseAsync([...argv]);
  } catch (error) {
    // --help and --version end with code 0; a usage error with its own code (2), already printed.
    if (error instanceof CommanderError) return error.exitCode === 0 ? deps.io.exitCode : error.exitCode;
    problem(deps.io, `ceasefire-watch: ${describeError(error)}`);
    return 1;
  }
  return deps.io.exitCode;
}
