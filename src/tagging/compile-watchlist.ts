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
import { POSSESSIVE, tokenizeText } from './tokenize-text.ts';
import type { CaseRule, Watchlist } from './watchlist.ts';
import { buildWordTable, type WordTable } from './word-table.ts';

/** One phrase as compiled: its tokens and case rule, and the set (list of the watchlist) it belongs to. */
export interface CompiledPhrase {
  set: number;
  /** Lower-cased tokens; `*` is a one-word wildcard. */
  tokens: string[];
  /** Per token, the accepted spellings (an empty list: any case); null when no token has a rule. */
  spellings: (readonly string[])[] | null;
  /** The phrase as written in the watchlist (for debugging and tests). */
  source: string;
}

export interface TrieNode {
  /** Children by word-table id. */
  next: Map<number, TrieNode>;
  wildcard: TrieNode | null;
  hits: CompiledPhrase[];
}

export interface ActorSets {
  id: string;
  name: string;
  kind: string;
  alias: number;
  modifier: number;
  demonym: number;
  capital: number;
  exclude: number;
  afterFullName: number;
  /** Each office's titles, valid for articles published in [from, to); `to` null while in office. */
  offices: { set: number; from: string; to: string | null }[];
}

export interface PhaseSets {
  id: string;
  name: string;
  names: number;
  /** Valid for articles published in [from, before); null bounds are open. */
  dated: { set: number; from: string | null; before: string | null }[];
  lookalikes: number;
  elements: { name: string; all: number[]; none: number; context: number | null }[];
  /** Indices into `Matcher.actors`. */
  impliedBy: number[];
}

/** A compiled watchlist; build it once per watchlist version and share it between articles. */
export interface Matcher {
  watchlistId: string;
  /** Every word of every phrase (tokenize articles with it: findPhrases walks the trie by id). */
  words: WordTable;
  root: TrieNode;
  /** `root.next` as an array by word id: the lookup made for every token of every article. */
  rootByWord: (TrieNode | undefined)[];
  /**
   * The vocabulary sets (government nouns, verbs, function and locative words) in a trie of their own,
   * matched only right after a demonym, capital or modifier candidate (`matchAt`): in the main pass a
   * third of all tokens were vocabulary hits that nothing read.
   */
  vocabularyRoot: TrieNode;
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
  /** Articles published before this day get no phase (null: no limit). */
  phasesFrom: string | null;
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

/**
 * Arabic, Persian and European name particles: written "al-Thani", "Al Thani", "el-Sisi", "bin Salman",
 * "Abdel Fattah" by different outlets, so under the `proper` rule they match in any case.
 */
export const NAME_PARTICLES: ReadonlySet<string> = new Set([
  'al',
  'el',
  'bin',
  'ben',
  'bint',
  'ibn',
  'abu',
  'abd',
  'abdel',
  'abdul',
  'van',
  'von',
  'de',
  'der',
  'di',
  'da',
  'du',
  'la',
  'le',
]);

function capitalise(token: string): string {
  return token.charAt(0).toUpperCase() + token.slice(1);
}

/** Two or more letters, all capitals: an acronym ("WHO", "PA", "IDF") that must stay in capitals. */
function isAcronym(token: string): boolean {
  return token.length >= 2 && /^[A-Z0-9]+$/.test(token) && /[A-Z]/.test(token);
}

function spellingsOf(raw: string, rule: CaseRule): readonly string[] {
  const lower = raw.toLowerCase();
  if (raw === WILDCARD_WORD || lower === POSSESSIVE || rule === 'insensitive') return [];
  if (rule === 'sensitive') return [raw];
  if (isAcronym(raw)) return [raw];
  if (NAME_PARTICLES.has(lower)) return [];
  return [...new Set([raw, raw.toUpperCase(), capitalise(raw)])];
}

/** Tokenize one watchlist phrase with the same folding and tokenizer as article text. */
function compilePhrase(source: string, set: number, caseRule: CaseRule | undefined): CompiledPhrase {
  const folded = foldText(source.replaceAll('*', ` ${WILDCARD_WORD} `)).text;
  const toks = tokenizeText(folded);
  const raw: string[] = [];
  for (let i = 0; i < toks.count; i++) raw.push(folded.slice(toks.start[i], toks.end[i]));
  const tokens = toks.lower.map((t) => (t === WILDCARD_WORD ? '*' : t));
  // Default: a phrase with a capital is a proper name; an all-lower-case phrase matches in any case.
  const rule = caseRule ?? (/[A-Z]/.test(folded.replaceAll(WILDCARD_WORD, '')) ? 'proper' : 'insensitive');
  const perToken = raw.map((t) => spellingsOf(t, rule));
  const spellings = perToken.some((list) => list.length > 0) ? perToken : null;
  return { set, tokens, spellings, source };
}

/**
 * The spellings of a phrase the watchlist need not list: a lower-case hyphenated compound also matches
 * written solid ("cease-fire" → "ceasefire"; the tokenizer already reads it as "cease fire").
 */
function variantsOf(source: string): string[] {
  const solid = source.replace(/(?<=[a-z])-(?=[a-z])/g, '');
  return solid === source ? [source] : [source, solid];
}

/** Words the resolution rules compare (coordination, possessives), whatever the watchlist holds. */
const STRUCTURAL_WORDS = [',', '.', '!', '?', 'and', 'or', POSSESSIVE];

function insert(root: TrieNode, phrase: CompiledPhrase, words: WordTable): void {
  let node = root;
  for (const token of phrase.tokens) {
    if (token === '*') {
      node.wildcard ??= { next: new Map(), wildcard: null, hits: [] };
      node = node.wildcard;
      continue;
    }
    const id = words.byKey.get(token) as number;
    let child = node.next.get(id);
    if (!child) {
      child = { next: new Map(), wildcard: null, hits: [] };
      node.next.set(id, child);
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
  const vocabularyRoot: TrieNode = { next: new Map(), wildcard: null, hits: [] };
  const compiledPhrases: CompiledPhrase[] = [];
  let setCount = 0;
  const addSet = (phrases: readonly string[], caseRule?: CaseRule): number => {
    const set = setCount++;
    for (const p of phrases)
      for (const variant of variantsOf(p)) {
        const compiled = compilePhrase(variant, set, caseRule);
        if (compiled.tokens.length > 0) compiledPhrases.push(compiled);
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
  const vocabularySetCount = setCount;
  const actors: ActorSets[] = watchlist.actors.map((a) => ({
    id: a.id,
    name: a.name,
    kind: a.kind,
    alias: addSet(a.aliases, a.case),
    modifier: addSet(a.modifierAliases, a.case),
    demonym: addSet(a.demonyms, a.case),
    capital: addSet(a.capitals, a.case),
    exclude: addSet(a.exclude, a.case),
    afterFullName: addSet(a.afterFullName, a.case),
    offices: a.offices.map((o) => ({ set: addSet(o.titles, a.case), from: o.from, to: o.to ?? null })),
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
    name: p.name,
    names: addSet(p.names),
    dated: p.datedNames.map((d) => ({
      set: addSet(d.phrases),
      from: d.publishedFrom ?? null,
      before: d.publishedBefore ?? null,
    })),
    lookalikes: addSet(p.lookalikes),
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
  const words = buildWordTable([
    ...STRUCTURAL_WORDS,
    ...compiledPhrases.flatMap((p) => p.tokens.filter((t) => t !== '*')),
  ]);
  for (const phrase of compiledPhrases)
    insert(phrase.set < vocabularySetCount ? vocabularyRoot : root, phrase, words);
  return {
    watchlistId: watchlist.id,
    words,
    root,
    rootByWord: words.keys.map((_, id) => root.next.get(id)),
    vocabularyRoot,
    setCount,
    actors,
    phases,
    vocabulary,
    phaseContext,
    phasesFrom: watchlist.phasesFrom ?? null,
    relevance,
  };
}
