/**
 * Which alert rules an article fires. Pure: the article and the rules come in as data, the matches go
 * out as data; the alert step turns each match into one job per channel.
 */
import type { AlertMatch, AlertRule, TaggedArticle } from '../model.ts';

/**
 * Letters, marks and digits of any script: a keyword must not touch one of these on either side.
 * ASCII `\b` would never match a keyword that starts or ends with a non-ASCII letter ("Türkiye",
 * "Erdoğan"), see shared/FACTS.md "Matching".
 */
const WORD_CHAR = String.raw`[\p{L}\p{M}\p{N}]`;

/**
 * Folds the spellings a keyword and a text may disagree on without being different words: Unicode
 * composition (decomposed "Türkiye" from some CMSs) and typographic apostrophes ("Israel’s").
 */
function fold(s: string): string {
  return s.normalize('NFC').replace(/[\u2018\u2019\u02BC]/g, "'");
}

/** Escapes the syntax characters only: with the `u` flag any other escaped character is an error. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A case-insensitive, whole-word pattern for one keyword or phrase; any run of whitespace in the
 * phrase matches any run in the text, so a line break inside "Rafah\ncrossing" still counts.
 * Returns null for a blank keyword: it must never match (an empty pattern would match everything).
 */
function keywordPattern(keyword: string): RegExp | null {
  const words = fold(keyword).trim().split(/\s+/u).filter(Boolean);
  if (words.length === 0) return null;
  const body = words.map(escapeRegExp).join(String.raw`\s+`);
  return new RegExp(`(?<!${WORD_CHAR})${body}(?!${WORD_CHAR})`, 'iu');
}

/** The keywords of `keywords` found in the title or text, in the rule's order and spelling. */
function findKeywords(keywords: string[], title: string, text: string): string[] {
  const haystacks = [fold(title), fold(text)];
  return keywords.filter((keyword) => {
    const pattern = keywordPattern(keyword);
    return pattern !== null && haystacks.some((h) => pattern.test(h));
  });
}

/** One rule against one article: the reasons it fired, or null when it did not. */
function matchRule(article: TaggedArticle, rule: AlertRule): string[] | null {
  if (rule.relevantOnly && !article.tags.relevant) return null;

  const reasons: string[] = [];
  if (rule.actors.length > 0) {
    const have = new Set(article.tags.actors.map((t) => t.id));
    const hits = rule.actors.filter((id) => have.has(id));
    if (hits.length === 0) return null;
    reasons.push(...hits.map((id) => `actor: ${id}`));
  }
  if (rule.phases.length > 0) {
    const have = new Set(article.tags.phases.map((t) => t.id));
    const hits = rule.phases.filter((id) => have.has(id));
    if (hits.length === 0) return null;
    reasons.push(...hits.map((id) => `phase: ${id}`));
  }
  if (rule.keywords.length > 0) {
    const hits = findKeywords(rule.keywords, article.title, article.text);
    if (hits.length === 0) return null;
    reasons.push(...hits.map((k) => `keyword: ${JSON.stringify(k.trim())}`));
  }
  if (reasons.length === 0) {
    // A rule without conditions is a catch-all ("send me everything relevant"); say so in the message.
    reasons.push(rule.relevantOnly ? 'every relevant article' : 'every article');
  }
  return reasons;
}

/**
 * The rules an article fires, in rule order, each with the reasons to show in the message.
 *
 * A rule fires when the article is relevant (unless `relevantOnly` is false) and every non-empty
 * condition list holds: any listed actor among the article's actor tags, any listed phase among its
 * phase tags, any keyword found in the title or text (case-insensitive, whole words, Unicode-aware).
 * Every matching entry becomes one reason, so a message says all of why it was sent.
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
  for (const rule of rules) {
    const reasons = matchRule(article, rule);
    if (reasons) matches.push({ ruleId: rule.id, reasons });
  }
  return matches;
}
