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

function spelledRight(text: string, tokens: Tokens, first: number, phrase: CompiledPhrase): boolean {
  const spellings = phrase.spellings;
  if (!spellings) return true;
  for (let k = 0; k < spellings.length; k++) {
    const accepted = spellings[k] as readonly string[];
    if (accepted.length === 0) continue; // wildcard
    const i = first + k;
    const raw = text.slice(tokens.start[i], tokens.end[i]);
    if (!accepted.includes(raw)) return false;
  }
  return true;
}

/**
 * Find every phrase of the matcher in `text` (already folded and tokenized).
 *
 * @example
 * const folded = foldText(article.text);
 * const hits = findPhrases(folded.text, tokenizeText(folded.text), matcher);
 * hits[matcher.actors[0].alias] // every alias occurrence of the first actor
 */
export function findPhrases(text: string, tokens: Tokens, matcher: Matcher): Hit[][] {
  const bySet: Hit[][] = Array.from({ length: matcher.setCount }, () => []);
  const stack: { node: TrieNode; next: number }[] = [];
  for (let i = 0; i < tokens.count; i++) {
    const first = matcher.root.next.get(tokens.lower[i] as string);
    const wild = tokens.word[i] ? matcher.root.wildcard : null;
    if (!first && !wild) continue;
    if (first) stack.push({ node: first, next: i + 1 });
    if (wild) stack.push({ node: wild, next: i + 1 });
    while (stack.length > 0) {
      const { node, next } = stack.pop() as { node: TrieNode; next: number };
      for (const phrase of node.hits) {
        if (!spelledRight(text, tokens, i, phrase)) continue;
        const list = bySet[phrase.set] as Hit[];
        const last = list[list.length - 1];
        // Two spellings of one set at the same span are one occurrence.
        if (!last || last.start !== i || last.end !== next) list.push({ start: i, end: next });
      }
      if (next >= tokens.count) continue;
      const child = node.next.get(tokens.lower[next] as string);
      if (child) stack.push({ node: child, next: next + 1 });
      if (node.wildcard && tokens.word[next]) stack.push({ node: node.wildcard, next: next + 1 });
    }
  }
  return bySet;
}
