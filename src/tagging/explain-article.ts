/**
 * Why each tag was given or refused: the first thing an analyst asks when a tag is wrong. Built on
 * `analyseArticle` — the same pass `tagArticle` runs, with refusals recorded — so the given tags of an
 * explanation are exactly tagArticle's.
 */
import type { TaggableArticle } from '../model.ts';
import {
  analyseArticle,
  type Candidate,
  type MentionRule,
  type RelevanceDecision,
} from './analyse-article.ts';
import type { Matcher } from './compile-watchlist.ts';
import { mentionOf, tagResultOf } from './tag-article.ts';

export interface ExplainedMention {
  field: 'title' | 'text';
  /** UTF-16 offsets into the original field. */
  start: number;
  end: number;
  text: string;
  sentence: string;
  rule: MentionRule;
  /** Office dates, element name or implying actor, when the rule has one. */
  detail: string | null;
}

export interface RefusedMention extends ExplainedMention {
  reason: string;
}

export interface ExplainedTag {
  kind: 'actor' | 'phase';
  id: string;
  name: string;
  given: boolean;
  count: number;
  inTitle: boolean;
  inLead: boolean;
  /** Given mentions (empty when refused). */
  mentions: ExplainedMention[];
  /** Candidates that did not count, with the reason. */
  refused: RefusedMention[];
}

export interface Explanation {
  watchlistId: string;
  relevant: boolean;
  relevance: RelevanceDecision;
  /** Every actor and phase with a given mention or a refused candidate, in watchlist order. */
  tags: ExplainedTag[];
}

/**
 * Explain an article's tags: for every actor and phase of the watchlist that had any candidate,
 * whether it was given (with its mentions and rules) or refused (with reasons), and the relevance numbers.
 *
 * @example
 * const explanation = explainArticle({ title: '', text: 'Defence Minister Israel Katz said.' }, matcher);
 * explanation.tags.find((t) => t.id === 'israel')?.refused[0]?.reason // 'inside "Israel Katz", an exclusion'
 */
export function explainArticle(article: TaggableArticle, matcher: Matcher): Explanation {
  const analysis = analyseArticle(article, matcher, true);
  const result = tagResultOf(analysis, matcher);
  const scanOf = (c: Candidate) => (c.field === 'title' ? analysis.title : analysis.text);
  const describe = (c: Candidate, id: string): ExplainedMention => {
    const m = mentionOf(scanOf(c), id, c);
    return {
      field: m.field,
      start: m.start,
      end: m.end,
      text: m.text,
      sentence: m.sentence,
      rule: c.rule,
      detail: c.detail,
    };
  };
  const byPosition = (a: ExplainedMention, b: ExplainedMention): number =>
    (a.field === b.field ? 0 : a.field === 'title' ? -1 : 1) || a.start - b.start || a.end - b.end;

  const build = (
    kind: 'actor' | 'phase',
    entries: readonly { id: string; name: string }[],
    given: Candidate[][],
  ): ExplainedTag[] => {
    const tags = kind === 'actor' ? result.actors : result.phases;
    const out: ExplainedTag[] = [];
    entries.forEach((entry, index) => {
      const mentions = (given[index] as Candidate[]).map((c) => describe(c, entry.id)).sort(byPosition);
      const seen = new Set<string>();
      const refused: RefusedMention[] = [];
      for (const c of analysis.refused) {
        if (c.kind !== kind || c.index !== index) continue;
        const key = `${c.field}:${c.start}:${c.end}:${c.refused}`;
        if (seen.has(key)) continue;
        seen.add(key);
        refused.push({ ...describe(c, entry.id), reason: c.refused as string });
      }
      refused.sort(byPosition);
      if (mentions.length === 0 && refused.length === 0) return;
      const tag = tags.find((t) => t.id === entry.id);
      out.push({
        kind,
        id: entry.id,
        name: entry.name,
        given: mentions.length > 0,
        count: tag?.count ?? 0,
        inTitle: tag?.inTitle ?? false,
        inLead: tag?.inLead ?? false,
        mentions,
        refused,
      });
    });
    return out;
  };

  return {
    watchlistId: matcher.watchlistId,
    relevant: analysis.relevance.relevant,
    relevance: analysis.relevance,
    tags: [
      ...build('actor', matcher.actors, analysis.actors),
      ...build('phase', matcher.phases, analysis.phases),
    ],
  };
}

/**
 * The explanation as text, one line per tag and one indented line per mention or refusal.
 *
 * @example
 * formatExplanation(explainArticle(article, matcher))
 * // + actor hakan-fidan  "Turkish Foreign Minister Hakan Fidan" (alias) [title, lead]
 * // - actor israel  refused: "Israel" inside "Israel Katz", an exclusion
 */
export function formatExplanation(explanation: Explanation, id?: string | number | null): string {
  const lines: string[] = [];
  const r = explanation.relevance;
  const head = id === undefined || id === null ? 'article' : `article ${id}`;
  lines.push(
    `${head}: ${r.relevant ? 'RELEVANT' : 'not relevant'} — ${r.onTopicSentences}/${r.textSentences} ` +
      `text sentences on topic (share ${r.share.toFixed(2)} vs minShare ${r.minShare}); title anchor: ` +
      `${r.titleAnchor ? 'yes' : 'no'} (with ≥ ${r.titleMinSentences} on-topic sentence(s) it suffices)`,
  );
  for (const tag of explanation.tags) {
    if (tag.given) {
      const salience = [tag.inTitle ? 'title' : '', tag.inLead ? 'lead' : ''].filter(Boolean).join(', ');
      const shown = tag.mentions
        .slice(0, 3)
        .map((m) => `"${m.text}" (${m.rule}${m.detail ? ` ${m.detail}` : ''})`)
        .join(', ');
      const more = tag.mentions.length > 3 ? `, … ${tag.mentions.length - 3} more` : '';
      lines.push(
        `+ ${tag.kind} ${tag.id}  ${shown}${more}  ×${tag.count}${salience ? ` [${salience}]` : ''}`,
      );
      for (const m of tag.refused) lines.push(`    also refused: "${m.text}" ${m.reason}`);
    } else {
      const [first, ...rest] = tag.refused;
      if (!first) continue;
      lines.push(`- ${tag.kind} ${tag.id}  refused: "${first.text}" ${first.reason}`);
      for (const m of rest) lines.push(`    refused: "${m.text}" ${m.reason}`);
    }
  }
  return lines.join('\n');
}
