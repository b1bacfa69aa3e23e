/**
 * One alert message, composed when it is sent from every stored copy of the story: which copy is
 * featured (the earliest published that fires the rule), the evidence for this rule in it, actors and
 * phases by name, and the other copies as "also reported by". Pure: the copies, the rule and the
 * names come in as data; the same story in the same state always gives the same message, whichever
 * copy's job happened to run first, in the service and in `run --once` alike.
 */
import { withoutTracking } from '../feeds/canonical-url.ts';
import type { AlertRule, Channel, StoredArticleFields, TaggedArticle } from '../model.ts';
import { chooseEvidence } from './choose-evidence.ts';
import { evaluateRule, prepareArticle, type MatchedTerm } from './evaluate-rule.ts';
import type { RuleExpression } from './rule-expression.ts';

/** A stored copy of the story, as the store reads it back. */
export type StoryCopy = StoredArticleFields;

/** An actor or phase as a person reads it. */
export interface NamedTag {
  id: string;
  name: string;
  count: number;
}

/** One copy of the story as a message lists it: a clean link and the feed's title. */
export interface AlertSource {
  title: string;
  /** The article's link without tracking parameters. */
  url: string;
  feedId: string;
  /** The feed's title in feeds.yaml, else its id. */
  feedTitle: string;
  published: string | null;
}

export interface AlertMessage {
  ruleId: string;
  ruleDescription: string | null;
  channel: Channel;
  /** The featured copy: the earliest published copy that fires the rule. */
  article: AlertSource & { articleId: number; canonicalUrl: string; source: 'page' | 'feed' };
  /** Every actor and phase the story carries, the featured copy's first, with its counts. */
  actors: NamedTag[];
  phases: NamedTag[];
  /** Why the rule fired, in words: names, not ids. */
  reasons: string[];
  /** The sentence(s) of the featured copy holding what made the rule fire; see chooseEvidence. */
  evidence: string[];
  /** The story's other copies, earliest first. */
  otherSources: AlertSource[];
}

export interface ComposeAlertInput {
  rule: AlertRule;
  channel: Channel;
  copies: readonly StoryCopy[];
  /** Display names of actor and phase ids. */
  names: Readonly<Record<string, string>>;
  /** Titles of feed ids. */
  feedTitles: Readonly<Record<string, string>>;
}

function copyTime(copy: StoryCopy): number {
  const ms = Date.parse(copy.published ?? copy.fetchedAt);
  return Number.isNaN(ms) ? Infinity : ms;
}

/** Earliest first; a tie by canonical URL, so the order never depends on which copy was stored first. */
function byEarliest(a: StoryCopy, b: StoryCopy): number {
  return (
    copyTime(a) - copyTime(b) ||
    (a.canonicalUrl < b.canonicalUrl ? -1 : a.canonicalUrl > b.canonicalUrl ? 1 : 0)
  );
}

/** A stored article in the shape rules and the tagger's consumers take. */
export function toTaggedArticle(copy: StoredArticleFields): TaggedArticle {
  return {
    feedId: copy.feedId,
    url: copy.url,
    canonicalUrl: copy.canonicalUrl,
    title: copy.title,
    byline: copy.byline,
    lang: copy.lang,
    text: copy.text,
    published: copy.published,
    fetchedAt: copy.fetchedAt,
    source: copy.source,
    tags: { relevant: copy.relevant, actors: copy.actors, phases: copy.phases, mentions: copy.mentions },
  };
}

/**
 * A condition in words: `actor: Steve Witkoff`, `keyword: "Rafah crossing"`,
 * `"disarm" within 3 words of "weapons"`.
 */
export function describeTerm(
  term: MatchedTerm,
  names: Readonly<Record<string, string>>,
  feedTitles: Readonly<Record<string, string>>,
): string {
  switch (term.kind) {
    case 'actor':
    case 'phase':
      return `${term.kind}: ${names[term.id] ?? term.id}`;
    case 'feed':
      return `feed: ${feedTitles[term.id] ?? term.id}`;
    case 'keyword':
      return `keyword: ${JSON.stringify(term.text)}`;
    case 'near':
      return `${JSON.stringify(term.left)} within ${term.distance} word${term.distance === 1 ? '' : 's'} of ${JSON.stringify(term.right)}`;
    case 'without':
      return `without ${describeExpression(term.operand, names, feedTitles)}`;
  }
}

/** An expression in words, names for ids: `Vladimir Putin or "peace council"`. */
function describeExpression(
  expression: RuleExpression,
  names: Readonly<Record<string, string>>,
  feedTitles: Readonly<Record<string, string>>,
): string {
  const group = (inner: RuleExpression) =>
    inner.kind === 'and' || inner.kind === 'or'
      ? `(${describeExpression(inner, names, feedTitles)})`
      : describeExpression(inner, names, feedTitles);
  switch (expression.kind) {
    case 'actor':
    case 'phase':
      return names[expression.id] ?? expression.id;
    case 'feed':
      return `feed ${feedTitles[expression.id] ?? expression.id}`;
    case 'keyword':
      return JSON.stringify(expression.text);
    case 'near':
      return `${JSON.stringify(expression.left.text)} within ${expression.distance} words of ${JSON.stringify(expression.right.text)}`;
    case 'not':
      return `not ${group(expression.operand)}`;
    case 'and':
    case 'or':
      return expression.operands.map(group).join(expression.kind === 'and' ? ' and ' : ' or ');
  }
}

function source(copy: StoryCopy, feedTitles: Readonly<Record<string, string>>): AlertSource {
  return {
    title: copy.title,
    url: withoutTracking(copy.url),
    feedId: copy.feedId,
    feedTitle: feedTitles[copy.feedId] ?? copy.feedId,
    published: copy.published,
  };
}

function namedTags(
  copies: readonly StoryCopy[],
  kind: 'actors' | 'phases',
  names: Readonly<Record<string, string>>,
): NamedTag[] {
  const byId = new Map<string, NamedTag>();
  for (const copy of copies) {
    for (const tag of copy[kind]) {
      if (!byId.has(tag.id))
        byId.set(tag.id, { id: tag.id, name: names[tag.id] ?? tag.id, count: tag.count });
    }
  }
  return [...byId.values()];
}

/**
 * The message for one rule and channel about one story, or null when no copy fires the rule any more
 * (an edit took out what made it fire).
 *
 * @example
 * const message = composeAlert({ rule, channel: 'slack', copies: await listStoryArticles(db, storyId),
 *   names: ctx.names, feedTitles });
 * message?.evidence; // ['US President Donald Trump’s special envoy Steve Witkoff will hold …']
 */
export function composeAlert(input: ComposeAlertInput): AlertMessage | null {
  const { rule, channel, names, feedTitles } = input;
  const copies = [...input.copies].sort(byEarliest);
  for (const featured of copies) {
    const evaluation = evaluateRule(prepareArticle(toTaggedArticle(featured)), rule);
    if (!evaluation.matched) continue;
    const ordered = [featured, ...copies.filter((c) => c !== featured)];
    const reasons = evaluation.terms.map((t) => describeTerm(t, names, feedTitles));
    return {
      ruleId: rule.id,
      ruleDescription: rule.description ?? null,
      channel,
      article: {
        ...source(featured, feedTitles),
        articleId: featured.id,
        canonicalUrl: featured.canonicalUrl,
        source: featured.source,
      },
      actors: namedTags(ordered, 'actors', names),
      phases: namedTags(ordered, 'phases', names),
      reasons: reasons.length > 0 ? reasons : evaluation.reasons,
      evidence: chooseEvidence(evaluation.terms, evaluation.needs),
      otherSources: copies.filter((c) => c !== featured).map((c) => source(c, feedTitles)),
    };
  }
  return null;
}

/**
 * "Also reported by …" as a sentence: the other copies' feeds by title, three at most, then how many
 * more. Null when the story has no other copy.
 *
 * @example
 * alsoReportedBy([{ feedTitle: 'Regional Daily', … }]); // 'Also reported by Regional Daily.'
 * alsoReportedBy(fiveSources); // 'Also reported by Wire, Regional Daily, Aggregator and 2 other sources.'
 */
export function alsoReportedBy(others: readonly AlertSource[]): string | null {
  if (others.length === 0) return null;
  const feeds = [...new Set(others.map((o) => o.feedTitle))];
  const named = feeds.slice(0, 3);
  const rest = others.length - others.filter((o) => named.includes(o.feedTitle)).length;
  const parts = rest > 0 ? [...named, `${rest} other source${rest === 1 ? '' : 's'}`] : named;
  const list =
    parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `Also reported by ${list}.`;
}
