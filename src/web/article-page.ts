/**
 * One article: its text with every tagged mention marked; each tag with its evidence sentence and,
 * as `cli explain` says it, the rule behind each mention (alias, office held on that date, demonym…),
 * what was refused and why, and the relevance decision with its numbers; the alerts it set off; and
 * the other copies of its story. All of it escaped: the text is whatever the page said.
 */
import type { StoredArticle } from '../store/articles.ts';
import type { Tag } from '../model.ts';
import type { Explanation, ExplainedTag } from '../tagging/explain-article.ts';
import { highlightMentions, type TextPiece } from './highlight-mentions.ts';
import { html, webHref, type SafeHtml } from './html.ts';

export interface ArticlePageData {
  article: StoredArticle;
  /** The other copies of its story (article id, feed, title). */
  copies: { articleId: number; feedId: string; title: string }[];
  names: Readonly<Record<string, string>>;
  /** Why each tag was given or refused, by the current watchlist; absent: no such section. */
  explanation?: Explanation;
  /** The alert deliveries this article made, per rule and channel. */
  alerts?: { ruleId: string; channel: string; status: string; sentAt: string | null }[];
}

/** Mentions shown per tag before "… n more": enough to see the rules at work. */
const SHOWN_MENTIONS = 5;

function whyGiven(tag: ExplainedTag | undefined): SafeHtml | string {
  if (!tag) return '';
  const shown = tag.mentions.slice(0, SHOWN_MENTIONS);
  const more = tag.mentions.length - shown.length;
  return html`<ul class="why">${shown.map(
    (m) =>
      html`<li>“${m.text}” in the ${m.field}: <span class="rule">${m.rule}</span>${m.detail ? html` (${m.detail})` : ''}</li>`,
  )}${more > 0 ? html`<li>… ${more} more</li>` : ''}${tag.refused.map(
    (m) => html`<li class="refused">“${m.text}” refused: ${m.reason}</li>`,
  )}</ul>`;
}

function explanationSection(explanation: Explanation, names: ArticlePageData['names']): SafeHtml {
  const r = explanation.relevance;
  const refused = explanation.tags.filter((t) => !t.given && t.refused.length > 0);
  return html`<section class="explanation"><h3>Relevance</h3>
    <p>${r.relevant ? 'Relevant' : 'Not relevant'}: ${r.onTopicSentences} of ${r.textSentences} text sentences on
    topic (share ${r.share.toFixed(2)}, at least ${r.minShare} needed); the title ${r.titleAnchor ? 'names' : 'does not name'}
    the story (with at least ${r.titleMinSentences} on-topic ${r.titleMinSentences === 1 ? 'sentence' : 'sentences'} that suffices).
    <span class="count">By the current watchlist, ${explanation.watchlistId}.</span></p>
    ${
      refused.length > 0
        ? html`<h3>Not given</h3><ul class="why">${refused.map(
            (t) =>
              html`<li><span class="tag ${t.kind}">${names[t.id] ?? t.name}</span> ${t.refused.map(
                (m) => html`“${m.text}” refused: ${m.reason}. `,
              )}</li>`,
          )}</ul>`
        : ''
    }
  </section>`;
}

function pieces(list: TextPiece[], names: ArticlePageData['names']): SafeHtml {
  return html`${list.map((p) =>
    'mention' in p
      ? html`<mark class="${p.mention.kind}" data-tag="${p.mention.id}" title="${names[p.mention.id] ?? p.mention.id}">${p.text}</mark>`
      : p.text,
  )}`;
}

function tagRow(
  kind: 'actor' | 'phase',
  tag: Tag,
  names: ArticlePageData['names'],
  explained: ExplainedTag | undefined,
): SafeHtml {
  const where = [tag.inTitle ? 'in the title' : '', tag.inLead ? 'in the lead' : '']
    .filter(Boolean)
    .join(', ');
  return html`<li class="tag-evidence" data-tag="${tag.id}">
    <a class="tag ${kind}" href="/?${kind}=${encodeURIComponent(tag.id)}">${names[tag.id] ?? tag.id}</a>
    <span class="count">${tag.count} ${tag.count === 1 ? 'mention' : 'mentions'}${where ? `, ${where}` : ''}</span>
    <blockquote>${tag.evidence}</blockquote>
    ${whyGiven(explained)}
  </li>`;
}

export function articlePage({ article, copies, names, explanation, alerts }: ArticlePageData): SafeHtml {
  const href = webHref(article.url);
  const explainedAs = (kind: 'actor' | 'phase', id: string) =>
    explanation?.tags.find((t) => t.kind === kind && t.id === id && t.given);
  const tags = [
    ...article.phases.map((t) => tagRow('phase', t, names, explainedAs('phase', t.id))),
    ...article.actors.map((t) => tagRow('actor', t, names, explainedAs('actor', t.id))),
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
    ${explanation ? explanationSection(explanation, names) : ''}
    ${
      alerts && alerts.length > 0
        ? html`<section class="alerts"><h3>Alerts</h3><ul>${alerts.map(
            (a) =>
              html`<li><a href="/rules#rule-${a.ruleId}">${a.ruleId}</a> to ${a.channel}: <span class="status status-${a.status}">${a.status}</span>${a.sentAt ? html` <time datetime="${a.sentAt}">${a.sentAt.slice(0, 16).replace('T', ' ')} UTC</time>` : ''}</li>`,
          )}</ul></section>`
        : ''
    }
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
