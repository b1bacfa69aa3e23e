/**
 * The sentence(s) an alert quotes: the ones holding the conditions that made *this rule* fire, not
 * the article's first mention of anything (which is usually the headline, already shown above).
 */
import type { EvidenceSentence, MatchedTerm } from './evaluate-rule.ts';

/**
 * Sentences quoted at most. Three covers a rule of three conditions met in three places; past that a
 * message stops being a quote and becomes the article.
 */
export const MAX_EVIDENCE_SENTENCES = 3;
/** A quoted sentence longer than this is cut: 300 characters hold the seed article's longest sentence. */
export const MAX_QUOTE_CHARS = 300;

interface Candidate extends EvidenceSentence {
  /** Indexes of the terms this sentence holds. */
  holds: Set<number>;
}

/** Compares two score vectors element by element: the first difference decides. */
function lexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function clip(sentence: string): string {
  const s = sentence.replace(/\s+/gu, ' ').trim();
  return s.length <= MAX_QUOTE_CHARS ? s : `${s.slice(0, MAX_QUOTE_CHARS - 1).trimEnd()}…`;
}

/**
 * The fewest sentences that show the rule holds, in reading order: `needs` says what must be shown
 * (each need: terms of which any one is enough; by default every term with evidence is a need of its
 * own). Greedily, the sentence meeting the most needs not yet met (then holding the most terms, then
 * the earliest). Body sentences come first; the title is quoted only for a need met nowhere else.
 *
 * @example
 * chooseEvidence([
 *   { kind: 'actor', id: 'qatar', evidence: [{ field: 'title', start: 0, sentence: 'Qatar hosts talks' },
 *                                          { field: 'text', start: 40, sentence: 'Qatar and Egypt met.' }] },
 *   { kind: 'actor', id: 'egypt', evidence: [{ field: 'text', start: 50, sentence: 'Qatar and Egypt met.' }] },
 * ]); // ['Qatar and Egypt met.']
 */
export function chooseEvidence(
  terms: readonly MatchedTerm[],
  needs: readonly (readonly number[])[] = terms.flatMap((t, i) => (t.evidence.length > 0 ? [[i]] : [])),
): string[] {
  const candidates = new Map<string, Candidate>();
  terms.forEach((term, index) => {
    for (const e of term.evidence) {
      const sentence = clip(e.sentence);
      if (sentence === '') continue;
      const key = `${e.field}\n${sentence}`;
      const known = candidates.get(key);
      if (known) {
        known.holds.add(index);
        known.start = Math.min(known.start, e.start);
      } else candidates.set(key, { ...e, sentence, holds: new Set([index]) });
    }
  });
  const open = new Set(needs.map((_, i) => i));
  const meets = (c: Candidate, need: number) => (needs[need] ?? []).some((term) => c.holds.has(term));
  const chosen: Candidate[] = [];
  for (const field of ['text', 'title'] as const) {
    const pool = [...candidates.values()].filter((c) => c.field === field);
    while (open.size > 0 && chosen.length < MAX_EVIDENCE_SENTENCES) {
      let best: Candidate | null = null;
      let bestScore = [0, 0, 0];
      for (const c of pool) {
        const met = [...open].filter((need) => meets(c, need)).length;
        if (met === 0) continue;
        const score = [met, c.holds.size, -c.start];
        if (best === null || lexicographic(score, bestScore) > 0) {
          best = c;
          bestScore = score;
        }
      }
      if (!best) break;
      chosen.push(best);
      for (const need of [...open]) if (meets(best, need)) open.delete(need);
    }
  }
  const seen = new Set<string>();
  return chosen
    .sort((a, b) => (a.field === b.field ? a.start - b.start : a.field === 'title' ? -1 : 1))
    .map((c) => c.sentence)
    .filter((s) => (seen.has(s) ? false : (seen.add(s), true)));
}
