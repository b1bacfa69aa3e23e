/**
 * Text of a DOM subtree with a line break around every block element. `textContent` glues words across
 * list items and paragraphs (`FL</li><li>June` → `FLJune`); a line per block is +0.006 F1 on the
 * extraction dev set (FACTS.md).
 */

/** Elements that end a line of text. */
export const BLOCK_ELEMENTS: ReadonlySet<string> = new Set([
  'ADDRESS',
  'ARTICLE',
  'ASIDE',
  'BLOCKQUOTE',
  'BR',
  'DD',
  'DIV',
  'DL',
  'DT',
  'FIGCAPTION',
  'FIGURE',
  'FOOTER',
  'FORM',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HEADER',
  'HR',
  'LI',
  'MAIN',
  'NAV',
  'OL',
  'P',
  'PRE',
  'SECTION',
  'TABLE',
  'TD',
  'TH',
  'TR',
  'UL',
]);

/**
 * Text with a line break around every block element, spaces collapsed, empty lines dropped.
 *
 * @example
 * blockText(JSDOM.fragment('<p>Truce holds.</p><ul><li>Aid enters</li><li>Hostages freed</li></ul>'));
 * // 'Truce holds.\nAid enters\nHostages freed'
 */
export function blockText(root: Node): string {
  const parts: string[] = [];
  // Walked with an explicit path rather than recursion: a feed item's content is not refused for its
  // nesting (only pages are, in extractArticle), and 10,000 nested elements overflowed the call stack.
  let node: Node | null = root.firstChild;
  while (node) {
    if (node.nodeType === 3) parts.push(node.nodeValue ?? '');
    const block = node.nodeType === 1 && BLOCK_ELEMENTS.has((node as Element).tagName);
    if (block) parts.push('\n');
    if (node.nodeType === 1 && node.firstChild) {
      node = node.firstChild;
      continue;
    }
    if (block) parts.push('\n');
    // Up to the first ancestor with a next sibling, closing each block element left on the way.
    while (node && node !== root && !node.nextSibling) {
      node = node.parentNode;
      if (node && node !== root && node.nodeType === 1 && BLOCK_ELEMENTS.has((node as Element).tagName)) {
        parts.push('\n');
      }
    }
    node = node && node !== root ? node.nextSibling : null;
  }
  return parts
    .join('')
    .split('\n')
    .map((line) => line.replace(/[\s\u00a0]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}
