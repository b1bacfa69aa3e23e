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
  const walk = (node: Node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) {
        parts.push(child.nodeValue ?? '');
      } else if (child.nodeType === 1) {
        const block = BLOCK_ELEMENTS.has((child as Element).tagName);
        if (block) parts.push('\n');
        walk(child);
        if (block) parts.push('\n');
      }
    }
  };
  walk(root);
  return parts
    .join('')
    .split('\n')
    .map((line) => line.replace(/[\s\u00a0]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}
