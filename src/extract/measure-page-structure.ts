/**
 * How deep and how big a page's element tree will be, read from the HTML string in one linear pass,
 * before anything builds a DOM. jsdom and Readability are both superlinear on pathological structure
 * (measured, extractArticle on one thread: 600 nested `<div>`s 3.3 s, 1,200 25 s, 5,000 a bare
 * `Maximum call stack size exceeded` after 5 s; 50,000 empty `<span>`s 12 s, 200,000 66 s), so such a
 * page is refused from its text, for the price of a string scan (under 20 ms on the largest dev page).
 *
 * The scan follows the HTML tokenizer and tree builder as far as depth and element count need, and
 * where it simplifies, it errs towards a deeper, bigger tree than jsdom builds, never a smaller one, so
 * markup cannot hide its nesting from it: comments end where the tokenizer ends them (`<!-->` and
 * `--!>` included); raw-text elements (`<script>`, `<style>`, `<textarea>`, `<title>`…) hold no
 * elements; void elements never nest; `/>` closes an element only in SVG/MathML (in HTML `<div/>`
 * opens a div); end tags close only what is in scope (an end tag with a special element such as a
 * `<div>` or a table cell in between is ignored, as the tree builder ignores it); `<p>`, `<li>`,
 * `<dt>`/`<dd>` and table parts close what the tree builder closes; formatting elements (`<b>`, `<a>`…)
 * closed by another element's end tag are reopened at the next content, as the tree builder
 * reconstructs them, so misnested formatting cannot multiply elements unseen. The implied `<html>`,
 * `<head>`, `<body>` of a page that omits them are not counted: at most three levels.
 */

export interface PageStructure {
  /** Deepest element nesting reached (`<html>` is depth 1 when the page writes it). */
  depth: number;
  /** Elements the parser will create: start tags, plus implied `<tbody>`/`<tr>` and reopened formatting. */
  elements: number;
  /** True when the scan stopped because `limits` were passed: the figures are then lower bounds. */
  stoppedEarly: boolean;
}

export interface StructureLimits {
  maxDepth: number;
  maxElements: number;
}

const set = (names: string) => new Set(names.split(' '));

/** Elements without content or end tag (HTML void elements, plus obsolete ones parsed the same way). */
const VOID = set(
  'area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr',
);
/** HTML elements whose content is text up to their own end tag (RAWTEXT and RCDATA). */
const RAW_TEXT = set('iframe noembed noframes script style textarea title xmp');
/** The HTML standard's "special" category (a generic end tag stops at these), HTML elements only. */
const SPECIAL = set(
  'address applet area article aside base basefont bgsound blockquote body br button caption center col ' +
    'colgroup dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 ' +
    'h4 h5 h6 head header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav ' +
    'noembed noframes noscript object ol p param plaintext pre script search section select source style ' +
    'summary table tbody td template textarea tfoot th thead title tr track ul wbr xmp',
);
/** Boundaries of "has an element in scope" (HTML ones; the SVG/MathML integration points below too). */
const SCOPE = set('applet caption html table td th marquee object template');
/** SVG and MathML elements whose content is HTML again, and which are scope boundaries as well. */
const INTEGRATION_POINTS = set('foreignobject desc title mi mo mn ms mtext annotation-xml');
/** Elements the tree builder reopens when misnested ("active formatting elements"). */
const FORMATTING = set('a b big code em font i nobr s small strike strong tt u');
/** Elements that put a marker in the list of active formatting elements. */
const MARKERS = set('applet caption marquee object td template th');
/** Start tags that close an open `<p>` in button scope. */
const CLOSES_P = set(
  'address article aside blockquote center dd details dialog dir div dl dt fieldset figcaption figure ' +
    'footer form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p plaintext pre search ' +
    'section summary table ul xmp',
);
/** Start tags that end SVG/MathML content (the tree builder pops back to HTML for them). */
const BREAKS_FOREIGN = set(
  'b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing ' +
    'menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var',
);
/**
 * Start tags before which the tree builder does not reopen pending formatting elements (block and
 * head elements): they are reopened inside them, at the next content. Reopening them before a `<p>`
 * instead would put one `<b>` around every following paragraph where the tree builder puts one in each.
 */
const NO_RECONSTRUCT = set(
  'address article aside base basefont bgsound blockquote center dd details dialog dir div dl dt ' +
    'fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr iframe li link ' +
    'listing main menu meta nav noembed noframes noscript ol p param plaintext pre rb rp rt rtc script ' +
    'search section source style summary table template textarea title track ul',
);
const HEADINGS = set('h1 h2 h3 h4 h5 h6');
const TABLE_PARTS = set('caption col colgroup tbody td tfoot th thead tr');
const TABLE_SECTIONS = set('tbody tfoot thead');
/** End tags that never pop anything (the tree builder only switches insertion mode). */
const IGNORED_END = set('html body');

const isSpace = (code: number) => code === 32 || code === 9 || code === 10 || code === 12 || code === 13;
const isLetter = (code: number) => (code >= 97 && code <= 122) || (code >= 65 && code <= 90);

/**
 * Formatting elements closed by something other than their own end tag, by marker level: the tree
 * builder reopens them before the next content at that level. Only counts matter (not order or
 * attributes), so per-name counts keep every operation cheap whatever a page piles up.
 */
class PendingFormatting {
  private levels: Map<string, number>[] = [new Map()];

  count(level: number): number {
    let total = 0;
    for (const n of this.levels[level]?.values() ?? []) total += n;
    return total;
  }

  add(level: number, name: string): void {
    while (this.levels.length <= level) this.levels.push(new Map());
    const counts = this.levels[level] as Map<string, number>;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }

  /** Every pending element of `level`, removed. */
  take(level: number): string[] {
    const counts = this.levels[level];
    if (!counts || counts.size === 0) return [];
    const names = [...counts].flatMap(([name, n]) => Array<string>(n).fill(name));
    counts.clear();
    return names;
  }

  /** A formatting element's end tag when it is not open: the tree builder drops it from its list. */
  drop(level: number, name: string): void {
    const counts = this.levels[level];
    const n = counts?.get(name) ?? 0;
    if (n > 1) counts?.set(name, n - 1);
    else counts?.delete(name);
  }

  /** Leaving a cell (or caption, object…) forgets the formatting opened inside it. */
  clearAbove(level: number): void {
    this.levels.length = Math.min(this.levels.length, level + 1);
  }
}

/** The stack of open elements, with O(1) answers to the scope questions the tree builder asks. */
class OpenElements {
  readonly names: string[] = [];
  private readonly foreign: boolean[] = [];
  /** Index stacks: where the open elements of a name, or of a category, are. */
  private readonly byName = new Map<string, number[]>();
  private readonly scope: number[] = [];
  private readonly special: number[] = [];
  private readonly markers: number[] = [];
  private readonly pending = new PendingFormatting();
  /** Pending formatting elements at the current marker level (kept for a cheap check per text run). */
  pendingHere = 0;
  depth = 0;
  elements = 0;

  get size(): number {
    return this.names.length;
  }

  top(): string | undefined {
    return this.names[this.names.length - 1];
  }

  /** The current node is HTML (not SVG/MathML). */
  topIsHtml(): boolean {
    return this.foreign[this.names.length - 1] === false;
  }

  /** The current node is SVG/MathML content (not an integration point, whose content is HTML). */
  inForeign(): boolean {
    const k = this.names.length - 1;
    return k >= 0 && this.foreign[k] === true && !INTEGRATION_POINTS.has(this.names[k] as string);
  }

  last(name: string): number {
    const stack = this.byName.get(name);
    return stack && stack.length > 0 ? (stack[stack.length - 1] as number) : -1;
  }

  lastScope(): number {
    return this.scope[this.scope.length - 1] ?? -1;
  }

  lastSpecial(): number {
    return this.special[this.special.length - 1] ?? -1;
  }

  push(name: string, foreign: boolean): void {
    const index = this.names.length;
    this.names.push(name);
    this.foreign.push(foreign);
    let stack = this.byName.get(name);
    if (!stack) this.byName.set(name, (stack = []));
    stack.push(index);
    if (foreign ? INTEGRATION_POINTS.has(name) : SCOPE.has(name)) this.scope.push(index);
    if (foreign ? INTEGRATION_POINTS.has(name) : SPECIAL.has(name)) this.special.push(index);
    if (!foreign && MARKERS.has(name)) {
      this.markers.push(index);
      this.pendingHere = 0;
    }
    this.elements++;
    if (this.names.length > this.depth) this.depth = this.names.length;
  }

  /** An element that holds nothing (void, self-closed foreign, `</p>` with no `<p>`): counted, not opened. */
  leaf(): void {
    this.elements++;
    if (this.names.length + 1 > this.depth) this.depth = this.names.length + 1;
  }

  /**
   * Pops every element from `index` up. `closed` is the index of the element whose own end tag this
   * is; every other formatting element popped becomes pending, as in the tree builder's list.
   */
  popTo(index: number, closed = -1): void {
    while (this.names.length > Math.max(index, 0)) {
      const k = this.names.length - 1;
      const name = this.names.pop() as string;
      const foreign = this.foreign.pop() as boolean;
      this.byName.get(name)?.pop();
      if (this.scope[this.scope.length - 1] === k) this.scope.pop();
      if (this.special[this.special.length - 1] === k) this.special.pop();
      if (this.markers[this.markers.length - 1] === k) {
        this.markers.pop();
        this.pending.clearAbove(this.markers.length);
        this.pendingHere = this.pending.count(this.markers.length);
      }
      if (!foreign && FORMATTING.has(name) && k !== closed) {
        this.pending.add(this.markers.length, name);
        this.pendingHere++;
      }
    }
  }

  /** Before content: reopen the pending formatting elements of the current marker level. */
  reconstruct(): void {
    if (this.pendingHere === 0) return;
    for (const name of this.pending.take(this.markers.length)) this.push(name, false);
    this.pendingHere = 0;
  }

  dropPending(name: string): void {
    const before = this.pending.count(this.markers.length);
    this.pending.drop(this.markers.length, name);
    if (this.pending.count(this.markers.length) < before) this.pendingHere--;
  }
}

/**
 * Depth and element count of the tree `html` parses into, in time linear in its length. With
 * `limits`, stops as soon as one is passed (the caller only needs to know that).
 *
 * @example
 * measurePageStructure('<div><div><p>a<p>b</div></div>'); // { depth: 3, elements: 4, stoppedEarly: false }
 * measurePageStructure('<div>'.repeat(5000)).depth; // 5000
 */
export function measurePageStructure(html: string, limits?: StructureLimits): PageStructure {
  const maxDepth = limits?.maxDepth ?? Infinity;
  const maxElements = limits?.maxElements ?? Infinity;
  const open = new OpenElements();
  const result = (stoppedEarly: boolean): PageStructure => ({
    depth: open.depth,
    elements: open.elements,
    stoppedEarly,
  });
  const length = html.length;
  let i = 0;
  while (i < length) {
    if (open.depth > maxDepth || open.elements > maxElements) return result(true);
    const lt = html.indexOf('<', i);
    if (open.pendingHere > 0 && hasText(html, i, lt === -1 ? length : lt)) open.reconstruct();
    if (lt === -1) break;
    const next = html.charCodeAt(lt + 1);
    if (next === 33 /* ! */ || next === 63 /* ? */) {
      const end = markupDeclarationEnd(html, lt, open.inForeign());
      if (end === -1) break;
      i = end;
      continue;
    }
    const closing = next === 47; /* / */
    const nameStart = closing ? lt + 2 : lt + 1;
    if (!isLetter(html.charCodeAt(nameStart))) {
      if (closing) {
        // `</3…>` is a bogus comment up to `>`; `<3` is text.
        const end = html.indexOf('>', nameStart);
        if (end === -1) break;
        i = end + 1;
      } else {
        i = lt + 1;
      }
      continue;
    }
    const tag = readTag(html, nameStart);
    if (tag === null) break; // an unterminated tag swallows the rest of the document
    i = tag.end;
    if (closing) {
      endTag(open, tag.name);
      continue;
    }
    startTag(open, tag.name, tag.selfClosing);
    if (open.top() !== tag.name || !open.topIsHtml()) continue;
    if (tag.name === 'plaintext') break;
    if (RAW_TEXT.has(tag.name)) {
      const end = tag.name === 'script' ? scriptEnd(html, i) : rawTextEnd(html, i, tag.name);
      open.popTo(open.size - 1);
      if (end === -1) break;
      i = end;
    }
  }
  return result(open.depth > maxDepth || open.elements > maxElements);
}

function startTag(open: OpenElements, name: string, selfClosing: boolean): void {
  if (open.inForeign()) {
    if (!BREAKS_FOREIGN.has(name)) {
      if (selfClosing) open.leaf();
      else open.push(name, true);
      return;
    }
    // An HTML element inside SVG/MathML: back out to the HTML around it.
    while (open.inForeign()) open.popTo(open.size - 1);
  }
  if ((name === 'html' || name === 'body' || name === 'head') && open.last(name) !== -1) return;
  if (TABLE_PARTS.has(name)) return tablePart(open, name);
  if (CLOSES_P.has(name)) closeP(open);
  if (name === 'li') closeListItem(open, ['li']);
  if (name === 'dd' || name === 'dt') closeListItem(open, ['dd', 'dt']);
  if (HEADINGS.has(name) && HEADINGS.has(open.top() ?? '')) open.popTo(open.size - 1);
  if ((name === 'option' || name === 'optgroup') && open.top() === 'option') open.popTo(open.size - 1);
  if (name === 'button' && open.last('button') > open.lastScope()) open.popTo(open.last('button'));
  if (name === 'a') {
    // A new link first ends the one still open, as the end tag would.
    closeFormatting(open, 'a');
    open.dropPending('a');
  }
  if (!NO_RECONSTRUCT.has(name)) open.reconstruct();
  if (name === 'svg' || name === 'math') {
    if (selfClosing) open.leaf();
    else open.push(name, true);
  } else if (VOID.has(name)) {
    open.leaf();
  } else {
    open.push(name, false);
  }
}

function endTag(open: OpenElements, name: string): void {
  if (name === 'br') return open.leaf(); // `</br>` is parsed as `<br>`
  if (IGNORED_END.has(name)) return;
  if (FORMATTING.has(name)) {
    if (open.last(name) === -1) open.dropPending(name);
    else closeFormatting(open, name);
    return;
  }
  const k = open.last(name);
  if (name === 'p' && !(k > open.lastScope() && k > open.last('button'))) return open.leaf(); // `</p>` alone makes an empty <p>
  if (k === -1) return;
  if (TABLE_PARTS.has(name) || name === 'table') {
    if (k > open.last('table') || name === 'table') open.popTo(k);
    return;
  }
  // A special element's end tag needs it in scope; any other stops at the first special element on
  // its way down. `k >= boundary`: the boundary may be the element itself.
  const boundary = SPECIAL.has(name)
    ? Math.max(open.lastScope(), name === 'li' ? Math.max(open.last('ol'), open.last('ul')) : -1)
    : open.lastSpecial();
  if (k >= boundary) open.popTo(k);
}

/**
 * A formatting element's end: popped with what is above it, unless it is out of scope, or a special
 * element sits above it. Then the adoption agency leaves the depth as it is but creates elements: the
 * formatting element again inside the special one, and clones of the formatting elements in between
 * (its outer loop may run again for each). They are counted on the generous side, twice each plus
 * one, which is at or above what jsdom built for every misnesting tried (tests/extract).
 */
function closeFormatting(open: OpenElements, name: string): void {
  const k = open.last(name);
  if (k === -1 || k <= open.lastScope()) return;
  if (k > open.lastSpecial()) return open.popTo(k, k);
  let between = 0;
  for (let j = k + 1; j < open.size; j++) if (FORMATTING.has(open.names[j] as string)) between++;
  open.elements += 2 * between + 1;
}

/** Table parts start where the table's structure says: a new cell ends the previous one, and so on. */
function tablePart(open: OpenElements, name: string): void {
  const table = open.last('table');
  if (table === -1 || table < open.last('template')) return; // outside a table the tree builder ignores them
  const section = TABLE_SECTIONS.has(open.names[table + 1] ?? '');
  if (name === 'tr' || name === 'td' || name === 'th') {
    if (section) {
      const row = open.names[table + 2] === 'tr';
      if (name === 'tr' || !row) {
        open.popTo(table + 2);
        if (name !== 'tr') open.push('tr', false);
      } else {
        open.popTo(table + 3);
      }
    } else {
      open.popTo(table + 1);
      open.push('tbody', false);
      if (name !== 'tr') open.push('tr', false);
    }
    open.push(name, false);
    return;
  }
  open.popTo(table + 1);
  if (name === 'col') {
    open.push('colgroup', false);
    open.leaf();
  } else {
    open.push(name, false);
  }
}

function closeP(open: OpenElements): void {
  const p = open.last('p');
  if (p > open.lastScope() && p > open.last('button')) open.popTo(p);
}

/** `<li>` ends an open `<li>` when no other special element (but address, div, p) sits above it. */
function closeListItem(open: OpenElements, names: string[]): void {
  for (let k = open.size - 1; k >= 0; k--) {
    const name = open.names[k] as string;
    if (names.includes(name)) return open.popTo(k);
    if (SPECIAL.has(name) && name !== 'address' && name !== 'div' && name !== 'p') return;
  }
}

/** A tag's name (lower case) and where it ends, or null when it never ends. */
function readTag(
  html: string,
  nameStart: number,
): { name: string; end: number; selfClosing: boolean } | null {
  const length = html.length;
  let j = nameStart;
  // The tokenizer's tag name runs to whitespace, `/` or `>`: `<div.x>` is not a `<div>`.
  while (j < length) {
    const code = html.charCodeAt(j);
    if (isSpace(code) || code === 47 || code === 62) break;
    j++;
  }
  const name = html.slice(nameStart, j).toLowerCase();
  let selfClosing = false;
  while (j < length) {
    const code = html.charCodeAt(j);
    if (code === 62 /* > */) return { name, end: j + 1, selfClosing };
    selfClosing = false;
    if (code === 47 /* / */) {
      selfClosing = html.charCodeAt(j + 1) === 62;
      j++;
      continue;
    }
    if (code === 61 /* = */) {
      j++;
      while (j < length && isSpace(html.charCodeAt(j))) j++;
      const quote = html.charCodeAt(j);
      if (quote === 34 || quote === 39) {
        const close = html.indexOf(quote === 34 ? '"' : "'", j + 1);
        if (close === -1) return null;
        j = close + 1;
      } else {
        // An unquoted value runs to whitespace or `>`; a `/` in it is part of it (`href=/a/>`).
        while (j < length && !isSpace(html.charCodeAt(j)) && html.charCodeAt(j) !== 62) j++;
      }
      continue;
    }
    j++;
  }
  return null;
}

/** Where a `<!…>` or `<?…>` ends, as the tokenizer ends it; -1 at the end of the document. */
function markupDeclarationEnd(html: string, lt: number, foreign: boolean): number {
  if (html.startsWith('<!--', lt)) {
    if (html.startsWith('<!-->', lt)) return lt + 5;
    if (html.startsWith('<!--->', lt)) return lt + 6;
    const ends = [html.indexOf('-->', lt + 4), html.indexOf('--!>', lt + 4)].filter((e) => e !== -1);
    if (ends.length === 0) return -1;
    const end = Math.min(...ends);
    return end + (html.startsWith('-->', end) ? 3 : 4);
  }
  if (foreign && html.startsWith('<![CDATA[', lt)) {
    const end = html.indexOf(']]>', lt + 9);
    return end === -1 ? -1 : end + 3;
  }
  const end = html.indexOf('>', lt + 2);
  return end === -1 ? -1 : end + 1;
}

/** After a raw-text element's start tag: the index just past its end tag, or -1 if none. */
function rawTextEnd(html: string, from: number, name: string): number {
  const pattern = new RegExp(`</${name}[\\s/>]`, 'gi');
  pattern.lastIndex = from;
  const found = pattern.exec(html);
  if (!found) return -1;
  const after = found.index + found[0].length;
  if (found[0].endsWith('>')) return after;
  const tag = readTag(html, found.index + 2);
  return tag === null ? -1 : tag.end;
}

/**
 * After `<script>`: the index just past its end tag, or -1. Script data has escapes: inside `<!--`, a
 * `<script>` makes the next `</script>` part of the text (the tokenizer's double-escaped states).
 */
function scriptEnd(html: string, from: number): number {
  const token = /<!--|-->|<(\/?)script[\s/>]/gi;
  token.lastIndex = from;
  let state: 'data' | 'escaped' | 'double' = 'data';
  for (let m = token.exec(html); m; m = token.exec(html)) {
    const text = m[0];
    if (text === '<!--') {
      if (state === 'data') state = 'escaped';
    } else if (text === '-->') {
      state = 'data';
    } else if (m[1] === '/') {
      if (state === 'double') state = 'escaped';
      else {
        const tag = readTag(html, m.index + 2);
        return tag === null ? -1 : tag.end;
      }
    } else if (state === 'escaped') {
      state = 'double';
    }
    // `<script` inside the tag pattern may eat the `>` or `/` that follows; the next search starts there.
    token.lastIndex = m.index + text.length - (/[\s/>]$/.test(text) ? 1 : 0);
  }
  return -1;
}

function hasText(html: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isSpace(html.charCodeAt(k))) return true;
  return false;
}
