/**
 * One alert rule against one tagged article: whether it fires and, in words a person reads in the
 * message, why. Pure: the article and the rule come in as data, the verdict goes out as data.
 */
import type { AlertRule, Mention, Tag, TaggedArticle } from '../model.ts';
import { foldText } from '../tagging/fold-text.ts';
import { formatRuleExpression, parseRuleExpression } from './rule-expression.ts';
import type { KeywordTerm, RuleExpression } from './rule-expression.ts';

export type Salience = 'any' | 'lead' | 'title';

export interface RuleEvaluation {
  matched: boolean;
  /** Why it fired (or, when it did not, the first condition that failed). */
  reasons: string[];
}

/**
 * Letters, marks and digits of any script: a keyword must not touch one of these on either side.
 * ASCII `\b` would never match a keyword that starts or ends with a non-ASCII letter ("Türkiye",
 * "Erdoğan"), see shared/FACTS.md "Matching".
 */
const WORD_CHAR = String.raw`[\p{L}\p{M}\p{N}]`;
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * Evidence sentences longer than this are cut: a Slack line or an email reason stays readable, and 240
 * characters hold the longest sentence of the seed article whole.
 */
export const MAX_EVIDENCE_CHARS = 240;

/** One searchable field of the article, folded once and shared by every rule. */
interface Field {
  name: 'title' | 'text';
  folded: string;
  /** Start offset of each word in `folded`, ascending: turns a match offset into a word position. */
  wordStarts: number[];
}

/** What evaluation needs from one article, computed once for all rules (see {@link prepareArticle}). */
export interface PreparedArticle {
  article: TaggedArticle;
  fields: Field[];
  patterns: Map<string, RegExp | null>;
}

/** Folds the title and text once; pass the result to {@link evaluateRule} for every rule. */
export function prepareArticle(article: TaggedArticle): PreparedArticle {
  const field = (name: Field['name'], original: string): Field => {
    const folded = foldText(original).text;
    return { name, folded, wordStarts: Array.from(folded.matchAll(WORD), (m) => m.index) };
  };
  return {
    article,
    fields: [field('title', article.title), field('text', article.text)],
    patterns: new Map(),
  };
}

/** Escapes the syntax characters only: with the `u` flag any other escaped character is an error. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A case-insensitive, whole-word, global pattern for one keyword or phrase, folded as the tagger folds
 * text (diacritics, curly quotes, dashes); any run of whitespace in the phrase matches any run in the
 * text, so a line break inside "Rafah\ncrossing" still counts. Null for a blank keyword: it must never
 * match (an empty pattern would match everything).
 */
function keywordPattern(prepared: PreparedArticle, keyword: string): RegExp | null {
  let pattern = prepared.patterns.get(keyword);
  if (pattern !== undefined) return pattern;
  const words = foldText(keyword).text.trim().split(/\s+/u).filter(Boolean);
  pattern =
    words.length === 0
      ? null
      : new RegExp(
          `(?<!${WORD_CHAR})${words.map(escapeRegExp).join(String.raw`\s+`)}(?!${WORD_CHAR})`,
          'giu',
        );
  prepared.patterns.set(keyword, pattern);
  return pattern;
}

/** Number of word starts before `offset` (binary search). */
function wordsBefore(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] ?? 0) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every occurrence of a keyword in one field, as [first word, last word] positions. */
function occurrences(prepared: PreparedArticle, field: Field, keyword: string): [number, number][] {
  const pattern = keywordPattern(prepared, keyword);
  if (!pattern) return [];
  // matchAll starts where the shared global pattern's last test() stopped: start from the beginning.
  pattern.lastIndex = 0;
  return Array.from(field.folded.matchAll(pattern), (m) => {
    const first = Math.max(0, wordsBefore(field.wordStarts, m.index + 1) - 1);
    const last = Math.max(first, wordsBefore(field.wordStarts, m.index + m[0].length) - 1);
    return [first, last];
  });
}

/** The fields a keyword occurs in, title first. */
function keywordFields(prepared: PreparedArticle, keyword: string): Field['name'][] {
  const pattern = keywordPattern(prepared, keyword);
  if (!pattern) return [];
  return prepared.fields
    .filter((f) => {
      pattern.lastIndex = 0;
      return pattern.test(f.folded);
    })
    .map((f) => f.name);
}

/**
 * Whether two keywords occur within `distance` words of each other, in either order, in the same
 * field: `distance` counts the words strictly between them (NEAR/0 = adjacent), overlapping counts.
 */
function nearField(prepared: PreparedArticle, left: KeywordTerm, right: KeywordTerm, distance: number) {
  for (const field of prepared.fields) {
    const a = occurrences(prepared, field, left.text);
    if (a.length === 0) continue;
    const b = occurrences(prepared, field, right.text);
    for (const [a0, a1] of a) {
      for (const [b0, b1] of b) {
        const gap = b0 > a1 ? b0 - a1 - 1 : a0 > b1 ? a0 - b1 - 1 : 0;
        if (gap <= distance) return field.name;
      }
    }
  }
  return null;
}

/** A tag counts when it is salient enough: in the title for 'title', in the title or lead for 'lead'. */
function salient(tag: Tag, salience: Salience): boolean {
  if (salience === 'title') return tag.inTitle === true;
  if (salience === 'lead') return tag.inTitle === true || tag.inLead === true;
  return true;
}

function clip(sentence: string): string {
  const s = sentence.replace(/\s+/gu, ' ').trim();
  return s.length <= MAX_EVIDENCE_CHARS ? s : `${s.slice(0, MAX_EVIDENCE_CHARS - 1).trimEnd()}…`;
}

/** The sentence to quote for a tag: a title mention first, else the earliest in the text, else the tag's. */
function evidence(mentions: Mention[], kind: Mention['kind'], tag: Tag): string {
  const own = mentions.filter((m) => m.kind === kind && m.id === tag.id);
  const best =
    own.find((m) => m.field === 'title') ??
    own.filter((m) => m.field === 'text').sort((x, y) => x.start - y.start)[0];
  return clip(best?.sentence ?? tag.evidence);
}

function quote(text: string): string {
  return JSON.stringify(text.trim());
}

/**
 * Evaluates a parsed `when` expression. Every matching operand of an OR adds its reasons (the message
 * says all of why), an AND's reasons are those of all its operands, and a NOT that holds says what was
 * absent.
 *
 * @example
 * evaluateExpression(parseRuleExpression('actor:qatar NOT phase:phase-3', 'r'), prepareArticle(article));
 * // → { matched: true, reasons: ['actor: qatar: "… senior officials from Qatar, Egypt, and Turkey …"',
 * //                              'without phase: phase-3'] }
 */
export function evaluateExpression(
  expression: RuleExpression,
  prepared: PreparedArticle,
  salience: Salience = 'any',
): RuleEvaluation {
  const { article } = prepared;
  switch (expression.kind) {
    case 'actor':
    case 'phase': {
      const tags = expression.kind === 'actor' ? article.tags.actors : article.tags.phases;
      const tag = tags.find((t) => t.id === expression.id);
      if (!tag) return { matched: false, reasons: [`no ${expression.kind}: ${expression.id}`] };
      if (!salient(tag, salience)) {
        return { matched: false, reasons: [`${expression.kind}: ${expression.id} not in the ${salience}`] };
      }
      const where = salience === 'any' ? '' : ` (in the ${salience})`;
      const sentence = evidence(article.tags.mentions, expression.kind, tag);
      return {
        matched: true,
        reasons: [`${expression.kind}: ${expression.id}${where}${sentence ? `: ${quote(sentence)}` : ''}`],
      };
    }
    case 'feed':
      return article.feedId === expression.id
        ? { matched: true, reasons: [`feed: ${expression.id}`] }
        : { matched: false, reasons: [`not from feed ${expression.id}`] };
    case 'keyword': {
      const fields = keywordFields(prepared, expression.text);
      return fields.length > 0
        ? { matched: true, reasons: [`keyword: ${quote(expression.text)} in ${fields.join(' and ')}`] }
        : { matched: false, reasons: [`no keyword ${quote(expression.text)}`] };
    }
    case 'near': {
      const { left, right, distance } = expression;
      const field = nearField(prepared, left, right, distance);
      const words = `${distance} word${distance === 1 ? '' : 's'}`;
      return field
        ? {
            matched: true,
            reasons: [`${quote(left.text)} within ${words} of ${quote(right.text)} in ${field}`],
          }
        : { matched: false, reasons: [`${quote(left.text)} not within ${words} of ${quote(right.text)}`] };
    }
    case 'not': {
      const inner = evaluateExpression(expression.operand, prepared, salience);
      return inner.matched
        ? { matched: false, reasons: inner.reasons.map((r) => `excluded by ${r}`) }
        : { matched: true, reasons: [`without ${formatRuleExpression(expression.operand)}`] };
    }
    case 'and': {
      const reasons: string[] = [];
      for (const operand of expression.operands) {
        const result = evaluateExpression(operand, prepared, salience);
        if (!result.matched) return result;
        reasons.push(...result.reasons);
      }
      return { matched: true, reasons };
    }
    case 'or': {
      const results = expression.operands.map((o) => evaluateExpression(o, prepared, salience));
      const hits = results.filter((r) => r.matched);
      return hits.length > 0
        ? { matched: true, reasons: hits.flatMap((r) => r.reasons) }
        : { matched: false, reasons: [`none of ${formatRuleExpression(expression)}`] };
    }
  }
}

/**
 * Parsed `when` expressions by source text: rules are evaluated for every article, and parsing once per
 * distinct text keeps that to a map lookup. The config was validated at load, so a parse error here means
 * a rule built in code; it is thrown as the PipelineError it is.
 */
const parsed = new Map<string, RuleExpression>();

function expressionOf(rule: AlertRule): RuleExpression | null {
  if (rule.when === undefined) return null;
  let expression = parsed.get(rule.when);
  if (!expression) {
    expression = parseRuleExpression(rule.when, rule.id);
    parsed.set(rule.when, expression);
  }
  return expression;
}

/** The rule's lists (actors, phases, keywords): each non-empty list needs one entry to match. */
function evaluateLists(rule: AlertRule, prepared: PreparedArticle, salience: Salience): RuleEvaluation {
  const reasons: string[] = [];
  const { tags } = prepared.article;
  for (const [kind, wanted, have] of [
    ['actor', rule.actors, tags.actors],
    ['phase', rule.phases, tags.phases],
  ] as const) {
    if (wanted.length === 0) continue;
    const hits = wanted.filter((id) => have.some((t) => t.id === id && salient(t, salience)));
    if (hits.length === 0) return { matched: false, reasons: [`none of ${kind}s ${wanted.join(', ')}`] };
    reasons.push(...hits.map((id) => `${kind}: ${id}`));
  }
  if (rule.keywords.length > 0) {
    const hits = rule.keywords.filter((k) => keywordFields(prepared, k).length > 0);
    if (hits.length === 0)
      return { matched: false, reasons: [`none of keywords ${rule.keywords.join(', ')}`] };
    reasons.push(...hits.map((k) => `keyword: ${quote(k)}`));
  }
  return { matched: true, reasons };
}

/**
 * Whether a rule fires on an article, with the reasons to show. A rule fires when the article is
 * relevant (unless `relevantOnly` is false), comes from one of `feeds` (when listed), every non-empty
 * list (actors, phases, keywords; any entry of a list) matches, and the `when` expression holds.
 * `salience` ('title' / 'lead') makes actor and phase conditions count only for tags in the title /
 * in the title or lead. A rule with no condition at all is a catch-all and says so.
 *
 * @example
 * const rule = AlertRuleSchema.parse({ id: 'witkoff-miami', channels: ['slack'],
 *   when: 'actor:steve-witkoff AND "Miami summit"' });
 * evaluateRule(article, rule);
 * // → { matched: true, reasons: ['actor: steve-witkoff: "US President … Steve Witkoff will hold …"',
 * //                              'keyword: "Miami summit" in text'] }
 */
export function evaluateRule(article: TaggedArticle | PreparedArticle, rule: AlertRule): RuleEvaluation {
  const prepared = 'fields' in article ? article : prepareArticle(article);
  const relevantOnly = rule.relevantOnly;
  if (relevantOnly && !prepared.article.tags.relevant) {
    return { matched: false, reasons: ['the article is not relevant to the watchlist'] };
  }
  const reasons: string[] = [];
  const feeds = rule.feeds ?? [];
  if (feeds.length > 0) {
    if (!feeds.includes(prepared.article.feedId)) {
      return {
        matched: false,
        reasons: [`feed ${prepared.article.feedId} is not one of ${feeds.join(', ')}`],
      };
    }
    reasons.push(`feed: ${prepared.article.feedId}`);
  }
  const salience = rule.salience ?? 'any';
  const lists = evaluateLists(rule, prepared, salience);
  if (!lists.matched) return lists;
  reasons.push(...lists.reasons);
  const expression = expressionOf(rule);
  if (expression) {
    const result = evaluateExpression(expression, prepared, salience);
    if (!result.matched) return result;
    reasons.push(...result.reasons);
  }
  if (reasons.length === 0) {
    // A rule without conditions is a catch-all ("send me everything relevant"); say so in the message.
    reasons.push(relevantOnly ? 'every relevant article' : 'every article');
  }
  return { matched: true, reasons };
}
