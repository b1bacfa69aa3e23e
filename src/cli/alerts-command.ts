/**
 * `cli alerts test RULE [--since 2d]`: which stored articles a rule would have fired on, and why.
 * RULE is a rule id of alerts.yaml or, when no rule has that id, a `when` expression tried as is
 * (`cli alerts test 'actor:hamas disarm NEAR/3 weapons'`). Nothing is sent and nothing is recorded.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { evaluateRule, prepareArticle } from '../alerts/evaluate-rule.ts';
import { parseRuleExpression } from '../alerts/rule-expression.ts';
import type { Settings } from '../config/settings.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { AlertRuleSchema, type AlertRule, type TaggedArticle } from '../model.ts';
import { openContext } from '../pipeline/open-context.ts';
import { listArticlesBetween, type StoredArticle } from '../store/articles.ts';

export interface AlertsCommandDeps {
  /** The CLI's (quiet) logger, handed to openContext. */
  log: Logger;
  /** Reads and validates the environment; the CLI passes `loadSettings`. */
  loadSettings: () => Settings;
  /** The clock `--since` counts back from. @defaultValue () => new Date() */
  now?: () => Date;
}

/** The id an ad-hoc expression is reported under (a rule id cannot contain a space or a colon). */
const AD_HOC_ID = 'command-line';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `30m`, `12h`, `2d`, `1w` → milliseconds (commander option parser). */
function parseSince(value: string): number {
  const match = /^(\d+)([mhdw])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('a duration such as 30m, 12h, 2d or 1w');
  return Number(match[1]) * (UNIT_MS[match[2] ?? 'd'] ?? 0);
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const problem = (line: string) => {
  process.stderr.write(`${line}\n`);
  process.exitCode = 1;
};

/** A stored article in the shape the alert rules see (the alert step's payload). */
function toTagged(a: StoredArticle): TaggedArticle {
  return {
    feedId: a.feedId,
    url: a.url,
    canonicalUrl: a.canonicalUrl,
    title: a.title,
    byline: a.byline,
    lang: a.lang,
    text: a.text,
    published: a.published,
    fetchedAt: a.fetchedAt,
    source: a.source,
    tags: { relevant: a.relevant, actors: a.actors, phases: a.phases, mentions: a.mentions },
  };
}

/**
 * Adds the `alerts` command and its `test` subcommand to the program.
 *
 * @example
 * registerAlertsCommand(program, { log: cliLog, loadSettings });
 * // cli alerts test phase-two --since 2d | cli alerts test '"Rafah crossing" reopen' --since 1w
 */
export function registerAlertsCommand(program: Command, deps: AlertsCommandDeps): Command {
  const now = deps.now ?? (() => new Date());
  const alerts = program.command('alerts').description('alert rules');
  alerts
    .command('test')
    .description('which stored articles RULE (a rule id, or a when expression) would have fired on, and why')
    .argument('<rule>', 'a rule id of alerts.yaml, or an expression such as \'actor:hamas "Rafah crossing"\'')
    .option('--since <duration>', 'how far back: 30m, 12h, 2d, 1w', parseSince, 86_400_000)
    .option('--misses', 'also list the articles it would not have fired on, with the failing condition')
    .action(async (ruleArg: string, opts: { since: number; misses?: boolean }) => {
      try {
        await testRule(ruleArg, opts, deps, now());
      } catch (error) {
        problem(`alerts test: ${describeError(error)}`);
      }
    });
  return alerts;
}

/** Not a rule id: an expression to try. Parsed first so a mistake is one line with its column. */
function adHocRule(when: string): AlertRule {
  parseRuleExpression(when, AD_HOC_ID);
  return AlertRuleSchema.parse({ id: AD_HOC_ID, when, channels: ['slack'] });
}

async function testRule(
  ruleArg: string,
  opts: { since: number; misses?: boolean },
  deps: AlertsCommandDeps,
  at: Date,
): Promise<void> {
  const ctx = await openContext({ settings: deps.loadSettings(), log: deps.log });
  try {
    const rule: AlertRule = ctx.alerts.rules.find((r) => r.id === ruleArg) ?? adHocRule(ruleArg);
    const from = new Date(at.getTime() - opts.since);
    const articles = await listArticlesBetween(ctx.db, from.toISOString(), at.toISOString());
    let fired = 0;
    for (const stored of articles) {
      const article = toTagged(stored);
      const { matched, reasons } = evaluateRule(prepareArticle(article), rule);
      if (!matched && !opts.misses) continue;
      if (matched) fired++;
      say(
        `${matched ? 'FIRES' : 'no   '}  ${article.published ?? article.fetchedAt}  ${article.feedId}  ${article.title}`,
      );
      say(`       ${article.url}`);
      for (const reason of reasons) say(`       - ${reason}`);
    }
    const channels = rule.id === AD_HOC_ID ? '' : ` (${rule.channels.join(', ')})`;
    say(
      `rule ${rule.id}${channels} would have fired on ${fired} of ${articles.length} articles since ${from.toISOString()}`,
    );
  } finally {
    await ctx.close();
  }
}
