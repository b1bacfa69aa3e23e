/**
 * The "mentions per actor over the last 7 days" chart as inline SVG: one row of bars per actor (small
 * multiples on a shared scale, so rows compare), with the numbers written out, a <title> and a <desc>.
 * No script, no external font or image: it renders the same in a browser, a file viewer or a
 * screenshot. Pure: chart data in, markup out.
 */
import escapeHtml from 'escape-html';
import { DateTime } from 'luxon';
import type { DigestChart } from './build-digest.ts';

/** Layout in px. 540 wide fits the 600 px column most mail clients and templates use. */
const LABEL_WIDTH = 150;
const BAR_SLOT = 44;
const BAR_WIDTH = 30;
const TOTAL_WIDTH = 60;
const ROW_HEIGHT = 40;
/** Bar area of one row; the rest of the row is the value label above the bar. */
const BAR_MAX = 24;
const HEADER = 8;
const FOOTER = 20;
/** Names longer than this are cut so they stay inside the label column at 12 px. */
const MAX_LABEL_CHARS = 20;
const BAR_COLOR = '#0b5394';

const e = escapeHtml;

function label(name: string): string {
  const flat = name.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_LABEL_CHARS ? flat : `${flat.slice(0, MAX_LABEL_CHARS - 1).trimEnd()}…`;
}

function dayLabel(day: string): string {
  const t = DateTime.fromISO(day, { zone: 'utc' });
  return t.isValid ? t.toFormat('ccc d') : day;
}

/**
 * The chart as a standalone `<svg>` element (inline in the HTML digest). One `<g class="series">`
 * per actor, in the chart's order; every text escaped. `id` prefixes the title/desc ids so two charts
 * in one document do not clash.
 *
 * @example
 * ```ts
 * renderChartSvg({ days: ['2025-12-12', …, '2025-12-18'], series: [{ id: 'hamas', name: 'Hamas',
 *   counts: [1, 0, 2, 3, 0, 1, 4], total: 11 }] }, 'Mentions per actor, last 7 days');
 * // '<svg xmlns="http://www.w3.org/2000/svg" width="518" height="68" … role="img" …><title …>…</svg>'
 * ```
 */
export function renderChartSvg(chart: DigestChart, title: string, id = 'chart'): string {
  const width = LABEL_WIDTH + chart.days.length * BAR_SLOT + TOTAL_WIDTH;
  const height = HEADER + chart.series.length * ROW_HEIGHT + FOOTER;
  const max = Math.max(1, ...chart.series.flatMap((s) => s.counts));
  const desc = chart.series.map((s) => `${s.name}: ${s.counts.join(', ')} (total ${s.total})`).join('; ');
  const rows = chart.series.map((s, row) => {
    const top = HEADER + row * ROW_HEIGHT;
    const base = top + ROW_HEIGHT - 6;
    const bars = s.counts.map((n, i) => {
      const x = LABEL_WIDTH + i * BAR_SLOT + (BAR_SLOT - BAR_WIDTH) / 2;
      const h = n === 0 ? 0 : Math.max(2, Math.round((n / max) * BAR_MAX));
      const cx = x + BAR_WIDTH / 2;
      const day = chart.days[i] ?? '';
      return (
        `<rect x="${x}" y="${base - h}" width="${BAR_WIDTH}" height="${h}" fill="${BAR_COLOR}">` +
        `<title>${e(`${s.name}, ${day}: ${n}`)}</title></rect>` +
        `<text x="${cx}" y="${base - h - 2}" text-anchor="middle" font-size="10" fill="#555">${n}</text>`
      );
    });
    return (
      `<g class="series" data-actor="${e(s.id)}">` +
      `<line x1="${LABEL_WIDTH}" y1="${base}" x2="${LABEL_WIDTH + chart.days.length * BAR_SLOT}" y2="${base}" stroke="#ccc"/>` +
      `<text x="0" y="${base - 4}" fill="#222">${e(label(s.name))}</text>` +
      bars.join('') +
      `<text x="${width - 4}" y="${base - 4}" text-anchor="end" fill="#555">${s.total}</text>` +
      `</g>`
    );
  });
  const axis = chart.days.map(
    (day, i) =>
      `<text x="${LABEL_WIDTH + i * BAR_SLOT + BAR_SLOT / 2}" y="${height - 6}" text-anchor="middle" font-size="10" fill="#555">${e(dayLabel(day))}</text>`,
  );
  axis.push(
    `<text x="${width - 4}" y="${height - 6}" text-anchor="end" font-size="10" fill="#555">total</text>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-labelledby="${e(id)}-title ${e(id)}-desc" font-family="system-ui,-apple-system,'Segoe UI',Roboto,sans-serif" font-size="12" style="max-width:100%;height:auto">` +
    `<title id="${e(id)}-title">${e(title)}</title><desc id="${e(id)}-desc">${e(desc)}</desc>` +
    `${rows.join('')}${axis.join('')}</svg>`
  );
}
