/**
 * The structure scan against the tree jsdom really builds: on the dev-set pages that matter most to
 * the limits (the deepest and the biggest), and on markup chosen to fool a scan (raw text, comments,
 * implied and auto-closed elements, foreign content, misnested formatting).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { JSDOM, VirtualConsole } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { measurePageStructure } from '../../src/extract/measure-page-structure.ts';
import { projectRoot } from '../helpers/pipeline-setup.ts';

const devDir = path.resolve(projectRoot, '../shared/datasets/extraction');

/** What extractArticle strips before jsdom sees a page (jsdom 29 throws on SCSS in `<style>`). */
const withoutStyles = (html: string) =>
  html.replace(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi, '').replace(/\sstyle\s*=\s*"[^"]*\$[^"]*"/gi, '');

/** Depth (the root element is 1) and element count of the tree jsdom builds from `html`. */
function jsdomStructure(html: string): { depth: number; elements: number } {
  const dom = new JSDOM(html, { virtualConsole: new VirtualConsole() });
  try {
    const root = dom.window.document.documentElement;
    let depth = 0;
    const stack: [Element, number][] = [[root, 1]];
    for (let top = stack.pop(); top; top = stack.pop()) {
      const [element, level] = top;
      depth = Math.max(depth, level);
      for (const child of element.children) stack.push([child, level + 1]);
    }
    return { depth, elements: dom.window.document.getElementsByTagName('*').length };
  } finally {
    dom.window.close();
  }
}

describe('measurePageStructure on the extraction dev set', () => {
  const pages = readdirSync(devDir)
    .filter((name) => name.endsWith('.html'))
    .map((name) => {
      const html = withoutStyles(readFileSync(path.join(devDir, name), 'utf8'));
      return { name: name.slice(0, 12), html, scan: measurePageStructure(html) };
    });
  // jsdom takes ~15 s over all 91 pages; the deepest and the biggest are the ones the limits are about.
  const byDepth = [...pages].sort((a, b) => b.scan.depth - a.scan.depth).slice(0, 6);
  const bySize = [...pages].sort((a, b) => b.scan.elements - a.scan.elements).slice(0, 6);
  const chosen = [...new Set([...byDepth, ...bySize])];

  it('stays-far-below-the-limits-on-every-page', () => {
    expect(pages).toHaveLength(91);
    // Measured when the limits were set (extract-article.ts): depth 51, 1,596 elements at most.
    expect(Math.max(...pages.map((p) => p.scan.depth))).toBeLessThanOrEqual(60);
    expect(Math.max(...pages.map((p) => p.scan.elements))).toBeLessThan(2_000);
  });

  it.each(chosen)('gives-jsdom-depth-and-at-least-its-elements-$name', ({ html, scan }) => {
    const real = jsdomStructure(html);
    expect(scan.depth).toBe(real.depth);
    expect(scan.elements).toBeGreaterThanOrEqual(real.elements);
    expect(scan.elements - real.elements).toBeLessThanOrEqual(10);
  });
});

const FORMATTING = 'b big code em font i nobr s small strike strong tt u'.split(' ');

describe('measurePageStructure on markup meant to fool it', () => {
  // Each body goes inside `<html><body>`; jsdom adds the `<head>` the page leaves out, which the scan
  // does not count, hence `elements - 1` below. `deeper`: the scan errs deeper than jsdom on purpose.
  it.each([
    { name: 'nested-divs', body: '<div>'.repeat(50) },
    { name: 'divs-in-a-comment', body: `<!--${'<div>'.repeat(50)}-->` },
    { name: 'abrupt-comment-ends', body: `<!-->${'<div>'.repeat(5)}<!--->${'<div>'.repeat(5)}` },
    { name: 'divs-in-a-script', body: `<script>${"'<div>'".repeat(50)}</script><p>x` },
    {
      name: 'escaped-script-end',
      body: `<script><!--<script></script>${'<div>'.repeat(20)}</script></script>`,
    },
    { name: 'divs-in-a-textarea', body: `<textarea>${'<div>'.repeat(50)}</textarea>` },
    { name: 'self-closing-div-opens', body: '<div/>'.repeat(50) },
    { name: 'self-closing-svg-closes', body: `<svg>${'<g/>'.repeat(50)}</svg>` },
    { name: 'svg-nesting', body: `<svg>${'<g>'.repeat(50)}</svg>` },
    { name: 'html-breaks-out-of-svg', body: `<svg><g><g>${'<div>'.repeat(10)}` },
    {
      name: 'foreign-object-holds-html',
      body: `<svg><foreignObject>${'<div>'.repeat(20)}</foreignObject></svg>`,
    },
    { name: 'paragraphs-close-each-other', body: '<p>a'.repeat(50) },
    { name: 'list-items-close-each-other', body: `<ul>${'<li>a'.repeat(50)}</ul>` },
    { name: 'headings-close-headings', body: '<h1>'.repeat(20) + '<h2>'.repeat(20) },
    { name: 'nested-buttons', body: '<button>'.repeat(30) },
    { name: 'options-close-options', body: `<select>${'<option>a'.repeat(30)}</select>` },
    { name: 'implied-table-body', body: `<table>${'<td>a'.repeat(50)}</table>` },
    { name: 'nested-tables', body: '<table><tr><td>'.repeat(30) },
    { name: 'links-end-links', body: `${'<a>'.repeat(50)}x` },
    { name: 'stray-end-tags', body: '<div>' + '</span>'.repeat(50) + '<div>'.repeat(10) },
    { name: 'unquoted-slash-attribute', body: '<div><a href=/a/>x</a></div>'.repeat(10) },
    { name: 'attribute-holds-a-tag', body: '<div title="<div><div>">'.repeat(20) },
    { name: 'plaintext-ends-parsing', body: `<plaintext>${'<div>'.repeat(30)}` },
    { name: 'misnested-formatting', body: '<b><i><p></b>x</i>y' },
    { name: 'formatting-reopened-in-each-paragraph', body: `<p><b>${'<p>x'.repeat(30)}` },
    {
      name: 'every-formatting-element-reopened',
      body: `<p>${FORMATTING.map((f) => `<${f}>`.repeat(3)).join('')}${'<p>x'.repeat(100)}`,
      deeper: true,
    },
    { name: 'runaway-formatting-under-divs', body: `<b><i><u><s>${'<div>x'.repeat(40)}` },
    { name: 'adoption-agency-per-end-tag', body: '<b><div></b>x'.repeat(100), deeper: true },
    { name: 'adoption-agency-with-clones', body: '<b><i><u><div></b>x'.repeat(100), deeper: true },
    { name: 'adoption-agency-nested', body: `<b>${'<div><i>'.repeat(20)}</b>x`, deeper: true },
    { name: 'adoption-agency-repeated', body: `<b>${'<i><div>'.repeat(5)}</b>x`.repeat(50), deeper: true },
    {
      name: 'formatting-fostered-out-of-a-table',
      body: `<table>${'<b>x'.repeat(100)}</table>`,
      deeper: true,
    },
  ])('never-smaller-than-jsdom-$name', ({ body, deeper }) => {
    const html = `<html><body>${body}</body></html>`;
    const real = jsdomStructure(html);
    const scan = measurePageStructure(html);
    if (deeper) expect(scan.depth).toBeGreaterThanOrEqual(real.depth);
    else expect(scan.depth).toBe(real.depth);
    expect(scan.elements).toBeGreaterThanOrEqual(real.elements - 1);
  });

  it('stops-at-a-limit-and-says-so', () => {
    const html = '<div>'.repeat(5_000);
    expect(measurePageStructure(html)).toEqual({ depth: 5_000, elements: 5_000, stoppedEarly: false });
    const stopped = measurePageStructure(html, { maxDepth: 300, maxElements: 20_000 });
    expect(stopped.stoppedEarly).toBe(true);
    expect(stopped.depth).toBe(301);
  });
});
