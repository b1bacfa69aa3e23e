/**
 * Tag one article with a compiled watchlist: actor and phase mentions with offsets into the original
 * title/text, document-level tags with their first evidence sentence, counts and salience, and
 * relevance. The decisions are `analyseArticle`'s (shared with `explainArticle`).
 */
import type { Mention, Tag, TagResult, TaggableArticle } from '../model.ts';
import { analyseArticle, type Candidate, type FieldScan } from './analyse-article.ts';
import type { Matcher } from './compile-watchlist.ts';
import { originalRange } from './fold-text.ts';

/**
 * Sentences that make the lead when the text has no paragraph break. Two: wire copy puts who/what/where
 * in the first sentence and the why in the second; the first paragraph of dev articles is 1–3 sentences.
 */
export const LEAD_SENTENCES = 2;

/**
 * First token after the lead: the first paragraph (up to a line break), else LEAD_SENTENCES sentences.
 *
 * @example
 * const text = 'Hamas spoke. Qatar replied. Egypt waited.';
 * leadEnd(analyseArticle({ title: '', text }, matcher, false).text) // 6: the token "Egypt"
 */
export function leadEnd(scan: FieldScan): number {
  const t = scan.tokens;
  for (let i = 1; i < t.count; i++) if (t.newlineBefore[i]) return i;
  return scan.sentences.firstToken[LEAD_SENTENCES] ?? t.count;
}

/**
 * Original [start, end) of a token range.
 *
 * @example
 * charRange(scan, mention.start, mention.end) // [12, 19]: scan.original.slice(12, 19) is the mention
 */
export function charRange(scan: FieldScan, first: number, endToken: number): [number, number] {
  return originalRange(
    scan.folded,
    scan.tokens.start[first] as number,
    scan.tokens.end[endToken - 1] as number,
  );
}

function sentenceText(scan: FieldScan, sentence: number): string {
  const [s, e] = charRange(
    scan,
    scan.sentences.firstToken[sentence] as number,
    scan.sentences.endToken[sentence] as number,
  );
  // Include opening and closing quotes/brackets on the same line for a readable snippet: a quoted
  // sentence shown without its opening quote reads as if the quote closed on nothing.
  let start = s;
  while (start > 0 && /["'“‘([«]/.test(scan.original[start - 1] as string)) start--;
  let end = e;
  while (
    end < scan.original.length &&
    !/[\r\n]/.test(scan.original[end] as string) &&
    /["'”’)\]»]/.test(scan.original[end] as string)
  )
    end++;
  return scan.original.slice(start, end).trim();
}

/**
 * A candidate as a Mention of the original field.
 *
 * @example
 * mentionOf(analysis.text, 'turkey', candidate) // { kind: 'actor', id: 'turkey', field: 'text', start, end, text, sentence }
 */
export function mentionOf(scan: FieldScan, id: string, c: Candidate): Mention {
  const [start, end] = charRange(scan, c.start, c.end);
  return {
    kind: c.kind,
    id,
    field: scan.field,
    start,
    end,
    text: scan.original.slice(start, end),
    sentence: sentenceText(scan, scan.sentences.ofToken[c.start] as number),
  };
}

function byPosition(a: Mention, b: Mention): number {
  return (
    (a.field === b.field ? 0 : a.field === 'title' ? -1 : 1) ||
    a.start - b.start ||
    a.end - b.end ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

function tagsOf(mentions: Mention[], kind: 'actor' | 'phase', leadEndChar: number): Tag[] {
  const byId = new Map<string, Tag>();
  for (const m of mentions) {
    if (m.kind !== kind) continue;
    const inTitle = m.field === 'title';
    const inLead = m.field === 'text' && m.start < leadEndChar;
    const tag = byId.get(m.id);
    if (tag) {
      tag.count++;
      tag.inTitle ||= inTitle;
      tag.inLead ||= inLead;
    } else byId.set(m.id, { id: m.id, count: 1, evidence: m.sentence, inTitle, inLead });
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Tag an article: actors, phases and relevance, with every mention's offsets into the original field.
 * Phases need a relevant article (GUIDELINES.md 2–3: phase labels need the Gaza-ceasefire context).
 *
 * @example
 * const result = tagArticle({ title: 'Ankara says ...', text: '...' }, matcher);
 * result.actors // [{ id: 'turkey', count: 1, evidence: 'Ankara says ...', inTitle: true, inLead: false }]
 * result.mentions[0] // { kind: 'actor', id: 'turkey', field: 'title', start: 0, end: 6, text: 'Ankara', ... }
 */
export function tagArticle(article: TaggableArticle, matcher: Matcher): TagResult {
  return tagResultOf(analyseArticle(article, matcher, false), matcher);
}

/**
 * The TagResult of an analysis (what tagArticle returns; explainArticle reads its counts and salience).
 *
 * @example
 * tagResultOf(analyseArticle(article, matcher, true), matcher) // equal to tagArticle(article, matcher)
 */
export function tagResultOf(
  analysis: {
    title: FieldScan;
    text: FieldScan;
    actors: Candidate[][];
    phases: Candidate[][];
    relevance: { relevant: boolean };
  },
  matcher: Matcher,
): TagResult {
  const mentions: Mention[] = [];
  analysis.actors.forEach((list, i) => {
    const id = (matcher.actors[i] as { id: string }).id;
    for (const c of list)
      mentions.push(mentionOf(c.field === 'title' ? analysis.title : analysis.text, id, c));
  });
  analysis.phases.forEach((list, i) => {
    const id = (matcher.phases[i] as { id: string }).id;
    for (const c of list)
      mentions.push(mentionOf(c.field === 'title' ? analysis.title : analysis.text, id, c));
  });
  mentions.sort(byPosition);
  const lead = leadEnd(analysis.text);
  const leadEndChar =
    lead >= analysis.text.tokens.count ? Infinity : (charRange(analysis.text, lead, lead + 1)[0] as number);
  return {
    relevant: analysis.relevance.relevant,
    actors: tagsOf(mentions, 'actor', leadEndChar),
    phases: tagsOf(mentions, 'phase', leadEndChar),
    mentions,
  };
}
