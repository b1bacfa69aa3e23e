/**
 * `cli alerts test RULE [--since 2d]`: which stored articles a rule would have fired on, and why.
 * RULE is a rule id of alerts.yaml; an expression is tried with `--when EXPR`, or given in RULE's place
 * when it cannot be a rule id (`cli alerts test 'actor:hamas disarm NEAR/3 weapons'`). A rule id that
 * is not in alerts.yaml is an error that names the rules there, never a search for the word. Nothing
 * is sent and nothing is recorded.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { toTaggedArticle } from '../alerts/compose-alert.ts';
import { evaluateRule, prepareArticle } from '../alerts/evaluate-rule.ts';
import { parseRuleExpression } from '../alerts/rule-expression.ts';
import { editDistance } from '../config/closest-match.ts';
import { configPaths } from '../config/load-config.ts';
import { configInvalid, describeError } from '../errors.ts';
import { problem, say, type CliDeps } from './cli-io.ts';
import { AlertRuleSchema, type AlertRule } from '../model.ts';
import { openContext } from '../pipeline/open-context.ts';
import { listArticlesBetween } from '../store/articles.ts';

/** The clock (`now`) is what `--since` counts back from. */
export type AlertsCommandDeps = CliDeps;

/** The id an ad-hoc expression is reported under (a rule id cannot contain a space or a colon). */
const AD_HOC_ID = 'command-line';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `30m`, `12h`, `2d`, `1w` → milliseconds (commander option parser). */
function parseSince(value: string): number {
  const match = /^(\d+)([mhdw])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('a duration such as 30m, 12h, 2d or 1w');
  return Number(match[1]) * (UNIT_MS[match[2] ?? 'd'] ?? 0);
}

/**
 * Adds the `alerts` command and its `test` subcommand to the program.
 *
 * @example
 * registerAlertsCommand(program, { io: processIo(), log: cliLog, loadSettings });
 * // cli alerts test phase-two --since 2d | cli alerts test '"Rafah crossing" reopen' --since 1w
 */
export function registerAlertsCommand(program: Command, deps: AlertsCommandDeps): Command {
  const now = deps.now ?? (() => new Date());
  const alerts = program.command('alerts').description('alert rules');
  alerts
    .command('test')
    .description('which stored articles RULE (a rule id, or a when expression) would have fired on, and why')
    .argument('[rule]', 'a rule id of alerts.yaml, or an expression such as \'actor:hamas "Rafah crossing"\'')
    .option('--when <expression>', "try this expression instead of a rule, e.g. 'disarmament'")
    .option('--since <duration>', 'how far back: 30m, 12h, 2d, 1w', parseSince, 86_400_000)
    .option('--misses', 'also list the articles it would not have fired on, with the failing condition')
    .action(async (ruleArg: string | undefined, opts: { since: number; misses?: boolean; when?: string }) => {
      try {
        await testRule(ruleArg, opts, deps, now());
      } catch (error) {
        problem(deps.io, `alerts test: ${describeError(error)}`);
      }
    });
  return alerts;
}

/** Not a rule id: an expression to try. Parsed first so a mistake is one line with its column. */
function adHocRule(when: string): AlertRule {
  parseRuleExpression(when, AD_HOC_ID);
  return AlertRuleSchema.parse({ id: AD_HOC_ID, when, channels: ['slack'] });
}

/** What a rule id may look like (alerts.yaml's schema): a word like this is taken for a rule id. */
const RULE_ID = /^[a-z0-9][a-z0-9-]*$/;

/** The rule to test: a rule of alerts.yaml, or an expression; a missing rule id is an error. */
function chooseRule(
  rules: readonly AlertRule[],
  ruleArg: string | undefined,
  when: string | undefined,
  file: string,
): AlertRule {
  if (when !== undefined) {
    if (ruleArg !== undefined) throw new InvalidArgumentError('give a rule id or --when, not both');
    return adHocRule(when);
  }
  if (ruleArg === undefined) throw new InvalidArgumentError('give a rule id, or an expression with --when');
  const rule = rules.find((r) => r.id === ruleArg);
  if (rule) return rule;
  if (!RULE_ID.test(ruleArg)) return adHocRule(ruleArg);
  const ids = rules.map((r) => r.id);
  const closest = ids
    .map((id) => ({ id, distance: editDistance(ruleArg, id) }))
    .filter((c) => c.distance <= Math.max(2, Math.floor(ruleArg.length / 3)))
    .sort((x, y) => x.distance - y.distance)[0];
  throw configInvalid(
    file,
    `no rule "${ruleArg}"${closest ? ` (did you mean "${closest.id}"?)` : ''}; rules: ${ids.join(', ') || 'none'}. ` +
      `To try an expression, use --when '${ruleArg}'`,
  );
}

async function testRule(
  ruleArg: string | undefined,
  opts: { since: number; misses?: boolean; when?: string },
  deps: AlertsCommandDeps,
  at: Date,
): Promise<void> {
  const settings = deps.loadSettings();
  const ctx = await openContext({ settings, log: deps.log });
  try {
    const rule = chooseRule(ctx.alerts.rules, ruleArg, opts.when, configPaths(settings).alerts);
    const from = new Date(at.getTime() - opts.since);
    const articles = await listArticlesBetween(ctx.db, from.toISOString(), at.toISOString());
    let fired = 0;
    for (const stored of articles) {
      const article = toTaggedArticle(stored);
      const { matched, reasons } = evaluateRule(prepareArticle(article), rule);
      if (!matched && !opts.misses) continue;
      if (matched) fired++;
      say(
        deps.io,
        `${matched ? 'FIRES' : 'no   '}  ${article.published ?? article.fetchedAt}  ${article.feedId}  ${article.title}`,
      );
      say(deps.io, `       ${article.url}`);
      for (const reason of reasons) say(deps.io, `       - ${reason}`);
    }
    const channels = rule.id === AD_HOC_ID ? '' : ` (${rule.channels.join(', ')})`;
    say(
      deps.io,
      `rule ${rule.id}${channels} would have fired on ${fired} of ${articles.length} articles since ${from.toISOString()}`,
    );
  } finally {
    await ctx.close();
  }
}
