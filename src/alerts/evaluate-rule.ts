/**
 * One alert rule against one tagged article: whether it fires and, in words a person reads in the
 * message, why. Pure: the article and the rule come in as data, the verdict goes out as data.
 */
import type { AlertRule, Mention, Tag, TaggedArticle } from '../model.ts';
import { foldText } from '../tagging/fold-text.ts';
import { sentenceSpans, type SentenceSpan } from '../tagging/sentence-spans.ts';
import { formatRuleExpression, parseRuleExpression } from './rule-expression.ts';
import type { KeywordTerm, RuleExpression } from './rule-expression.ts';

export type Salience = 'any' | 'lead' | 'title';

/** A sentence holding a condition that held: what an alert quotes as its evidence. */
export interface EvidenceSentence {
  field: 'title' | 'text';
  /** Offset in the field (of the mention, or of the sentence): orders sentences as the article reads. */
  start: number;
  sentence: string;
}

/** One condition that made the rule fire, with the sentences where it holds. */
export type MatchedTerm =
  | { kind: 'actor' | 'phase' | 'feed'; id: string; evidence: EvidenceSentence[] }
  | { kind: 'keyword'; text: string; evidence: EvidenceSentence[] }
  | { kind: 'near'; left: string; right: string; distance: number; evidence: EvidenceSentence[] }
  /** A NOT that held: what was absent (nothing to quote). */
  | { kind: 'without'; operand: RuleExpression; evidence: EvidenceSentence[] };

export interface RuleEvaluation {
  matched: boolean;
  /** Why it fired (or, when it did not, the first condition that failed). */
  reasons: string[];
  /**
   * The conditions that made it fire, in the rule's order; empty when it did not fire or is a
   * catch-all.
   */
  terms: MatchedTerm[];
  /**
   * What a quote must show for the rule to hold: each entry lists indexes into `terms` of which any
   * one is enough (an OR, an any-of list); every entry is needed (an AND). Conditions with nothing to
   * quote (a feed, a NOT) are in none.
   */
  needs: number[][];
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
  /** Sentences of the title and text with their folded form, cut on first use (keyword evidence). */
  sentences: Map<Field['name'], { span: SentenceSpan; folded: string }[]>;
}

/** Folds the title and text once; pass the result to {@link evaluateRule} for every rule. */
function toField(name: Field['name'], folded: string): Field {
  return { name, folded, wordStarts: Array.from(folded.matchAll(WORD), (m) => m.index) };
}

export function prepareArticle(article: TaggedArticle): PreparedArticle {
  const field = (name: Field['name'], original: string): Field => toField(name, foldText(original).text);
  return {
    article,
    fields: [field('title', article.title), field('text', article.text)],
    patterns: new Map(),
    sentences: new Map(),
  };
}

function sentencesOf(prepared: PreparedArticle, name: Field['name']) {
  let list = prepared.sentences.get(name);
  if (!list) {
    const original = name === 'title' ? prepared.article.title : prepared.article.text;
    list = sentenceSpans(original).map((span) => ({ span, folded: foldText(span.text).text }));
    prepared.sentences.set(name, list);
  }
  return list;
}

function matches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

function sentencesWhere(prepared: PreparedArticle, holds: (folded: string) => boolean): EvidenceSentence[] {
  return (['title', 'text'] as const).flatMap((field) =>
    sentencesOf(prepared, field)
      .filter((s) => holds(s.folded))
      .map((s) => ({ field, start: s.span.start, sentence: s.span.text })),
  );
}

/** The sentences holding a keyword. */
function keywordEvidence(prepared: PreparedArticle, keyword: string): EvidenceSentence[] {
  const pattern = keywordPattern(prepared, keyword);
  return pattern ? sentencesWhere(prepared, (folded) => matches(pattern, folded)) : [];
}

/**
 * The sentences where the two keywords are within the distance; when the NEAR holds only across a
 * sentence break, the sentences holding either.
 */
function nearEvidence(
  prepared: PreparedArticle,
  left: KeywordTerm,
  right: KeywordTerm,
  distance: number,
): EvidenceSentence[] {
  const within = sentencesWhere(prepared, (folded) =>
    nearIn(prepared, toField('text', folded), left, right, distance),
  );
  if (within.length > 0) return within;
  return [...keywordEvidence(prepared, left.text), ...keywordEvidence(prepared, right.text)];
}

/** The sentences of a tag's mentions, as the tagger recorded them. */
function tagEvidence(mentions: Mention[], kind: Mention['kind'], tag: Tag): EvidenceSentence[] {
  return mentions
    .filter((m) => m.kind === kind && m.id === tag.id)
    .map((m) => ({ field: m.field, start: m.start, sentence: m.sentence }));
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
  return prepared.fields.find((field) => nearIn(prepared, field, left, right, distance))?.name ?? null;
}

function nearIn(
  prepared: PreparedArticle,
  field: Field,
  left: KeywordTerm,
  right: KeywordTerm,
  distance: number,
): boolean {
  const a = occurrences(prepared, field, left.text);
  if (a.length === 0) return false;
  const b = occurrences(prepared, field, right.text);
  for (const [a0, a1] of a) {
    for (const [b0, b1] of b) {
      const gap = b0 > a1 ? b0 - a1 - 1 : a0 > b1 ? a0 - b1 - 1 : 0;
      if (gap <= distance) return true;
    }
  }
  return false;
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

function miss(reason: string): RuleEvaluation {
  return { matched: false, reasons: [reason], terms: [], needs: [] };
}

/** A fired condition on its own: one term, needed when it has anything to quote. */
function hit(reason: string, term: MatchedTerm): RuleEvaluation {
  return { matched: true, reasons: [reason], terms: [term], needs: term.evidence.length > 0 ? [[0]] : [] };
}

/** Every part must hold: all their terms, all their needs. */
function allOf(parts: RuleEvaluation[]): RuleEvaluation {
  const terms: MatchedTerm[] = [];
  const needs: number[][] = [];
  for (const part of parts) {
    needs.push(...part.needs.map((need) => need.map((i) => i + terms.length)));
    terms.push(...part.terms);
  }
  return { matched: true, reasons: parts.flatMap((p) => p.reasons), terms, needs };
}

/**
 * Any part is enough: all their terms (the message says all of why), and the needs of the cheapest
 * way to show it: when every part needs at most one thing, one need of which any is enough; else
 * the part needing the fewest things.
 */
function anyOf(parts: RuleEvaluation[]): RuleEvaluation {
  const all = allOf(parts);
  let offset = 0;
  const shifted = parts.map((part) => {
    const needs = part.needs.map((need) => need.map((i) => i + offset));
    offset += part.terms.length;
    return needs;
  });
  if (shifted.every((needs) => needs.length <= 1)) {
    const alternatives = shifted.flatMap((needs) => needs.flat());
    // A part that needs nothing (a NOT, a feed) already holds: nothing else needs showing.
    const freebie = shifted.some((needs) => needs.length === 0);
    return { ...all, needs: freebie || alternatives.length === 0 ? [] : [alternatives] };
  }
  const cheapest = shifted.reduce((best, needs) => (needs.length < best.length ? needs : best));
  return { ...all, needs: cheapest };
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
      if (!tag) return miss(`no ${expression.kind}: ${expression.id}`);
      if (!salient(tag, salience)) {
        return miss(`${expression.kind}: ${expression.id} not in the ${salience}`);
      }
      const where = salience === 'any' ? '' : ` (in the ${salience})`;
      const sentence = evidence(article.tags.mentions, expression.kind, tag);
      return hit(`${expression.kind}: ${expression.id}${where}${sentence ? `: ${quote(sentence)}` : ''}`, {
        kind: expression.kind,
        id: expression.id,
        evidence: tagEvidence(article.tags.mentions, expression.kind, tag),
      });
    }
    case 'feed':
      return article.feedId === expression.id
        ? hit(`feed: ${expression.id}`, { kind: 'feed', id: expression.id, evidence: [] })
        : miss(`not from feed ${expression.id}`);
    case 'keyword': {
      const fields = keywordFields(prepared, expression.text);
      return fields.length > 0
        ? hit(`keyword: ${quote(expression.text)} in ${fields.join(' and ')}`, {
            kind: 'keyword',
            text: expression.text,
            evidence: keywordEvidence(prepared, expression.text),
          })
        : miss(`no keyword ${quote(expression.text)}`);
    }
    case 'near': {
      const { left, right, distance } = expression;
      const field = nearField(prepared, left, right, distance);
      const words = `${distance} word${distance === 1 ? '' : 's'}`;
      return field
        ? hit(`${quote(left.text)} within ${words} of ${quote(right.text)} in ${field}`, {
            kind: 'near',
            left: left.text,
            right: right.text,
            distance,
            evidence: nearEvidence(prepared, left, right, distance),
          })
        : miss(`${quote(left.text)} not within ${words} of ${quote(right.text)}`);
    }
    case 'not': {
      const inner = evaluateExpression(expression.operand, prepared, salience);
      return inner.matched
        ? { matched: false, reasons: inner.reasons.map((r) => `excluded by ${r}`), terms: [], needs: [] }
        : hit(`without ${formatRuleExpression(expression.operand)}`, {
            kind: 'without',
            operand: expression.operand,
            evidence: [],
          });
    }
    case 'and': {
      const parts: RuleEvaluation[] = [];
      for (const operand of expression.operands) {
        const result = evaluateExpression(operand, prepared, salience);
        if (!result.matched) return result;
        parts.push(result);
      }
      return allOf(parts);
    }
    case 'or': {
      const results = expression.operands.map((o) => evaluateExpression(o, prepared, salience));
      const hits = results.filter((r) => r.matched);
      return hits.length > 0 ? anyOf(hits) : miss(`none of ${formatRuleExpression(expression)}`);
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
  const parts: RuleEvaluation[] = [];
  const { actors, phases, mentions } = prepared.article.tags;
  for (const [kind, wanted, have] of [
    ['actor', rule.actors, actors],
    ['phase', rule.phases, phases],
  ] as const) {
    if (wanted.length === 0) continue;
    const tags = wanted.flatMap((id) => have.filter((t) => t.id === id && salient(t, salience)));
    if (tags.length === 0) return miss(`none of ${kind}s ${wanted.join(', ')}`);
    // One listed actor is enough to fire, but each one present is news to the person who listed it:
    // every one is shown (one sentence naming several covers them all).
    parts.push(
      allOf(
        tags.map((tag) =>
          hit(`${kind}: ${tag.id}`, { kind, id: tag.id, evidence: tagEvidence(mentions, kind, tag) }),
        ),
      ),
    );
  }
  if (rule.keywords.length > 0) {
    const hits = rule.keywords.filter((k) => keywordFields(prepared, k).length > 0);
    if (hits.length === 0) return miss(`none of keywords ${rule.keywords.join(', ')}`);
    // Keywords are cues (talks, meeting, summit): one sentence holding any of them shows the rule held.
    parts.push(
      anyOf(
        hits.map((text) =>
          hit(`keyword: ${quote(text)}`, {
            kind: 'keyword',
            text,
            evidence: keywordEvidence(prepared, text),
          }),
        ),
      ),
    );
  }
  return parts.length === 0 ? { matched: true, reasons: [], terms: [], needs: [] } : allOf(parts);
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
    return miss('the article is not relevant to the watchlist');
  }
  const parts: RuleEvaluation[] = [];
  const feeds = rule.feeds ?? [];
  if (feeds.length > 0) {
    if (!feeds.includes(prepared.article.feedId)) {
      return miss(`feed ${prepared.article.feedId} is not one of ${feeds.join(', ')}`);
    }
    parts.push(
      hit(`feed: ${prepared.article.feedId}`, { kind: 'feed', id: prepared.article.feedId, evidence: [] }),
    );
  }
  const salience = rule.salience ?? 'any';
  const lists = evaluateLists(rule, prepared, salience);
  if (!lists.matched) return lists;
  parts.push(lists);
  const expression = expressionOf(rule);
  if (expression) {
    const result = evaluateExpression(expression, prepared, salience);
    if (!result.matched) return result;
    parts.push(result);
  }
  const result = allOf(parts);
  if (result.reasons.length === 0) {
    // A rule without conditions is a catch-all ("send me everything relevant"); say so in the message.
    result.reasons.push(relevantOnly ? 'every relevant article' : 'every article');
  }
  return result;
}
