/**
 * `cli explain [--watchlist FILE] [--id ID] [--json] < articles.jsonl`: why each tag was given or
 * refused, for the same input lines as `cli tag`. Prints a readable report per article, or one JSON
 * explanation per line with `--json`.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { configPaths } from '../config/load-config.ts';
import { describeError } from '../errors.ts';
import { problem, type CliDeps } from './cli-io.ts';
import { loadWatchlist } from '../pipeline/open-context.ts';
import { compileWatchlist } from '../tagging/compile-watchlist.ts';
import { explainArticle, formatExplanation } from '../tagging/explain-article.ts';

export type ExplainCommandDeps = Pick<CliDeps, 'io' | 'loadSettings'>;

interface ExplainOptions {
  watchlist?: string;
  id?: string;
  json?: boolean;
}

/**
 * Adds the `explain` command to the program.
 *
 * @example
 * registerExplainCommand(program, { io: processIo(), loadSettings });
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
        problem(deps.io, `explain: ${describeError(error)}`);
      }
    });
}

/**
 * Characters JSON.stringify leaves raw that a terminal acts on: DEL, the C1 controls (U+009B starts an
 * escape sequence) and the bidi embeddings, overrides and isolates (U+202E shows the rest of the line
 * reversed). Input lines are quoted back in `sentence`, and input is anyone's text.
 */
const RAW_IN_JSON = /[\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** One JSON line with those characters as `\uXXXX` escapes: the same value once parsed. */
function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

async function explainLines(opts: ExplainOptions, deps: ExplainCommandDeps): Promise<void> {
  const file = opts.watchlist ?? configPaths(deps.loadSettings()).watchlist;
  const matcher = compileWatchlist(await loadWatchlist(file));
  let line = 0;
  let found = false;
  let first = true;
  for await (const raw of createInterface({ input: deps.io.stdin, crlfDelay: Infinity })) {
    line++;
    if (!raw.trim()) continue;
    let record: { id?: unknown; title?: unknown; text?: unknown; published?: unknown } | null;
    try {
      record = JSON.parse(raw) as typeof record;
    } catch (error) {
      problem(deps.io, `stdin line ${line}: not JSON (${describeError(error)})`);
      continue;
    }
    const id = record && (typeof record.id === 'string' || typeof record.id === 'number') ? record.id : null;
    if (opts.id !== undefined && String(id) !== opts.id) continue;
    if (!record || typeof record.text !== 'string') {
      problem(deps.io, `stdin line ${line}: needs "id", "title" and "text" strings`);
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
    if (opts.json) deps.io.stdout.write(`${jsonLine({ id, ...explanation })}\n`);
    else {
      deps.io.stdout.write(`${first ? '' : '\n'}${formatExplanation(explanation, id)}\n`);
      first = false;
    }
  }
  if (opts.id !== undefined && !found) problem(deps.io, `explain: no article with id "${opts.id}" on stdin`);
}
