/**
 * The recent-stories page: the filter form (works without JavaScript: a GET form), then one row per
 * story with all its sources, its actors and phases, and with a search the best copy's snippet.
 */
import type { StoryFilters, StoryRow } from '../store/story-search.ts';
import { html, webHref, type SafeHtml } from './html.ts';

export interface TagCount {
  kind: 'actor' | 'phase';
  id: string;
  stories: number;
}

export interface StoriesPageData {
  filters: StoryFilters;
  stories: StoryRow[];
  total: number;
  tags: TagCount[];
  feeds: string[];
  names: Readonly<Record<string, string>>;
}

function select(
  name: string,
  label: string,
  chosen: string | undefined,
  options: [string, string][],
): SafeHtml {
  const option = ([value, text]: [string, string]) =>
    html`<option value="${value}"${chosen === value ? html` selected` : ''}>${text}</option>`;
  return html`<label>${label}
    <select name="${name}"><option value="">any</option>${options.map(option)}</select></label>`;
}

/** To the page of the best-matching copy (the first copy without a search), where its tags are shown. */
function titleLink(story: StoryRow): SafeHtml {
  const best = story.sources.find((s) => s.articleId === story.match?.articleId) ?? story.sources[0];
  return best ? html`<a href="/articles/${best.articleId}">${story.title}</a>` : html`${story.title}`;
}

function storyRow(story: StoryRow, names: StoriesPageData['names']): SafeHtml {
  const name = (id: string) => names[id] ?? id;
  const tag = (kind: 'actor' | 'phase', id: string) =>
    html`<a class="tag ${kind}" href="/?${kind}=${encodeURIComponent(id)}">${name(id)}</a>`;
  const snippet = story.match
    ? html`<p class="snippet">${story.match.snippet.map((p) => (p.mark ? html`<mark>${p.text}</mark>` : p.text))}</p>`
    : '';
  const source = (s: StoryRow['sources'][number]) => {
    const href = webHref(s.url);
    const title = href ? html`<a href="${href}" rel="noreferrer">${s.title}</a>` : s.title;
    return html`<li><span class="feed">${s.feedId}</span> ${title}</li>`;
  };
  return html`<li class="story" data-story="${story.storyId}">
    <h3>${titleLink(story)}</h3>
    <p class="meta"><time datetime="${story.latestAt}">${story.latestAt.slice(0, 16).replace('T', ' ')} UTC</time>
      ${story.relevant ? html`<span class="badge">relevant</span>` : ''}
      ${story.phases.map((id) => tag('phase', id))}
      ${story.actors.map((id) => tag('actor', id))}
    </p>
    ${snippet}
    <ul class="sources">${story.sources.map(source)}</ul>
  </li>`;
}

export function storiesPage(data: StoriesPageData): SafeHtml {
  const { filters, names } = data;
  const byKind = (kind: 'actor' | 'phase'): [string, string][] =>
    data.tags.filter((t) => t.kind === kind).map((t) => [t.id, `${names[t.id] ?? t.id} (${t.stories})`]);
  const query = new URLSearchParams(
    Object.entries(filters).flatMap(([k, v]) =>
      v === undefined || v === false || k === 'offset' || k === 'limit' ? [] : [[k, String(v)]],
    ),
  );
  const next = filters.offset + filters.limit < data.total ? filters.offset + filters.limit : null;
  const prev = filters.offset > 0 ? Math.max(0, filters.offset - filters.limit) : null;
  const page = (offset: number) =>
    `/?${new URLSearchParams([...query, ['offset', String(offset)]]).toString()}`;
  const checked = filters.relevant ? html` checked` : '';
  return html`<form class="filters" method="get" action="/" role="search">
      <label>Search <input type="search" name="q" value="${filters.q ?? ''}" placeholder='"second phase" -Lebanon'></label>
      ${select('actor', 'Actor', filters.actor, byKind('actor'))}
      ${select('phase', 'Phase', filters.phase, byKind('phase'))}
      ${select(
        'feed',
        'Feed',
        filters.feed,
        data.feeds.map((f) => [f, f]),
      )}
      <label>From <input type="date" name="from" value="${filters.from ?? ''}"></label>
      <label>To <input type="date" name="to" value="${filters.to ?? ''}"></label>
      <label class="check"><input type="checkbox" name="relevant" value="true"${checked}> relevant only</label>
      <button type="submit">Show</button>
    </form>
    <p class="count">${data.total} ${data.total === 1 ? 'story' : 'stories'}${filters.q ? ', best match first' : ''}</p>
    <ol class="stories">${data.stories.map((s) => storyRow(s, names))}</ol>
    <nav class="pages">
      ${prev === null ? '' : html`<a rel="prev" href="${page(prev)}">newer</a>`}
      ${next === null ? '' : html`<a rel="next" href="${page(next)}">older</a>`}
    </nav>`;
}
