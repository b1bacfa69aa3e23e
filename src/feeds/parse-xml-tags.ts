/**
 * A forgiving scan of an XML document's tags, for the repairs that must see element structure before
 * a real parser does (namespace prefixes, truncation). It skips comments, CDATA, processing
 * instructions and the DOCTYPE, and says where an unterminated construct starts, which is where a
 * truncated document was cut. It is not a parser: text, entities and well-formedness are not checked.
 */

export interface XmlTag {
  kind: 'start' | 'end' | 'empty';
  /** The qualified name as written (`r:item`). */
  name: string;
  /** Offsets of the whole tag in the text: `text.slice(start, end)` is `<r:item a="1">`. */
  start: number;
  end: number;
  /** Offset of the name inside the text, so it can be rewritten in place. */
  nameStart: number;
  /** The attributes as written, `[name, value, nameOffset]`, values unescaped as written. */
  attributes: (readonly [string, string, number])[];
}

export interface XmlTagScan {
  tags: XmlTag[];
  /**
   * Where an unterminated comment, CDATA section, processing instruction or tag starts (the document
   * was cut there), or `text.length` when every construct is closed.
   */
  completeUpTo: number;
}

const START_TAG =
  /<([A-Za-z_][^\s/>]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*(\/?)>/y;
const END_TAG = /<\/([^\s>]+)\s*>/y;
const DOCTYPE = /<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>/iy;
const ATTRIBUTE = /\s+([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/y;

/** Constructs with a fixed terminator: `[opener, closer]`. */
const DELIMITED: readonly (readonly [string, string])[] = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<?', '?>'],
];

/**
 * Scan the tags of `text`. Linear in the text; never throws.
 *
 * @example
 * parseXmlTags('<rss><channel><item><title>Cut').completeUpTo; // 32 (text.length: only text was cut)
 * parseXmlTags('<rss><item><![CDATA[x').completeUpTo; // 11
 */
export function parseXmlTags(text: string): XmlTagScan {
  const tags: XmlTag[] = [];
  let pos = text.indexOf('<');
  while (pos !== -1 && pos < text.length) {
    const delimited = DELIMITED.find(([opener]) => text.startsWith(opener, pos));
    let next: number;
    if (delimited) {
      const close = text.indexOf(delimited[1], pos + delimited[0].length);
      if (close === -1) return { tags, completeUpTo: pos };
      next = close + delimited[1].length;
    } else if (text.startsWith('<!', pos)) {
      DOCTYPE.lastIndex = pos;
      const match = DOCTYPE.exec(text);
      const close = match ? pos + match[0].length : text.indexOf('>', pos);
      if (close === -1) return { tags, completeUpTo: pos };
      next = match ? close : close + 1;
    } else {
      const regex = text[pos + 1] === '/' ? END_TAG : START_TAG;
      regex.lastIndex = pos;
      const match = regex.exec(text);
      if (match) {
        tags.push(toTag(match, pos, regex === END_TAG));
        next = pos + match[0].length;
      } else if (text.indexOf('>', pos) === -1 && /^<\/?[A-Za-z_]/.test(text.slice(pos, pos + 3))) {
        return { tags, completeUpTo: pos };
      } else {
        next = pos + 1; // a bare `<` in text: the real parser decides what it is
      }
    }
    pos = text.indexOf('<', next);
  }
  return { tags, completeUpTo: text.length };
}

function toTag(match: RegExpExecArray, start: number, isEnd: boolean): XmlTag {
  const name = match[1] ?? '';
  const nameStart = start + (isEnd ? 2 : 1);
  if (isEnd) return { kind: 'end', name, start, end: start + match[0].length, nameStart, attributes: [] };
  const attributes: (readonly [string, string, number])[] = [];
  const source = match[2] ?? '';
  const sourceStart = nameStart + name.length;
  ATTRIBUTE.lastIndex = 0;
  for (let m = ATTRIBUTE.exec(source); m; m = ATTRIBUTE.exec(source)) {
    const attrName = m[1] ?? '';
    const offset = sourceStart + m.index + m[0].indexOf(attrName);
    attributes.push([attrName, m[2] ?? m[3] ?? m[4] ?? '', offset]);
  }
  return {
    kind: match[3] ? 'empty' : 'start',
    name,
    start,
    end: start + match[0].length,
    nameStart,
    attributes,
  };
}
