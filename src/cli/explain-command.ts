/**
 * `cli explain [--watchlist FILE] [--id ID] [--json] < articles.jsonl`: why each tag was given or
 * refused, for the same input lines as `cli tag`. Prints a readable report per article, or one JSON
 * explanation per line with `--json`.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { configPaths } from '../config/load-config.ts';
import type { Settings } from '../config/settings.ts';
import { describeError } from '../errors.ts';
import { loadWatchlist } from '../pipeline/open-context.ts';
import { compileWatchlist } from '../tagging/compile-watchlist.ts';
import { explainArticle, formatExplanation } from '../tagging/explain-article.ts';

export interface ExplainCommandDeps {
  /** Reads and validates the environment (for the configured watchlist); the CLI passes `loadSettings`. */
  loadSettings: () => Settings;
}

interface ExplainOptions {
  watchlist?: string;
  id?: string;
  json?: boolean;
}

const problem = (line: string) => {
  process.stderr.write(`${line}\n`);
  process.exitCode = 1;
};

/**
 * Adds the `explain` command to the program.
 *
 * @example
 * registerExplainCommand(program, { loadSettings });
 * // cli explain --id t017 < ../shared/datasets/tagging/dev.jsonl
 */
export function registerExplainCommand(program: Command, deps: ExplainCommandDeps): Command {
  return program
    .command('explain')
    .description(
      'why each actor/phase tag was given or refused, for {"id","title","text","published"?} lines',
    )
    .option('--watchlist <file>', 'watchlist YAML (default: the configured one)')
    .option('--id <id>', 'explain only the line with this id')
    .option('--json', 'one JSON explanation per line instead of the report')
    .action(async (opts: ExplainOptions) => {
      try {
        await explainLines(opts, deps);
      } catch (error) {
        problem(`explain: ${describeError(error)}`);
      }
    });
}

async function explainLines(opts: ExplainOptions, deps: ExplainCommandDeps): Promise<void> {
  const file = opts.watchlist ?? configPaths(deps.loadSettings()).watchlist;
  const matcher = compileWatchlist(await loadWatchlist(file));
  let line = 0;
  let found = false;
  let first = true;
  for await (const raw of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    line++;
    if (!raw.trim()) continue;
    let record: { id?: unknown; title?: unknown; text?: unknown; published?: unknown } | null;
    try {
      record = JSON.parse(raw) as typeof record;
    } catch (error) {
      problem(`stdin line ${line}: not JSON (${describeError(error)})`);
      continue;
    }
    const id = record && (typeof record.id === 'string' || typeof record.id === 'number') ? record.id : null;
    if (opts.id !== undefined && String(id) !== opts.id) continue;
    if (!record || typeof record.text !== 'string') {
      problem(`stdin line ${line}: needs "id", "title" and "text" strings`);
      continue;
    }
    found = true;
    const explanation = explainArticle(
      {
        title: typeof record.title === 'string' ? record.title : '',
        text: record.text,
        published: typeof record.published === 'string' ? record.published : null,
      },
      matcher,
    );
    if (opts.json) process.stdout.write(`${JSON.stringify({ id, ...explanation })}\n`);
    else {
      process.stdout.write(`${first ? '' : '\n'}${formatExplanation(explanation, id)}\n`);
      first = false;
    }
  }
  if (opts.id !== undefined && !found) problem(`explain: no article with id "${opts.id}" on stdin`);
}
