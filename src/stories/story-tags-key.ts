/**
 * What a story carries, as one comparable key: the actor and phase ids of all its copies, sorted and
 * joined (`actor:egypt,actor:qatar,phase:phase-2`). A change of this key is what lets a story alert
 * again. Sorted here, not by SQL, so the key is byte-identical on every database and collation.
 */

/**
 * @example
 * storyTagsKey([{ kind: 'phase', id: 'phase-2' }, { kind: 'actor', id: 'qatar' }, { kind: 'actor', id: 'qatar' }]);
 * // 'actor:qatar,phase:phase-2'
 */
export function storyTagsKey(tags: Iterable<{ kind: 'actor' | 'phase'; id: string }>): string {
  const keys = new Set<string>();
  for (const tag of tags) keys.add(`${tag.kind}:${tag.id}`);
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',');
}
