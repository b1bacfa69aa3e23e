/**
 * The phase tracker page: the range form (a GET form, no JavaScript), then one inline SVG per kind,
 * phases then actors, with a row of daily bars per tag on a shared scale (small multiples, as the
 * digest's chart). Each bar is a link to the stories page filtered to its tag and day, with a <title>
 * as its tooltip. No inline style: the Content-Security-Policy blocks it, so the SVG uses presentation
 * attributes and the stylesheet's classes.
 */
import type { PhaseTimeline, TimelineSeries } from '../store/phase-timeline.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * Layout in px, the digest chart's label column and row (render-chart.ts) with a plot width set so the
 * whole chart (860) fits the 60em page column at 15 px; the browser scales it down below that.
 */
const LABEL_WIDTH = 150;
const PLOT_WIDTH = 660;
const TOTAL_WIDTH = 50;
const ROW_HEIGHT = 30;
/** Bar area of one row; the rest is the gap to the row above. */
const BAR_MAX = 22;
const HEADER = 6;
const FOOTER = 18;
/** Share of a day's slot the bar fills: the gap keeps neighbouring days apart at 30 days (22 px slots). */
const BAR_SHARE = 0.7;
/** The digest's bar width: a week's bars stay bars rather than blocks. */
const BAR_MAX_WIDTH = 30;
/** Room between the chart's edge and the names. */
const LABEL_INSET = 6;
/** Day labels under the axis: at most this many, 66 px apart on the 660 px plot, wide enough for "19 Dec". */
const MAX_DAY_LABELS = 10;
/** Names longer than this are cut so they stay inside the label column at 12 px, as in the digest. */
const MAX_LABEL_CHARS = 20;
const BAR_COLOR = '#0b5394';

const KINDS = [
  { kind: 'phase', heading: 'Phases', none: 'No phase tagged in this range.' },
  { kind: 'actor', heading: 'Actors', none: 'No actor tagged in this range.' },
] as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface TrackerPageData {
  timeline: PhaseTimeline;
  names: Readonly<Record<string, string>>;
}

/** Two decimals at most: exact enough for a pixel, short enough for a 366-day chart. */
const px = (n: number) => Math.round(n * 100) / 100;

const plural = (n: number) => `${n} ${n === 1 ? 'story' : 'stories'}`;

function label(name: string): string {
  const flat = name.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_LABEL_CHARS ? flat : `${flat.slice(0, MAX_LABEL_CHARS - 1).trimEnd()}…`;
}

function dayLabel(day: string): string {
  const month = MONTHS[Number(day.slice(5, 7)) - 1] ?? day.slice(5, 7);
  return `${Number(day.slice(8, 10))} ${month}`;
}

/** The stories page for one tag over some days, with the tracker's relevance filter. */
function storiesHref(s: TimelineSeries, from: string, to: string, relevant: boolean): string {
  const query = new URLSearchParams([
    [s.kind, s.id],
    ['from', from],
    ['to', to],
  ]);
  if (relevant) query.set('relevant', 'true');
  return `/?${query.toString()}`;
}

function chart(
  timeline: PhaseTimeline,
  series: TimelineSeries[],
  kind: string,
  names: TrackerPageData['names'],
) {
  const { days, relevant } = timeline;
  const slot = PLOT_WIDTH / days.length;
  const barWidth = px(Math.min(BAR_MAX_WIDTH, Math.max(1, slot * BAR_SHARE)));
  const width = LABEL_WIDTH + PLOT_WIDTH + TOTAL_WIDTH;
  const height = HEADER + series.length * ROW_HEIGHT + FOOTER;
  const max = Math.max(1, ...series.flatMap((s) => s.counts));
  const plotEnd = LABEL_WIDTH + PLOT_WIDTH;

  const row = (s: TimelineSeries, r: number) => {
    const name = names[s.id] ?? s.id;
    const top = HEADER + r * ROW_HEIGHT;
    const base = top + ROW_HEIGHT - 4;
    const bars = s.counts.map((n, i) => {
      const day = days[i] ?? '';
      if (n === 0) return '';
      const x = LABEL_WIDTH + i * slot;
      const h = Math.max(2, Math.round((n / max) * BAR_MAX));
      // The transparent slot is the click target, so a 1-story bar is as easy to hit as a tall one.
      return html`<a class="day" href="${storiesHref(s, day, day, relevant)}"><title>${name}, ${day}: ${plural(n)}</title><rect class="hit" x="${px(x)}" y="${top}" width="${px(slot)}" height="${ROW_HEIGHT}" fill="#fff" fill-opacity="0"/><rect class="bar" x="${px(x + (slot - barWidth) / 2)}" y="${base - h}" width="${barWidth}" height="${h}" fill="${BAR_COLOR}"/></a>`;
    });
    return html`<g class="series" data-kind="${s.kind}" data-tag="${s.id}">
<line x1="${LABEL_WIDTH}" y1="${base}" x2="${plotEnd}" y2="${base}" stroke="#ccc"/>
<a class="tag" href="${storiesHref(s, timeline.from, timeline.to, relevant)}"><title>${name}, ${timeline.from} to ${timeline.to}: ${plural(s.total)}</title><text x="${LABEL_INSET}" y="${base - 4}" fill="#222">${label(name)}</text></a>
${bars}
<text x="${width - 4}" y="${base - 4}" text-anchor="end" fill="#555">${s.total}</text>
</g>`;
  };

  // Counted back from the last day, so the newest day always has its label.
  const every = Math.ceil(days.length / MAX_DAY_LABELS);
  const axis = days.map((day, i) =>
    (days.length - 1 - i) % every === 0
      ? html`<text x="${px(LABEL_WIDTH + (i + 0.5) * slot)}" y="${height - 5}" text-anchor="middle" font-size="10" fill="#555">${dayLabel(day)}</text>`
      : '',
  );
  const id = `tracker-${kind}`;
  return html`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-labelledby="${id}-title" font-family="system-ui, sans-serif" font-size="12">
<title id="${id}-title">Stories per day and ${kind}, ${timeline.from} to ${timeline.to}</title>
${series.map(row)}
${axis}
<text x="${width - 4}" y="${height - 5}" text-anchor="end" font-size="10" fill="#555">total</text>
</svg>`;
}

/**
 * The tracker: the form, then one chart per kind, or a sentence when the range holds no story.
 *
 * @example
 * trackerPage({ timeline: await phaseTimeline(db, range), names: { 'phase-two': 'Phase two' } });
 */
export function trackerPage(data: TrackerPageData): SafeHtml {
  const { timeline, names } = data;
  const checked = timeline.relevant ? html` checked` : '';
  const form = html`<form class="filters" method="get" action="/tracker">
      <label>From <input type="date" name="from" value="${timeline.from}"></label>
      <label>To <input type="date" name="to" value="${timeline.to}"></label>
      <label class="check"><input type="checkbox" name="relevant" value="true"${checked}> relevant only</label>
      <button type="submit">Show</button>
    </form>`;
  const scope = html`${timeline.from} to ${timeline.to} (UTC)${timeline.relevant ? ', relevant articles only' : ''}`;
  if (timeline.series.length === 0) {
    return html`${form}
    <p class="empty">No stories in this range: ${scope}.</p>`;
  }
  const sections = KINDS.map(({ kind, heading, none }) => {
    const series = timeline.series.filter((s) => s.kind === kind);
    return html`<section class="tracker" data-kind="${kind}"><h2>${heading}</h2>
    ${series.length === 0 ? html`<p class="empty">${none}</p>` : chart(timeline, series, kind, names)}
    </section>`;
  });
  return html`${form}
    <p class="count">Stories per day, ${scope}; a bar opens that day's stories, a name the whole range's.</p>
    ${sections}`;
}
