/**
 * HTML built with a tagged template that escapes every interpolated value (escape-html), so feed
 * content cannot become markup by forgetting to escape it: only another `html` fragment passes through
 * as it is.
 *
 * @example
 * html`<h2>${title}</h2>`; // a title of `<img src=x onerror=alert(1)>` shows as text
 */
import escapeHtml from 'escape-html';

/** Markup known to be safe: built by `html`, never from a plain string. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | readonly Interpolated[];

function render(value: Interpolated): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: Interpolated) => render(v)).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0] ?? '';
  for (const [i, value] of values.entries()) out += render(value) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** An href only for http(s) URLs: a feed's `javascript:` link becomes no link at all. */
export function webHref(url: string): string | null {
  return /^https?:\/\//i.test(url) ? url : null;
}
