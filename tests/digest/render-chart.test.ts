import { describe, expect, it } from 'vitest';
import { JSDOM } from 'jsdom';
import type { DigestChart } from '../../src/digest/build-digest.ts';
import { renderChartSvg } from '../../src/digest/render-chart.ts';

const days = [
  '2025-12-12',
  '2025-12-13',
  '2025-12-14',
  '2025-12-15',
  '2025-12-16',
  '2025-12-17',
  '2025-12-18',
];
function series(id: string, counts: number[], name = id) {
  return { id, name, counts, total: counts.reduce((a, b) => a + b, 0) };
}

/** Parses the SVG as a browser would inside HTML, so the assertions read the DOM, not the string. */
function parse(svg: string): Document {
  return new JSDOM(`<!doctype html><body>${svg}</body>`).window.document;
}

describe('renderChartSvg', () => {
  it.each<{ name: string; chart: DigestChart; rows: string[] }>([
    { name: 'one-actor', chart: { days, series: [series('hamas', [1, 0, 2, 3, 0, 1, 4])] }, rows: ['hamas'] },
    {
      name: 'six-actors',
      chart: {
        days,
        series: ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => series(id, [i, 0, 0, 0, 0, 0, 1])),
      },
      rows: ['a', 'b', 'c', 'd', 'e', 'f'],
    },
  ])('series-per-actor-$name', ({ chart, rows }) => {
    const doc = parse(renderChartSvg(chart, 'Mentions per actor'));
    const groups = [...doc.querySelectorAll('svg > g.series')];
    expect(groups.map((g) => g.getAttribute('data-actor'))).toEqual(rows);
    for (const g of groups) expect(g.querySelectorAll('rect')).toHaveLength(days.length);
    expect(doc.querySelector('svg')?.getAttribute('role')).toBe('img');
    expect(doc.querySelector('svg > title')?.textContent).toBe('Mentions per actor');
  });

  it('bars-on-shared-scale-with-values', () => {
    const doc = parse(
      renderChartSvg(
        { days, series: [series('a', [0, 0, 0, 0, 0, 0, 10]), series('b', [0, 0, 0, 0, 0, 0, 5])] },
        't',
      ),
    );
    const heights = [...doc.querySelectorAll('g.series')].map((g) =>
      [...g.querySelectorAll('rect')].map((r) => Number(r.getAttribute('height'))),
    );
    expect(heights[0]?.[6]).toBe(2 * (heights[1]?.[6] ?? 0));
    expect(heights[0]?.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
    // Values and totals are written out, not only drawn.
    const texts = [...(doc.querySelectorAll('g.series')[0]?.querySelectorAll('text') ?? [])].map(
      (t) => t.textContent,
    );
    expect(texts).toContain('10');
    expect(doc.querySelector('desc')?.textContent).toBe(
      'a: 0, 0, 0, 0, 0, 0, 10 (total 10); b: 0, 0, 0, 0, 0, 0, 5 (total 5)',
    );
  });

  it.each([
    {
      name: 'name',
      s: series('x', [1, 0, 0, 0, 0, 0, 0], '<script>alert(1)</script> & "q"'),
      text: '<script>alert(1)</script> & "q"',
    },
    {
      name: 'id-attribute',
      s: series('"><script>alert(2)</script>', [1, 0, 0, 0, 0, 0, 0], 'Safe'),
      text: 'Safe',
    },
  ])('escapes-$name', ({ s, text }) => {
    const svg = renderChartSvg({ days, series: [s] }, 'Title <i>&</i>');
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<i>');
    const doc = parse(svg);
    expect(doc.querySelectorAll('script')).toHaveLength(0);
    expect(doc.querySelector('svg > title')?.textContent).toBe('Title <i>&</i>');
    expect(doc.querySelector('g.series')?.getAttribute('data-actor')).toBe(s.id);
    // Long names are cut to fit the label column; the full name stays in the desc and bar titles.
    expect(doc.querySelector('g.series > text')?.textContent).toBe(
      text.length <= 20 ? text : `${text.slice(0, 19).trimEnd()}…`,
    );
  });

  it('day-labels', () => {
    const doc = parse(renderChartSvg({ days, series: [series('a', [1, 1, 1, 1, 1, 1, 1])] }, 't'));
    const labels = [...doc.querySelectorAll('svg > text')].map((t) => t.textContent);
    expect(labels).toEqual(['Fri 12', 'Sat 13', 'Sun 14', 'Mon 15', 'Tue 16', 'Wed 17', 'Thu 18', 'total']);
  });
});
