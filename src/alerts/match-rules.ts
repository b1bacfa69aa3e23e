/**
 * Which alert rules an article fires. Pure: the article and the rules come in as data, the matches go
 * out as data; the alert step turns each match into one job per channel.
 */
import type { AlertMatch, AlertRule, TaggedArticle } from '../model.ts';
import { evaluateRule, prepareArticle } from './evaluate-rule.ts';

/**
 * The rules an article fires, in rule order, each with the reasons to show in the message.
 *
 * A rule fires when the article is relevant (unless `relevantOnly` is false), comes from one of the
 * rule's `feeds` (when listed), every non-empty condition list holds (any listed actor among the
 * article's actor tags, any listed phase among its phase tags, any keyword found in the title or text:
 * case-insensitive, whole words, folded as the tagger folds) and its `when` expression holds; see
 * evaluateRule. Every matching entry becomes one reason, so a message says all of why it was sent.
 *
 * @example
 * ```ts
 * const rule = AlertRuleSchema.parse({ id: 'witkoff-phase-2', actors: ['steve-witkoff'],
 *   phases: ['phase-2'], keywords: ['Rafah crossing'], channels: ['slack'] });
 * matchRules(article, [rule]);
 * // → [{ ruleId: 'witkoff-phase-2',
 * //      reasons: ['actor: steve-witkoff', 'phase: phase-2', 'keyword: "Rafah crossing"'] }]
 * ```
 */
export function matchRules(article: TaggedArticle, rules: AlertRule[]): AlertMatch[] {
  const matches: AlertMatch[] = [];
  // Folded once for every rule: the text is the expensive part, the rules are many and small.
  const prepared = prepareArticle(article);
  for (const rule of rules) {
    const { matched, reasons } = evaluateRule(prepared, rule);
    if (matched) matches.push({ ruleId: rule.id, reasons });
  }
  return matches;
}
