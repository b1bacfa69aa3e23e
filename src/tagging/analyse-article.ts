/**
 * The tagger's one decision procedure, shared by `tagArticle` (which keeps what was given) and
 * `explainArticle` (which also keeps what was refused and why). Both call `analyseArticle`; only the
 * `trace` flag differs, and it only adds records — it never changes a decision — so a tag and its
 * explanation cannot disagree.
 */
import type { TaggableArticle } from '../model.ts';
import type { ActorSets, Matcher } from './compile-watchlist.ts';
import { findPhrases, matchAt, type Hit } from './find-phrases.ts';
import { foldText, type FoldedText } from './fold-text.ts';
import { splitSentences, type Sentences } from './split-sentences.ts';
import { POSSESSIVE, tokenText, tokenizeText, type Tokens } from './tokenize-text.ts';

export type Field = 'title' | 'text';

/** Why a mention was given. */
export type MentionRule =
  | 'alias'
  | 'office'
  | 'demonym'
  | 'capital'
  | 'modifier'
  | 'surname-after-full-name'
  | 'phase-name'
  | 'phase-dated-name'
  | 'phase-element'
  | 'implied-by-actor';

/** One candidate mention: a token range of one field, the rule that proposed it, and its fate. */
export interface Candidate {
  kind: 'actor' | 'phase';
  /** Index into `matcher.actors` or `matcher.phases`. */
  index: number;
  field: Field;
  start: number;
  end: number;
  rule: MentionRule;
  /** The office's dates, the element's name, the implying actor's id … (for people). */
  detail: string | null;
  /** Null when given; otherwise why not. */
  refused: string | null;
}

/** Everything known about one field of the article after the scan. */
export interface FieldScan {
  field: Field;
  original: string;
  folded: FoldedText;
  tokens: Tokens;
  sentences: Sentences;
  hits: Hit[][];
}

export interface RelevanceDecision {
  relevant: boolean;
  /** Text sentences with an anchor (or anchor actor) and a topic term. */
  onTopicSentences: number;
  textSentences: number;
  share: number;
  minShare: number;
  /** The title has an anchor term or anchor actor. */
  titleAnchor: boolean;
  titleMinSentences: number;
}

export interface Analysis {
  title: FieldScan;
  text: FieldScan;
  /** Given actor mentions per actor index (title first, then text, each leftmost-longest). */
  actors: Candidate[][];
  /** Given phase mentions per phase index (empty when the article is not relevant). */
  phases: Candidate[][];
  relevance: RelevanceDecision;
  /** Refused candidates; filled only when traced. */
  refused: Candidate[];
}

/** How many coordinated names may sit between a demonym and its noun ("Egyptian, Qatari and Emirati troops"). */
const MAX_COORDINATED = 3;
/** How many modifiers may sit between a demonym and its noun ("Israeli senior security officials"). */
const MAX_MODIFIERS = 2;

/** End of the longest vocabulary phrase of `set` at token `k`, or -1. */
function vocabularyAt(scan: FieldScan, matcher: Matcher, set: number, k: number): number {
  if (k < 0 || k >= scan.tokens.count) return -1;
  return matchAt(scan.folded.text, scan.tokens, matcher.vocabularyRoot, set, k);
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

/** Demonym + government noun: the noun's end, or -1 ("Turkish time"). */
function demonymNounEnd(scan: FieldScan, matcher: Matcher, h: Hit): { end: number; coordinated: boolean } {
  const v = matcher.vocabulary;
  const { at, coordinated } = skipCoordination(scan, h.end);
  let k = at;
  for (let n = 0; n <= MAX_MODIFIERS && k < scan.tokens.count; n++) {
    const nounEnd = vocabularyAt(scan, matcher, v.governmentNouns, k);
    if (nounEnd > 0) return { end: nounEnd, coordinated };
    const modifierEnd = vocabularyAt(scan, matcher, v.governmentModifiers, k);
    if (modifierEnd < 0) break;
    k = modifierEnd;
  }
  return { end: -1, coordinated };
}

/** Capital standing for its government: null when it does ("Ankara's", "Cairo said"), else why not. */
function capitalRefusal(scan: FieldScan, matcher: Matcher, h: Hit): string | null {
  if (h.start > 0 && vocabularyAt(scan, matcher, matcher.vocabulary.locativeWords, h.start - 1) === h.start)
    return `is a place, not the government (after "${tokenText(scan.folded.text, scan.tokens, h.start - 1)}")`;
  if (scan.tokens.lower[h.end] === POSSESSIVE) return null;
  const { at } = skipCoordination(scan, h.end);
  if (vocabularyAt(scan, matcher, matcher.vocabulary.governmentVerbs, at) > 0) return null;
  return 'is a place, not the government (no government verb or possessive after it)';
}

/** "US"/"U.S." before a lower-case word count only before a government noun or a function word. */
function modifierRefusal(scan: FieldScan, matcher: Matcher, h: Hit): string | null {
  const v = matcher.vocabulary;
  const k = h.end;
  const t = scan.tokens;
  const lowerWordFollows =
    k < t.count &&
    t.word[k] === 1 &&
    !t.newlineBefore[k] &&
    ((c) => c >= 97 && c <= 122)(scan.folded.text.charCodeAt(t.start[k] as number));
  if (!lowerWordFollows) return null;
  for (const set of [v.governmentNouns, v.governmentModifiers, v.governmentVerbs, v.functionWords])
    if (vocabularyAt(scan, matcher, set, k) > 0) return null;
  return `before "${tokenText(scan.folded.text, t, k)}", which is not a government word (a private body or a pronoun)`;
}

/** Leftmost-longest: sort by start, longer first, keep what does not overlap a kept candidate. */
function leftmostLongest(candidates: Candidate[]): Candidate[] {
  if (candidates.length < 2) return candidates;
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Candidate[] = [];
  let reach = -1;
  for (const c of candidates) {
    if (c.start < reach) continue;
    kept.push(c);
    reach = c.end;
  }
  return kept;
}

function scanField(field: Field, original: string, matcher: Matcher): FieldScan {
  const folded = foldText(original);
  const tokens = tokenizeText(folded.text, matcher.words);
  return {
    field,
    original,
    folded,
    tokens,
    sentences: splitSentences(folded.text, tokens),
    hits: findPhrases(folded.text, tokens, matcher),
  };
}

/** The article's day (YYYY-MM-DD) or null when undated. */
function dayOf(published: string | null | undefined): string | null {
  return published && /^\d{4}-\d{2}-\d{2}/.test(published) ? published.slice(0, 10) : null;
}

/**
 * Whether an office is held on `day`. An undated article is read as current: the holder whose office
 * has no end date (the latest one).
 */
function officeHeld(office: { from: string; to: string | null }, day: string | null): boolean {
  if (day === null) return office.to === null;
  return office.from <= day && (office.to === null || day < office.to);
}

function quoted(scan: FieldScan, h: Hit): string {
  return `"${scan.folded.text.slice(scan.tokens.start[h.start], scan.tokens.end[h.end - 1])}"`;
}

/** One actor candidate: into `out` when given (and outside every exclusion), else into `trace`. */
function addActor(
  out: Candidate[],
  trace: Candidate[] | null,
  scan: FieldScan,
  excluded: Hit[],
  index: number,
  h: Hit,
  rule: MentionRule,
  detail: string | null,
  refused: string | null,
): void {
  if (refused === null && excluded.length > 0) {
    const x = excluded.find((e) => e.start <= h.start && h.end <= e.end);
    if (x) refused = `is inside ${quoted(scan, x)}, an exclusion`;
  }
  const c: Candidate = {
    kind: 'actor',
    index,
    field: scan.field,
    start: h.start,
    end: h.end,
    rule,
    detail,
    refused,
  };
  if (refused === null) out.push(c);
  else trace?.push(c);
}

/** Candidates of one actor in one field, surnames aside; refused ones go to `trace`. */
function actorCandidates(
  scan: FieldScan,
  matcher: Matcher,
  index: number,
  day: string | null,
  trace: Candidate[] | null,
): Candidate[] {
  const a = matcher.actors[index] as ActorSets;
  const out: Candidate[] = [];
  const excluded = scan.hits[a.exclude] as Hit[];
  for (const h of scan.hits[a.alias] as Hit[])
    addActor(out, trace, scan, excluded, index, h, 'alias', null, null);
  for (const h of scan.hits[a.modifier] as Hit[])
    addActor(out, trace, scan, excluded, index, h, 'modifier', null, modifierRefusal(scan, matcher, h));
  for (const h of scan.hits[a.demonym] as Hit[]) {
    const { end, coordinated } = demonymNounEnd(scan, matcher, h);
    if (end < 0) {
      const next = tokenText(scan.folded.text, scan.tokens, h.end);
      addActor(
        out,
        trace,
        scan,
        excluded,
        index,
        h,
        'demonym',
        null,
        `is not followed by a government noun${next ? ` ("${next}")` : ''}`,
      );
    } else
      addActor(
        out,
        trace,
        scan,
        excluded,
        index,
        coordinated ? h : { start: h.start, end },
        'demonym',
        null,
        null,
      );
  }
  for (const h of scan.hits[a.capital] as Hit[])
    addActor(out, trace, scan, excluded, index, h, 'capital', null, capitalRefusal(scan, matcher, h));
  for (const office of a.offices) {
    const range = `${office.from}..${office.to ?? ''}`;
    const held = officeHeld(office, day);
    for (const h of scan.hits[office.set] as Hit[])
      addActor(
        out,
        trace,
        scan,
        excluded,
        index,
        h,
        'office',
        range,
        held
          ? null
          : `is a title whose office (${range}) is not held on ${day ?? 'an undated article (read as today)'}`,
      );
  }
  // Exclusions that no candidate sits in are confusables worth showing ("Emir Tamim … Al Thani").
  if (trace)
    for (const x of excluded)
      if (
        !trace.some(
          (c) => c.index === index && c.field === scan.field && c.start >= x.start && c.end <= x.end,
        )
      )
        trace.push({
          kind: 'actor',
          index,
          field: scan.field,
          ...x,
          rule: 'alias',
          detail: null,
          refused: 'is an exclusion (a listed look-alike)',
        });
  return out;
}

/** Surname-only candidates: given after a full mention (in the title: one anywhere in the article). */
function surnameCandidates(
  scan: FieldScan,
  index: number,
  set: number,
  fullInTitle: Candidate[],
  fullInText: Candidate[],
  trace: Candidate[] | null,
): Candidate[] {
  const out: Candidate[] = [];
  const firstFullInText = fullInText.length > 0 ? Math.min(...fullInText.map((c) => c.start)) : Infinity;
  for (const h of scan.hits[set] as Hit[]) {
    const ok =
      scan.field === 'title'
        ? fullInTitle.length > 0 || fullInText.length > 0
        : fullInTitle.length > 0 || firstFullInText < h.start;
    const c: Candidate = {
      kind: 'actor',
      index,
      field: scan.field,
      ...h,
      rule: 'surname-after-full-name',
      detail: null,
      refused: ok ? null : 'is a short name shared with others, and no full name or title comes before it',
    };
    if (ok) out.push(c);
    else trace?.push(c);
  }
  return out;
}

function hasAnyHit(scan: FieldScan, a: ActorSets): boolean {
  const hits = scan.hits;
  if (
    (hits[a.alias] as Hit[]).length > 0 ||
    (hits[a.modifier] as Hit[]).length > 0 ||
    (hits[a.demonym] as Hit[]).length > 0 ||
    (hits[a.capital] as Hit[]).length > 0 ||
    (hits[a.afterFullName] as Hit[]).length > 0 ||
    (hits[a.exclude] as Hit[]).length > 0
  )
    return true;
  for (const o of a.offices) if ((hits[o.set] as Hit[]).length > 0) return true;
  return false;
}

/** Exclusions apply to surnames too ("Yaakov Katz"). */
function notExcluded(
  scan: FieldScan,
  a: ActorSets,
  list: Candidate[],
  trace: Candidate[] | null,
): Candidate[] {
  const excluded = scan.hits[a.exclude] as Hit[];
  if (excluded.length === 0 || list.length === 0) return list;
  return list.filter((c) => {
    const x = excluded.find((e) => e.start <= c.start && c.end <= e.end);
    if (x && trace) trace.push({ ...c, refused: `is inside ${quoted(scan, x)}, an exclusion` });
    return !x;
  });
}

function resolveActors(
  title: FieldScan,
  text: FieldScan,
  matcher: Matcher,
  day: string | null,
  trace: Candidate[] | null,
): Candidate[][] {
  return matcher.actors.map((a, i) => {
    // Most actors are absent from most articles: skip them before building any closure.
    if (!hasAnyHit(title, a) && !hasAnyHit(text, a)) return [];
    const inTitle = actorCandidates(title, matcher, i, day, trace);
    const inText = actorCandidates(text, matcher, i, day, trace);
    const surnamesInTitle = surnameCandidates(title, i, a.afterFullName, inTitle, inText, trace);
    const surnamesInText = surnameCandidates(text, i, a.afterFullName, inTitle, inText, trace);
    return [
      ...leftmostLongest([...inTitle, ...notExcluded(title, a, surnamesInTitle, trace)]),
      ...leftmostLongest([...inText, ...notExcluded(text, a, surnamesInText, trace)]),
    ];
  });
}

/** Sentences (by index) holding at least one of `hits`. */
function sentencesWith(scan: FieldScan, hits: readonly { start: number }[]): Set<number> {
  const out = new Set<number>();
  for (const h of hits) out.add(scan.sentences.ofToken[h.start] as number);
  return out;
}

/** Whether a phase context term is in the hit's sentence or an adjacent one. */
function inContext(scan: FieldScan, contextSentences: Set<number>, h: Hit): boolean {
  const s = scan.sentences.ofToken[h.start] as number;
  return contextSentences.has(s) || contextSentences.has(s - 1) || contextSentences.has(s + 1);
}

/** One phase candidate: into `given` unless refused (by its rule or by `blanket`), else into `trace`. */
function addPhase(
  given: Candidate[],
  trace: Candidate[] | null,
  scan: FieldScan,
  index: number,
  blanket: string | null,
  h: Hit,
  rule: MentionRule,
  detail: string | null,
  refused: string | null,
): void {
  if (refused === null) refused = blanket;
  const c: Candidate = {
    kind: 'phase',
    index,
    field: scan.field,
    start: h.start,
    end: h.end,
    rule,
    detail,
    refused,
  };
  if (refused === null) given.push(c);
  else trace?.push(c);
}

/** Phase candidates of one field, by phase index; refused ones go to `trace`. */
function phaseCandidates(
  scan: FieldScan,
  matcher: Matcher,
  actors: Candidate[][],
  day: string | null,
  relevant: boolean,
  trace: Candidate[] | null,
): Candidate[][] {
  const contextSentences = sentencesWith(scan, scan.hits[matcher.phaseContext] as Hit[]);
  const tooEarly = day !== null && matcher.phasesFrom !== null && day < matcher.phasesFrom;
  // Why every cue of this field is refused whatever its own rule says (null: none).
  const blanket = !relevant
    ? 'counts only in a relevant article, and this one is not'
    : tooEarly
      ? `is in an article published ${day} (before ${matcher.phasesFrom}): an earlier deal's phase`
      : null;
  return matcher.phases.map((phase, index) => {
    const given: Candidate[] = [];
    const NO_CONTEXT = 'has no ceasefire context (phaseContext) in this or an adjacent sentence';
    for (const h of scan.hits[phase.names] as Hit[])
      addPhase(
        given,
        trace,
        scan,
        index,
        blanket,
        h,
        'phase-name',
        null,
        inContext(scan, contextSentences, h) ? null : NO_CONTEXT,
      );
    for (const dated of phase.dated) {
      const range = `${dated.from ?? ''}..${dated.before ?? ''}`;
      const inRange =
        day === null ||
        ((dated.from === null || day >= dated.from) && (dated.before === null || day < dated.before));
      for (const h of scan.hits[dated.set] as Hit[])
        addPhase(
          given,
          trace,
          scan,
          index,
          blanket,
          h,
          'phase-dated-name',
          range,
          !inRange
            ? `means this phase only in articles published ${range}, not ${day}`
            : inContext(scan, contextSentences, h)
              ? null
              : NO_CONTEXT,
        );
    }
    if (trace)
      for (const h of scan.hits[phase.lookalikes] as Hit[])
        trace.push({
          kind: 'phase',
          index,
          field: scan.field,
          ...h,
          rule: 'phase-name',
          detail: null,
          refused: 'is a look-alike (plural or unspecified), not this phase',
        });
    for (const element of phase.elements) {
      const [firstGroup, ...otherGroups] = element.all;
      const firstHits = firstGroup === undefined ? [] : (scan.hits[firstGroup] as Hit[]);
      if (firstHits.length === 0) continue;
      const others = otherGroups.map((g) => sentencesWith(scan, scan.hits[g] as Hit[]));
      const cancelled = sentencesWith(scan, scan.hits[element.none] as Hit[]);
      const context =
        element.context === null ? null : sentencesWith(scan, scan.hits[element.context] as Hit[]);
      for (const h of firstHits) {
        const s = scan.sentences.ofToken[h.start] as number;
        // A cue without the rest of its element is not a candidate at all (every "aid" would be one).
        if (!others.every((group) => group.has(s))) continue;
        let refused: string | null = null;
        if (cancelled.has(s))
          refused = `is element ${element.name}, cancelled by a dating term in the sentence (none)`;
        else if (context !== null && !context.has(s) && !context.has(s - 1))
          refused = `is element ${element.name}, but the deal is not named in this or the previous sentence`;
        addPhase(given, trace, scan, index, blanket, h, 'phase-element', element.name, refused);
      }
    }
    for (const actor of phase.impliedBy)
      for (const c of actors[actor] as Candidate[])
        if (c.field === scan.field)
          addPhase(
            given,
            trace,
            scan,
            index,
            blanket,
            c,
            'implied-by-actor',
            (matcher.actors[actor] as ActorSets).id,
            null,
          );
    return leftmostLongest(given);
  });
}

/** Sentences with an anchor term or an anchor actor's mention. */
function anchorSentences(scan: FieldScan, matcher: Matcher, actors: Candidate[][]): Set<number> {
  const r = matcher.relevance;
  const out = sentencesWith(scan, scan.hits[r.anchors] as Hit[]);
  for (const a of r.anchorActors)
    for (const c of actors[a] as Candidate[])
      if (c.field === scan.field) out.add(scan.sentences.ofToken[c.start] as number);
  return out;
}

function decideRelevance(
  title: FieldScan,
  text: FieldScan,
  matcher: Matcher,
  actors: Candidate[][],
): RelevanceDecision {
  const r = matcher.relevance;
  const textAnchors = anchorSentences(text, matcher, actors);
  const textTopics = sentencesWith(text, text.hits[r.topics] as Hit[]);
  let onTopic = 0;
  for (const s of textAnchors) if (textTopics.has(s)) onTopic++;
  const textSentences = text.sentences.firstToken.length;
  const share = textSentences > 0 ? onTopic / textSentences : 0;
  const titleAnchor = anchorSentences(title, matcher, actors).size > 0;
  const relevant =
    (textSentences > 0 && share >= r.minShare) || (titleAnchor && onTopic >= r.titleMinSentences);
  return {
    relevant,
    onTopicSentences: onTopic,
    textSentences,
    share,
    minShare: r.minShare,
    titleAnchor,
    titleMinSentences: r.titleMinSentences,
  };
}

/**
 * Scan an article once and decide every actor, phase and the relevance; with `trace`, also collect
 * the refused candidates with their reasons (the decisions are the same either way).
 *
 * @example
 * const analysis = analyseArticle({ title, text, published }, matcher, false);
 * analysis.actors[0] // the given mentions of the watchlist's first actor
 */
export function analyseArticle(article: TaggableArticle, matcher: Matcher, trace: boolean): Analysis {
  const title = scanField('title', article.title, matcher);
  const text = scanField('text', article.text, matcher);
  const refused: Candidate[] | null = trace ? [] : null;
  const day = dayOf(article.published);
  const actors = resolveActors(title, text, matcher, day, refused);
  const relevance = decideRelevance(title, text, matcher, actors);
  let phases: Candidate[][];
  if (relevance.relevant || trace) {
    const inTitle = phaseCandidates(title, matcher, actors, day, relevance.relevant, refused);
    const inText = phaseCandidates(text, matcher, actors, day, relevance.relevant, refused);
    phases = inTitle.map((list, i) => [...list, ...(inText[i] as Candidate[])]);
  } else phases = matcher.phases.map(() => []);
  return { title, text, actors, phases, relevance, refused: refused ?? [] };
}
