/**
 * Tag one article with a compiled watchlist: actor and phase mentions with offsets into the original
 * title/text, document-level tags with their first evidence sentence, and relevance.
 */
import type { Mention, Tag, TagResult, TaggableArticle } from '../model.ts';
import type { Matcher } from './compile-watchlist.ts';
import { findPhrases, type Hit } from './find-phrases.ts';
import { foldText, originalRange, type FoldedText } from './fold-text.ts';
import { splitSentences, type Sentences } from './split-sentences.ts';
import { tokenizeText, type Tokens } from './tokenize-text.ts';

type Field = 'title' | 'text';

/** Everything known about one field of the article after the scan. */
interface FieldScan {
  field: Field;
  original: string;
  folded: FoldedText;
  tokens: Tokens;
  sentences: Sentences;
  hits: Hit[][];
  /** Per actor index, its resolved mentions (token ranges). */
  actorHits: Hit[][];
  /** Lazily built: per set, the longest hit end starting at each token (-1: none). */
  startIndex: Map<number, Int32Array>;
}

/** How many coordinated names may sit between a demonym and its noun ("Egyptian, Qatari and Emirati troops"). */
const MAX_COORDINATED = 3;
/** How many modifiers may sit between a demonym and its noun ("Israeli senior security officials"). */
const MAX_MODIFIERS = 2;

function endsStartingAt(scan: FieldScan, set: number): Int32Array {
  let index = scan.startIndex.get(set);
  if (!index) {
    index = new Int32Array(scan.tokens.count).fill(-1);
    for (const h of scan.hits[set] as Hit[]) if (h.end > (index[h.start] as number)) index[h.start] = h.end;
    scan.startIndex.set(set, index);
  }
  return index;
}

function isCapitalisedWord(scan: FieldScan, i: number): boolean {
  if (i >= scan.tokens.count || !scan.tokens.word[i]) return false;
  const c = scan.folded.text.charCodeAt(scan.tokens.start[i] as number);
  return c >= 65 && c <= 90;
}

/** Skip "and X", ", X", ", and X", "or X" (X capitalised words) after token `k`; returns the new position. */
function skipCoordination(scan: FieldScan, k: number): { at: number; coordinated: boolean } {
  const t = scan.tokens;
  let coordinated = false;
  for (let n = 0; n < MAX_COORDINATED && k < t.count; n++) {
    let j = k;
    if (t.lower[j] === ',') j++;
    if (t.lower[j] === 'and' || t.lower[j] === 'or') j++;
    if (j === k || !isCapitalisedWord(scan, j)) break;
    while (isCapitalisedWord(scan, j)) j++;
    k = j;
    coordinated = true;
  }
  return { at: k, coordinated };
}

/** Demonym + government noun: "Turkish troops", "Qatari and Emirati troops" (span: demonym only then). */
function demonymMentions(scan: FieldScan, matcher: Matcher, set: number): Hit[] {
  const nouns = endsStartingAt(scan, matcher.vocabulary.governmentNouns);
  const modifiers = endsStartingAt(scan, matcher.vocabulary.governmentModifiers);
  const out: Hit[] = [];
  for (const h of scan.hits[set] as Hit[]) {
    const { at, coordinated } = skipCoordination(scan, h.end);
    let k = at;
    for (let n = 0; n <= MAX_MODIFIERS && k < scan.tokens.count; n++) {
      const nounEnd = nouns[k] as number;
      if (nounEnd > 0) {
        out.push(coordinated ? h : { start: h.start, end: nounEnd });
        break;
      }
      const modifierEnd = modifiers[k] as number;
      if (modifierEnd < 0) break;
      k = modifierEnd;
    }
  }
  return out;
}

function isPossessive(scan: FieldScan, k: number): boolean {
  return scan.tokens.lower[k] === "'" && (k + 1 >= scan.tokens.count || scan.tokens.lower[k + 1] === 's');
}

/** Capital standing for its government: "Ankara's", "Cairo said", not "talks in Cairo". */
function capitalMentions(scan: FieldScan, matcher: Matcher, set: number): Hit[] {
  const verbs = endsStartingAt(scan, matcher.vocabulary.governmentVerbs);
  const locatives = endsStartingAt(scan, matcher.vocabulary.locativeWords);
  const out: Hit[] = [];
  for (const h of scan.hits[set] as Hit[]) {
    if (h.start > 0 && locatives[h.start - 1] === h.start) continue;
    if (isPossessive(scan, h.end)) {
      out.push(h);
      continue;
    }
    const { at } = skipCoordination(scan, h.end);
    if (at < scan.tokens.count && (verbs[at] as number) > 0) out.push(h);
  }
  return out;
}

/** "US"/"U.S." before a lower-case word count only before a government noun or a function word. */
function modifierMentions(scan: FieldScan, matcher: Matcher, set: number): Hit[] {
  const v = matcher.vocabulary;
  const keeps = [v.governmentNouns, v.governmentModifiers, v.governmentVerbs, v.functionWords].map((s) =>
    endsStartingAt(scan, s),
  );
  const out: Hit[] = [];
  for (const h of scan.hits[set] as Hit[]) {
    const k = h.end;
    const t = scan.tokens;
    const lowerWordFollows =
      k < t.count &&
      t.word[k] === 1 &&
      !t.newlineBefore[k] &&
      /[a-z]/.test(scan.folded.text[t.start[k] as number] ?? '');
    if (!lowerWordFollows || keeps.some((index) => (index[k] as number) > 0)) out.push(h);
  }
  return out;
}

/** Leftmost-longest: sort by start, longer first, keep what does not overlap a kept hit. */
function leftmostLongest(hits: Hit[]): Hit[] {
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Hit[] = [];
  let reach = -1;
  for (const h of hits) {
    if (h.start < reach) continue;
    kept.push(h);
    reach = h.end;
  }
  return kept;
}

function resolveActors(scan: FieldScan, matcher: Matcher): void {
  scan.actorHits = matcher.actors.map((a) => {
    const candidates = [
      ...(scan.hits[a.alias] as Hit[]),
      ...modifierMentions(scan, matcher, a.modifier),
      ...demonymMentions(scan, matcher, a.demonym),
      ...capitalMentions(scan, matcher, a.capital),
    ];
    const excluded = scan.hits[a.exclude] as Hit[];
    const allowed =
      excluded.length === 0
        ? candidates
        : candidates.filter((c) => !excluded.some((x) => x.start <= c.start && c.end <= x.end));
    return leftmostLongest(allowed);
  });
}

function scanField(field: Field, original: string, matcher: Matcher): FieldScan {
  const folded = foldText(original);
  const tokens = tokenizeText(folded.text);
  const scan: FieldScan = {
    field,
    original,
    folded,
    tokens,
    sentences: splitSentences(folded.text, tokens),
    hits: findPhrases(folded.text, tokens, matcher),
    actorHits: [],
    startIndex: new Map(),
  };
  resolveActors(scan, matcher);
  return scan;
}

/** Original [start, end) of a token range. */
function charRange(scan: FieldScan, first: number, endToken: number): [number, number] {
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
  // Include closing punctuation/quotes up to the next line break for a readable snippet.
  let end = e;
  while (
    end < scan.original.length &&
    !/[\r\n]/.test(scan.original[end] as string) &&
    /["'”’)\]]/.test(scan.original[end] as string)
  )
    end++;
  return scan.original.slice(s, end).trim();
}

function mentionOf(scan: FieldScan, kind: 'actor' | 'phase', id: string, hit: Hit): Mention {
  const [start, end] = charRange(scan, hit.start, hit.end);
  return {
    kind,
    id,
    field: scan.field,
    start,
    end,
    text: scan.original.slice(start, end),
    sentence: sentenceText(scan, scan.sentences.ofToken[hit.start] as number),
  };
}

/** Sentences (by index) holding at least one hit of `set`. */
function sentencesWith(scan: FieldScan, hits: Hit[]): Set<number> {
  const out = new Set<number>();
  for (const h of hits) out.add(scan.sentences.ofToken[h.start] as number);
  return out;
}

/** Phase hits of one field (token ranges), by phase index. */
function findPhaseHits(scan: FieldScan, matcher: Matcher, published: string | null | undefined): Hit[][] {
  const contextSentences = sentencesWith(scan, scan.hits[matcher.phaseContext] as Hit[]);
  const inContext = (h: Hit): boolean => {
    const s = scan.sentences.ofToken[h.start] as number;
    return contextSentences.has(s) || contextSentences.has(s - 1) || contextSentences.has(s + 1);
  };
  const day = published ? published.slice(0, 10) : null;
  return matcher.phases.map((phase) => {
    const hits: Hit[] = (scan.hits[phase.names] as Hit[]).filter(inContext);
    for (const dated of phase.dated) {
      if (day !== null && day >= dated.publishedBefore) continue;
      hits.push(...(scan.hits[dated.set] as Hit[]).filter(inContext));
    }
    for (const element of phase.elements) {
      const [firstGroup, ...otherGroups] = element.all;
      if (firstGroup === undefined) continue;
      const others = otherGroups.map((g) => sentencesWith(scan, scan.hits[g] as Hit[]));
      const cancelled = sentencesWith(scan, scan.hits[element.none] as Hit[]);
      const context =
        element.context === null ? null : sentencesWith(scan, scan.hits[element.context] as Hit[]);
      for (const h of scan.hits[firstGroup] as Hit[]) {
        const s = scan.sentences.ofToken[h.start] as number;
        if (cancelled.has(s) || !others.every((group) => group.has(s))) continue;
        if (context === null || context.has(s) || context.has(s - 1)) hits.push(h);
      }
    }
    for (const actor of phase.impliedBy) hits.push(...(scan.actorHits[actor] as Hit[]));
    return leftmostLongest(hits);
  });
}

function isRelevant(title: FieldScan, text: FieldScan, matcher: Matcher): boolean {
  const r = matcher.relevance;
  const anchorSentences = (scan: FieldScan): Set<number> => {
    const out = sentencesWith(scan, scan.hits[r.anchors] as Hit[]);
    for (const a of r.anchorActors)
      for (const s of sentencesWith(scan, scan.actorHits[a] as Hit[])) out.add(s);
    return out;
  };
  const textAnchors = anchorSentences(text);
  const textTopics = sentencesWith(text, text.hits[r.topics] as Hit[]);
  let onTopic = 0;
  for (const s of textAnchors) if (textTopics.has(s)) onTopic++;
  const sentenceCount = text.sentences.firstToken.length;
  if (sentenceCount > 0 && onTopic / sentenceCount >= r.minShare) return true;
  return anchorSentences(title).size > 0 && onTopic >= r.titleMinSentences;
}

function tagsOf(mentions: Mention[], kind: 'actor' | 'phase'): Tag[] {
  const byId = new Map<string, Tag>();
  for (const m of mentions) {
    if (m.kind !== kind) continue;
    const tag = byId.get(m.id);
    if (tag) tag.count++;
    else byId.set(m.id, { id: m.id, count: 1, evidence: m.sentence });
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Tag an article: actors, phases and relevance, with every mention's offsets into the original field.
 * Phases need a relevant article (GUIDELINES.md 3: phase labels need the Gaza-ceasefire context).
 *
 * @example
 * const result = tagArticle({ title: 'Ankara says ...', text: '...' }, matcher);
 * result.actors // [{ id: 'turkey', count: 1, evidence: 'Ankara says ...' }]
 * result.mentions[0] // { kind: 'actor', id: 'turkey', field: 'title', start: 0, end: 6, text: 'Ankara', ... }
 */
export function tagArticle(article: TaggableArticle, matcher: Matcher): TagResult {
  const scans = [
    scanField('title', article.title, matcher),
    scanField('text', article.text, matcher),
  ] as const;
  const relevant = isRelevant(scans[0], scans[1], matcher);
  const mentions: Mention[] = [];
  for (const scan of scans) {
    matcher.actors.forEach((actor, i) => {
      for (const h of scan.actorHits[i] as Hit[]) mentions.push(mentionOf(scan, 'actor', actor.id, h));
    });
    if (relevant) {
      findPhaseHits(scan, matcher, article.published).forEach((hits, i) => {
        const id = (matcher.phases[i] as { id: string }).id;
        for (const h of hits) mentions.push(mentionOf(scan, 'phase', id, h));
      });
    }
  }
  mentions.sort(
    (a, b) =>
      (a.field === b.field ? 0 : a.field === 'title' ? -1 : 1) ||
      a.start - b.start ||
      a.end - b.end ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { relevant, actors: tagsOf(mentions, 'actor'), phases: tagsOf(mentions, 'phase'), mentions };
}
