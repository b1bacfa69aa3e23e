/**
 * One article: its text with every tagged mention marked, each tag with its evidence sentence, and
 * the other copies of its story. All of it escaped: the text is whatever the page said.
 */
import type { StoredArticle } from '../store/articles.ts';
import type { Tag } from '../model.ts';
import { highlightMentions, type TextPiece } from './highlight-mentions.ts';
import { html, webHref, type SafeHtml } from './html.ts';

export interface ArticlePageData {
  article: StoredArticle;
  /** The other copies of its story (article id, feed, title). */
  copies: { articleId: number; feedId: string; title: string }[];
  names: Readonly<Record<string, string>>;
}

function pieces(list: TextPiece[], names: ArticlePageData['names']): SafeHtml {
  return html`${list.map((p) =>
    'mention' in p
      ? html`<mark class="${p.mention.kind}" data-tag="${p.mention.id}" title="${names[p.mention.id] ?? p.mention.id}">${p.text}</mark>`
      : p.text,
  )}`;
}

function tagRow(kind: 'actor' | 'phase', tag: Tag, names: ArticlePageData['names']): SafeHtml {
  const where = [tag.inTitle ? 'in the title' : '', tag.inLead ? 'in the lead' : '']
    .filter(Boolean)
    .join(', ');
  return html`<li class="tag-evidence" data-tag="${tag.id}">
    <a class="tag ${kind}" href="/?${kind}=${encodeURIComponent(tag.id)}">${names[tag.id] ?? tag.id}</a>
    <span class="count">${tag.count} ${tag.count === 1 ? 'mention' : 'mentions'}${where ? `, ${where}` : ''}</span>
    <blockquote>${tag.evidence}</blockquote>
  </li>`;
}

export function articlePage({ article, copies, names }: ArticlePageData): SafeHtml {
  const href = webHref(article.url);
  const tags = [
    ...article.phases.map((t) => tagRow('phase', t, names)),
    ...article.actors.map((t) => tagRow('actor', t, names)),
  ];
  return html`<p class="meta">
      <span class="feed">${article.feedId}</span>
      ${article.published ? html`<time datetime="${article.published}">${article.published.slice(0, 16).replace('T', ' ')} UTC</time>` : ''}
      ${article.relevant ? html`<span class="badge">relevant</span>` : html`<span>not relevant</span>`}
      <span>text from the ${article.source === 'page' ? 'page' : 'feed (the page could not be used)'}</span>
      ${href ? html`<a href="${href}" rel="noreferrer">original</a>` : ''}
    </p>
    <h2 class="article-title">${pieces(highlightMentions(article.title, article.mentions, 'title'), names)}</h2>
    <section class="tags"><h3>Tags and their evidence</h3>
      ${tags.length > 0 ? html`<ul>${tags}</ul>` : html`<p>No actor or phase found.</p>`}
    </section>
    ${
      copies.length > 0
        ? html`<section class="copies"><h3>Other copies of this story</h3><ul>${copies.map(
            (c) =>
              html`<li><span class="feed">${c.feedId}</span> <a href="/articles/${c.articleId}">${c.title}</a></li>`,
          )}</ul></section>`
        : ''
    }
    <section class="text"><h3>Text</h3>
      <div class="article-text">${pieces(highlightMentions(article.text, article.mentions, 'text'), names)}</div>
    </section>`;
}
