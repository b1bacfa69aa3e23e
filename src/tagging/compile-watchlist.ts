/**
 * Compile a validated Watchlist once into a Matcher: every phrase of the file (aliases, demonyms,
 * capitals, exclusions, vocabulary, phase cues, relevance terms) goes into one word-level trie, so an
 * article is scanned once whatever the size of the watchlist.
 *
 * Why a word trie and not one big RegExp: whole-word matching falls out of the tokenizer for every script
 * (a RegExp `\b` is ASCII-only, and Unicode-aware boundaries cost ~6× — shared/FACTS.md "Matching"), the
 * case rule can differ per phrase in the same pass, and all overlapping candidates come back so each
 * actor can resolve its own leftmost-longest match while a name nested in another actor's title still counts.
 */
import { foldText } from './fold-text.ts';
import { tokenizeText } from './tokenize-text.ts';
import type { Watchlist } from './watchlist.ts';

/** One phrase as compiled: its tokens and case rule, and the set (list of the watchlist) it belongs to. */
export interface CompiledPhrase {
  set: number;
  /** Lower-cased tokens; `*` is a one-word wildcard. */
  tokens: string[];
  /** Per token, the accepted spellings when the phrase is case-sensitive (null: any case). */
  spellings: (readonly string[])[] | null;
  /** The phrase as written in the watchlist (for debugging and tests). */
  source: string;
}

export interface TrieNode {
  next: Map<string, TrieNode>;
  wildcard: TrieNode | null;
  hits: CompiledPhrase[];
}

export interface ActorSets {
  id: string;
  kind: string;
  alias: number;
  modifier: number;
  demonym: number;
  capital: number;
  exclude: number;
}

export interface PhaseSets {
  id: string;
  names: number;
  dated: { set: number; publishedBefore: string }[];
  elements: { name: string; all: number[]; none: number; context: number | null }[];
  /** Indices into `Matcher.actors`. */
  impliedBy: number[];
}

/** A compiled watchlist; build it once per watchlist version and share it between articles. */
export interface Matcher {
  watchlistId: string;
  root: TrieNode;
  /** Number of phrase sets (hits are bucketed by set). */
  setCount: number;
  actors: ActorSets[];
  phases: PhaseSets[];
  vocabulary: {
    governmentNouns: number;
    governmentModifiers: number;
    governmentVerbs: number;
    functionWords: number;
    locativeWords: number;
  };
  phaseContext: number;
  relevance: {
    anchors: number;
    topics: number;
    /** Indices into `actors`. */
    anchorActors: number[];
    minShare: number;
    titleMinSentences: number;
  };
}

const WILDCARD_WORD = 'zzwildcardzz';

function capitalise(token: string): string {
  return token.charAt(0).toUpperCase() + token.slice(1);
}

/** Tokenize one watchlist phrase with the same folding and tokenizer as article text. */
function compilePhrase(source: string, set: number): CompiledPhrase {
  const folded = foldText(source.replaceAll('*', ` ${WILDCARD_WORD} `)).text;
  const toks = tokenizeText(folded);
  const raw: string[] = [];
  for (let i = 0; i < toks.count; i++) raw.push(folded.slice(toks.start[i], toks.end[i]));
  const tokens = toks.lower.map((t) => (t === WILDCARD_WORD ? '*' : t));
  // A phrase with a capital is a proper name: as written, in capitals, or each word capitalised.
  const cased = /[A-Z]/.test(folded.replaceAll(WILDCARD_WORD, ''));
  const spellings = cased
    ? raw.map((t) => (t === WILDCARD_WORD ? [] : [...new Set([t, t.toUpperCase(), capitalise(t)])]))
    : null;
  return { set, tokens, spellings, source };
}

function insert(root: TrieNode, phrase: CompiledPhrase): void {
  let node = root;
  for (const token of phrase.tokens) {
    if (token === '*') {
      node.wildcard ??= { next: new Map(), wildcard: null, hits: [] };
      node = node.wildcard;
      continue;
    }
    let child = node.next.get(token);
    if (!child) {
      child = { next: new Map(), wildcard: null, hits: [] };
      node.next.set(token, child);
    }
    node = child;
  }
  node.hits.push(phrase);
}

/**
 * Compile a watchlist into a Matcher (pure; ~1 ms for the shipped watchlist).
 *
 * @example
 * const matcher = compileWatchlist(parseWatchlist(yamlText, 'config/watchlists/gaza-ceasefire.yaml'));
 * const tags = tagArticle({ title, text }, matcher);
 */
export function compileWatchlist(watchlist: Watchlist): Matcher {
  const root: TrieNode = { next: new Map(), wildcard: null, hits: [] };
  let setCount = 0;
  const addSet = (phrases: readonly string[]): number => {
    const set = setCount++;
    for (const p of phrases) {
      const compiled = compilePhrase(p, set);
      if (compiled.tokens.length > 0) insert(root, compiled);
    }
    return set;
  };

  const v = watchlist.vocabulary;
  const vocabulary = {
    governmentNouns: addSet(v.governmentNouns),
    governmentModifiers: addSet(v.governmentModifiers),
    governmentVerbs: addSet(v.governmentVerbs),
    functionWords: addSet(v.functionWords),
    locativeWords: addSet(v.locativeWords),
  };
  const actors: ActorSets[] = watchlist.actors.map((a) => ({
    id: a.id,
    kind: a.kind,
    alias: addSet(a.aliases),
    modifier: addSet(a.modifierAliases),
    demonym: addSet(a.demonyms),
    capital: addSet(a.capitals),
    exclude: addSet(a.exclude),
  }));
  const actorIndex = new Map(actors.map((a, i) => [a.id, i]));
  const indexOf = (id: string): number => {
    const i = actorIndex.get(id);
    // parseWatchlist already rejects unknown ids; a hand-built Watchlist may not have been validated.
    if (i === undefined) throw new Error(`watchlist ${watchlist.id}: unknown actor id "${id}"`);
    return i;
  };
  const phases: PhaseSets[] = watchlist.phases.map((p) => ({
    id: p.id,
    names: addSet(p.names),
    dated: p.datedNames.map((d) => ({ set: addSet(d.phrases), publishedBefore: d.publishedBefore })),
    elements: p.elements.map((e) => ({
      name: e.name,
      all: e.all.map((group) => addSet(group)),
      none: addSet(e.none),
      context: e.context.length > 0 ? addSet(e.context) : null,
    })),
    impliedBy: p.impliedByActors.map(indexOf),
  }));
  const phaseContext = addSet(watchlist.phaseContext);
  const r = watchlist.relevance;
  const relevance = {
    anchors: addSet(r.anchors),
    topics: addSet(r.topics),
    anchorActors: r.anchorActors.map(indexOf),
    minShare: r.minShare,
    titleMinSentences: r.titleMinSentences,
  };
  return { watchlistId: watchlist.id, root, setCount, actors, phases, vocabulary, phaseContext, relevance };
}
