/**
 * A field of an article cut into pieces at its tagged mentions, so a page can mark each one (and
 * escape every piece). Overlapping mentions (an actor inside a phase's phrase) keep the first that
 * starts, the longer on a tie: a mark never nests in another.
 */
import type { Mention } from '../model.ts';

export type TextPiece = { text: string } | { text: string; mention: Pick<Mention, 'kind' | 'id'> };

export function highlightMentions(
  text: string,
  mentions: readonly Mention[],
  field: Mention['field'],
): TextPiece[] {
  const spans = mentions
    .filter((m) => m.field === field && m.start >= 0 && m.end <= text.length && m.start < m.end)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const pieces: TextPiece[] = [];
  let at = 0;
  for (const m of spans) {
    if (m.start < at) continue;
    if (m.start > at) pieces.push({ text: text.slice(at, m.start) });
    pieces.push({ text: text.slice(m.start, m.end), mention: { kind: m.kind, id: m.id } });
    at = m.end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}
