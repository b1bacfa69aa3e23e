/**
 * Close a document that was cut off (a size cap, a dropped connection, a half-written file) so the
 * items before the cut survive. What was cut is dropped rather than guessed: an unterminated tag,
 * comment or CDATA section, and the innermost element whose content was interrupted (a link cut
 * mid-URL must not become a wrong link). Then every element still open is closed.
 */
import { parseXmlTags } from './parse-xml-tags.ts';

/**
 * The document closed after its last complete construct, or `text` itself when nothing is open.
 *
 * @example
 * repairTruncation('<rss><channel><item><title>A</title></item><item><link>https://ex');
 * // '<rss><channel><item><title>A</title></item><item></item></channel></rss>'
 */
export function repairTruncation(text: string): string {
  const { tags, completeUpTo } = parseXmlTags(text);
  const open: { name: string; start: number }[] = [];
  let last: (typeof tags)[number] | undefined;
  for (const tag of tags) {
    last = tag;
    if (tag.kind === 'start') open.push({ name: tag.name, start: tag.start });
    else if (tag.kind === 'end') {
      const index = open.findLastIndex((element) => element.name === tag.name);
      // A stray end tag is left for the parser to judge; a matching one closes what it skipped.
      if (index !== -1) open.length = index;
    }
  }
  if (open.length === 0) return text;
  let cut = completeUpTo;
  const innermost = open.at(-1);
  if (innermost && last?.kind === 'start' && last.start === innermost.start) {
    // The innermost element had only text (or a cut CDATA section) when the document ended.
    cut = innermost.start;
    open.pop();
  }
  const closers = open
    .reverse()
    .map((element) => `</${element.name}>`)
    .join('');
  return `${text.slice(0, cut).trimEnd()}${closers}`;
}
