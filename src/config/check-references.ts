/**
 * Checks across config files: every actor, phase and feed an alert rule names must exist in the
 * watchlist or feeds.yaml. Each file is valid alone; a rule naming `hamaz` or a feed since removed
 * would otherwise never fire, and nobody would know. Pure: the parsed files in, problems out.
 */
import { parseRuleExpression, type IdTerm, type RuleExpression } from '../alerts/rule-expression.ts';
import type { Watchlist } from '../tagging/watchlist.ts';
import { closestMatch } from './closest-match.ts';
import type { ConfigProblem } from './parse-yaml-config.ts';
import type { AlertsFile, FeedsFile } from './schemas.ts';

export interface ConfigFiles {
  feeds: FeedsFile;
  alerts: AlertsFile;
  watchlist: Watchlist;
}

type IdKind = IdTerm['kind'];

function idTerms(expression: RuleExpression): IdTerm[] {
  switch (expression.kind) {
    case 'actor':
    case 'phase':
    case 'feed':
      return [expression];
    case 'not':
      return idTerms(expression.operand);
    case 'and':
    case 'or':
      return expression.operands.flatMap(idTerms);
    case 'keyword':
    case 'near':
      return [];
  }
}

/**
 * The problems of alerts.yaml against the other files, each at the key path of the id in alerts.yaml
 * (`rules.2.actors.0`, or `rules.4.when` with the column): the rule, the unknown id, where ids of that
 * kind come from and the closest one there. Empty when everything named exists.
 *
 * @example
 * checkConfigReferences({ feeds, alerts, watchlist });
 * // [{ path: ['rules', 2, 'actors', 0],
 * //    message: 'rule mediators: actor "steve-witkof" is not in the watchlist (did you mean "steve-witkoff"?)' }]
 */
export function checkConfigReferences(files: ConfigFiles): ConfigProblem[] {
  const known: Record<IdKind, { ids: string[]; source: string }> = {
    actor: { ids: files.watchlist.actors.map((a) => a.id), source: 'the watchlist' },
    phase: { ids: files.watchlist.phases.map((p) => p.id), source: 'the watchlist' },
    feed: { ids: files.feeds.feeds.map((f) => f.id), source: 'feeds.yaml' },
  };
  const sets = {
    actor: new Set(known.actor.ids),
    phase: new Set(known.phase.ids),
    feed: new Set(known.feed.ids),
  };
  const unknown = (kind: IdKind, id: string): string | null => {
    if (sets[kind].has(id)) return null;
    const { ids, source } = known[kind];
    const closest = closestMatch(id, ids);
    const hint =
      closest === null
        ? `${source} defines no ${kind}s`
        : closest.close
          ? `did you mean "${closest.name}"?`
          : `the closest is "${closest.name}"`;
    return `${kind} "${id}" is not in ${source} (${hint})`;
  };

  const problems: ConfigProblem[] = [];
  files.alerts.rules.forEach((rule, i) => {
    const lists = [
      ['actors', 'actor', rule.actors],
      ['phases', 'phase', rule.phases],
      ['feeds', 'feed', rule.feeds ?? []],
    ] as const;
    for (const [key, kind, ids] of lists) {
      ids.forEach((id, j) => {
        const message = unknown(kind, id);
        if (message) problems.push({ path: ['rules', i, key, j], message: `rule ${rule.id}: ${message}` });
      });
    }
    if (rule.when === undefined) return;
    // Parsed again: the schema already refused a `when` that does not parse, and keeps no tree.
    for (const term of idTerms(parseRuleExpression(rule.when, rule.id))) {
      const message = unknown(term.kind, term.id);
      if (message) {
        problems.push({
          path: ['rules', i, 'when'],
          message: `rule ${rule.id}: column ${term.column}: ${message}`,
        });
      }
    }
  });
  return problems;
}
