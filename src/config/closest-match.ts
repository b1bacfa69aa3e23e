/**
 * "Did you mean" for names a person types into config and commands: YAML keys, rule ids, actor, phase
 * and feed ids. Pure.
 */

/** Edit distance (Levenshtein) between two short strings: how far a typo is from a known name. */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/**
 * Shortest typed name also compared with the start of longer known names, or found inside them: below
 * four letters that matches too much ("to" would suggest "topics").
 */
const MIN_PART_CHARS = 4;

/**
 * The known name nearest to `typed`, and whether it is near enough to suggest. Letter case is
 * ignored; a known name longer than `typed` is also compared by its first letters, so a name cut
 * short or with one slip near its end is found (`intervall` → `intervalMinutes`, `relevant` →
 * `relevantOnly`), and one containing `typed` counts as one edit away (`witkoff` → `steve-witkoff`).
 * Near enough: one edit per three letters typed, at least one, which catches a slipped, doubled or
 * missing letter without suggesting an unrelated word. Null when `known` is empty.
 *
 * @example
 * closestMatch('rulez', ['rules', 'digest']); // { name: 'rules', close: true }
 * closestMatch('witkoff', ['steve-witkoff', 'qatar']); // { name: 'steve-witkoff', close: true }
 * closestMatch('egypt', ['qatar', 'turkey']); // { name: 'qatar', close: false }
 */
export function closestMatch(
  typed: string,
  known: readonly string[],
): { name: string; close: boolean } | null {
  const word = typed.toLowerCase();
  let best: { name: string; score: number; full: number } | null = null;
  for (const name of known) {
    const candidate = name.toLowerCase();
    const full = editDistance(word, candidate);
    const longer = word.length >= MIN_PART_CHARS && candidate.length > word.length;
    const prefix = longer ? editDistance(word, candidate.slice(0, word.length)) : full;
    const inside = longer && candidate.includes(word) ? 1 : full;
    const score = Math.min(full, prefix, inside);
    if (!best || score < best.score || (score === best.score && full < best.full)) {
      best = { name, score, full };
    }
  }
  if (!best) return null;
  return { name: best.name, close: best.score <= Math.max(1, Math.floor(word.length / 3)) };
}
