/**
 * One pass of a Matcher's trie over a tokenized text: every occurrence of every watchlist phrase, all
 * lengths and overlaps included, bucketed by phrase set. Resolution (leftmost-longest, exclusions,
 * context rules) is the caller's job.
 */
import type { CompiledPhrase, Matcher, TrieNode } from './compile-watchlist.ts';
import type { Tokens } from './tokenize-text.ts';

/** A phrase occurrence: token range [start, end). */
export interface Hit {
  start: number;
  end: number;
}

const NO_HITS: Hit[] = Object.freeze([]) as unknown as Hit[];

function spelledRight(text: string, tokens: Tokens, first: number, phrase: CompiledPhrase): boolean {
  const spellings = phrase.spellings;
  if (!spellings) return true;
  for (let k = 0; k < spellings.length; k++) {
    const accepted = spellings[k] as readonly string[];
    if (accepted.length === 0) continue; // any case
    const i = first + k;
    const s = tokens.start[i] as number;
    const length = (tokens.end[i] as number) - s;
    let ok = false;
    // startsWith at the token's offset: no substring allocated per check.
    for (const spelling of accepted)
      if (spelling.length === length && text.startsWith(spelling, s)) {
        ok = true;
        break;
      }
    if (!ok) return false;
  }
  return true;
}

/**
 * Find every phrase of the matcher in `text` (already folded, and tokenized with `matcher.words`).
 *
 * @example
 * const folded = foldText(article.text);
 * const hits = findPhrases(folded.text, tokenizeText(folded.text, matcher.words), matcher);
 * hits[matcher.actors[0].alias] // every alias occurrence of the first actor
 */
export function findPhrases(text: string, tokens: Tokens, matcher: Matcher): Hit[][] {
  // Most of the watchlist's sets have no hit in a given article: they share one frozen empty list.
  const bySet: Hit[][] = new Array<Hit[]>(matcher.setCount).fill(NO_HITS);
  // Explicit stack of (node, next token): no closure or object per step.
  const nodes: TrieNode[] = [];
  const nexts: number[] = [];
  const root = matcher.root;
  const rootByWord = matcher.rootByWord;
  const ids = tokens.id;
  for (let i = 0; i < tokens.count; i++) {
    const id = ids[i] as number;
    const first = id >= 0 ? rootByWord[id] : undefined;
    const wild = tokens.word[i] ? root.wildcard : null;
    if (first === undefined && !wild) continue;
    if (first) {
      nodes.push(first);
      nexts.push(i + 1);
    }
    if (wild) {
      nodes.push(wild);
      nexts.push(i + 1);
    }
    while (nodes.length > 0) {
      const node = nodes.pop() as TrieNode;
      const next = nexts.pop() as number;
      for (const phrase of node.hits) {
        if (!spelledRight(text, tokens, i, phrase)) continue;
        let list = bySet[phrase.set] as Hit[];
        if (list === NO_HITS) {
          list = [];
          bySet[phrase.set] = list;
        }
        const last = list[list.length - 1];
        // Two spellings of one set at the same span are one occurrence.
        if (!last || last.start !== i || last.end !== next) list.push({ start: i, end: next });
      }
      if (next >= tokens.count) continue;
      const nextId = ids[next] as number;
      if (nextId >= 0 && node.next.size > 0) {
        const child = node.next.get(nextId);
        if (child) {
          nodes.push(child);
          nexts.push(next + 1);
        }
      }
      if (node.wildcard && tokens.word[next]) {
        nodes.push(node.wildcard);
        nexts.push(next + 1);
      }
    }
  }
  return bySet;
}

/**
 * The end of the longest phrase of `set` under `root` that starts at token `k` (-1: none). For the
 * vocabulary trie, read only at the few positions the resolution rules look at.
 *
 * @example
 * matchAt(folded, tokens, matcher.vocabularyRoot, matcher.vocabulary.governmentNouns, k) // e.g. k + 2 for "air force"
 */
export function matchAt(text: string, tokens: Tokens, root: TrieNode, set: number, k: number): number {
  let best = -1;
  let node: TrieNode | undefined = root;
  for (let i = k; i < tokens.count; i++) {
    const id = tokens.id[i] as number;
    node = id >= 0 ? node.next.get(id) : undefined;
    if (!node) break;
    for (const phrase of node.hits)
      if (phrase.set === set && spelledRight(text, tokens, k, phrase)) best = i + 1;
  }
  return best;
}
