import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { blockText } from '../../src/extract/block-text.ts';
import { BOILERPLATE_FILTERS, removeBoilerplate } from '../../src/extract/boilerplate-filters.ts';

/** A paragraph of story long enough that boilerplate is a small share of the content. */
const STORY =
  '<p>The ceasefire in Gaza held for a third day as aid trucks crossed at Rafah and Kerem Shalom, officials said, while negotiators met again in Cairo to discuss the next phase of the agreement.</p>';

function filtered(html: string, only?: string): string {
  const root = JSDOM.fragment(`<div>${STORY}${html}${STORY}</div>`).firstElementChild as Element;
  const filters = only ? BOILERPLATE_FILTERS.filter((filter) => filter.name === only) : BOILERPLATE_FILTERS;
  removeBoilerplate(root, { title: 'Truce holds in Gaza' }, filters);
  return blockText(root);
}

// Snippets reduced from pages of the extraction dev set (shared/datasets/extraction), markup kept as found.
describe('removeBoilerplate removes', () => {
  it.each([
    {
      name: 'figure-caption-and-credit',
      filter: 'boilerplate-tags',
      html: '<figure class="article__media"><figcaption class="article__media-caption"><span class="article__media-span">The latest case of bubonic plague was reported after a hunter killed and ate a rabbit</span><span class="article__credit">Credit: Getty - Contributor</span></figcaption></figure>',
      gone: 'bubonic plague',
    },
    {
      name: 'header-with-kicker-and-times',
      filter: 'boilerplate-tags',
      html: '<header><nav aria-label="articleLabel"><ol><li><a href="/entertainment">Entertainment</a></li></ol></nav><p><span><time datetime="2019-11-19T11:55:20.660Z">Updated Nov 19, 6:55 AM;</time></span></p></header>',
      gone: 'Entertainment',
    },
    {
      name: 'site-menu-by-role',
      filter: 'boilerplate-roles',
      html: '<ul class="topnav" role="menu"><li><a href="/">Home</a></li><li><a href="/news/">News</a></li></ul>',
      gone: 'Home',
    },
    {
      name: 'promo-rail-by-class',
      filter: 'boilerplate-classes',
      html: '<div class="rail__item"><h3 class="rail__item-headline">RANDY ANDY</h3><p><span class="rail__item-sub">Andrew parties in unearthed pics</span></p></div>',
      gone: 'RANDY ANDY',
    },
    {
      name: 'hover-card-by-class',
      filter: 'boilerplate-classes',
      html: '<p>Rep. <span class="rollover-people"><a class="rollover-people-link">Ilhan Omar</a><span class="rollover-people-block"><a class="people-articles">Hillicon Valley: Progressives oppose funding bill</a></span></span> said.</p>',
      gone: 'Hillicon Valley',
    },
    {
      name: 'subscribe-call-by-class',
      filter: 'boilerplate-classes',
      html: '<div class="nrplus-cta-wrap"><h4>Something to Consider</h4><p>If you enjoyed this article, we have a proposition for you: Join NRPLUS.</p></div>',
      gone: 'Something to Consider',
    },
    {
      name: 'author-bio-by-class',
      filter: 'boilerplate-classes',
      html: '<div class="author-bio"><p>Trevor Daugherty is the Senior Editor of 9to5Toys.</p></div>',
      gone: 'Senior Editor',
    },
    {
      name: 'camel-case-caption-class',
      filter: 'boilerplate-classes',
      html: '<p><span class="newsCaption">China has warned they will cease control of Hong Kong</span></p>',
      gone: 'cease control',
    },
    {
      name: 'screen-reader-label',
      filter: 'boilerplate-classes',
      html: '<p><span class="off-screen">Image copyright</span></p>',
      gone: 'Image copyright',
    },
    {
      name: 'you-may-also-like',
      filter: 'boilerplate-phrases',
      html: '<p>You may also like...</p>',
      gone: 'You may also like',
    },
    {
      name: 'advertisement-label',
      filter: 'boilerplate-phrases',
      html: '<p>Advertisement</p>',
      gone: 'Advertisement',
    },
    {
      name: 'continue-reading-below',
      filter: 'boilerplate-phrases',
      html: '<p>Continue Reading Below</p>',
      gone: 'Continue Reading',
    },
    {
      name: 'newsletter-call',
      filter: 'boilerplate-phrases',
      html: '<p>Get the latest updates right in your inbox. Subscribe to NJ.com’s newsletters.</p>',
      gone: 'newsletters',
    },
    {
      name: 'follow-us',
      filter: 'boilerplate-phrases',
      html: '<p><i>Follow Newsbeat on <a href="https://instagram.com/">Instagram</a>, <a href="https://facebook.com/">Facebook</a>.</i></p>',
      gone: 'Follow Newsbeat',
    },
    {
      name: 'image-credit-in-parentheses',
      filter: 'boilerplate-phrases',
      html: '<p>(Image: © NASA/ESA/K. Retherford/SWRI)</p>',
      gone: 'Retherford',
    },
    {
      name: 'photo-credit-agency',
      filter: 'boilerplate-phrases',
      html: '<p>Natalie Naccache | Bloomberg | Getty Images</p>',
      gone: 'Naccache',
    },
    {
      name: 'related-promo-header',
      filter: 'boilerplate-phrases',
      html: '<p><strong>Related:</strong> <a href="/x">Possible Water Plumes on Europa</a></p>',
      gone: 'Water Plumes',
    },
    {
      name: 'comment-prompt',
      filter: 'boilerplate-phrases',
      html: '<p>Tell us what YOU think...</p>',
      gone: 'YOU think',
    },
    {
      name: 'dateline-updated-posted',
      filter: 'datelines',
      html: '<p>Updated Nov 19, 6:55 AM;Posted Nov 19, 6:51 AM</p>',
      gone: 'Posted',
    },
    {
      name: 'dateline-with-outlet',
      filter: 'datelines',
      html: '<p>November 20, 2019 / 1:07 AM / CBS</p>',
      gone: '1:07',
    },
    {
      name: 'byline',
      filter: 'bylines',
      html: '<p>By Justine Coleman - 11/18/19 11:04 PM EST</p>',
      gone: 'Justine',
    },
    {
      name: 'repeated-headline',
      filter: 'title-repeat',
      html: '<h2>Truce holds in Gaza</h2>',
      gone: 'Truce holds',
    },
    {
      name: 'link-only-promo',
      filter: 'link-only-blocks',
      html: '<p><strong><a href="https://www.foxbusiness.com/x">CO-FOUNDER \'PROUD\' OF HOME DEPOT EMPLOYEES</a></strong></p>',
      gone: 'CO-FOUNDER',
    },
  ])('$name', ({ filter, html, gone }) => {
    // The filter alone removes it, and so does the full set; the story stays.
    for (const text of [filtered(html, filter), filtered(html)]) {
      expect(text).not.toContain(gone);
      expect(text).toContain('aid trucks crossed at Rafah');
    }
    expect(filtered(html, 'no-such-filter')).toContain(gone);
  });
});

describe('removeBoilerplate keeps', () => {
  it.each([
    {
      name: 'article-wrapper-with-boilerplate-class',
      html: `<article class="post tag-review category-news">${STORY.repeat(3)}</article>`,
      kept: 'negotiators met again',
    },
    {
      name: 'long-paragraph-mentioning-subscribers',
      html: '<p>The broadcaster said it would ask its subscribers to sign up for a new service next year, after the ceasefire talks pushed news ratings to a record high in October.</p>',
      kept: 'ask its subscribers',
    },
    {
      name: 'paragraph-with-inline-link',
      html: '<p><a href="https://www.rollingstone.com/">Rolling Stone</a> reported details of the reunion tour that stops at Blossom Music Center on July 22.</p>',
      kept: 'reported details',
    },
    {
      name: 'short-story-sentence',
      html: '<p>Talks resume on Monday.</p>',
      kept: 'Talks resume on Monday.',
    },
    {
      name: 'long-linked-sentence',
      html: '<p><a href="/x">Israel and Hamas agreed on Thursday to extend the truce by two days, mediators in Qatar said, as the last group of hostages freed under the deal reached Israel late on Wednesday night</a></p>',
      kept: 'extend the truce',
    },
  ])('$name', ({ html, kept }) => {
    expect(filtered(html)).toContain(kept);
  });
});
