/**
 * Stored copies of real stories, as composeAlert receives them from the store: the seed fixture as
 * tagged, and the syndicated copies of tests/fixtures/stories tagged by the shipped watchlist, so that
 * alert tests run the real tagger → rule → evidence path rather than hand-written mentions.
 */
import { readFileSync } from 'node:fs';
import { composeAlert, type AlertMessage, type StoryCopy } from '../../src/alerts/compose-alert.ts';
import { canonicalUrl } from '../../src/feeds/canonical-url.ts';
import { AlertRuleSchema, TaggedArticleSchema } from '../../src/model.ts';
import type { AlertRule, Channel, TaggedArticle } from '../../src/model.ts';
import { watchlistNames } from '../../src/pipeline/open-context.ts';
import { tagArticle } from '../../src/tagging/tag-article.ts';
import { matcher, watchlist } from '../tagging/shipped-watchlist.ts';

/** Display names of the shipped watchlist's actors and phases, as the pipeline passes them. */
export const names = watchlistNames(watchlist);

/** Feed titles for the outlets of tests/fixtures/stories/README.md. */
export const FEED_TITLES: Readonly<Record<string, string>> = {
  seed: 'Seed Wire',
  wire: 'Wire',
  'regional-daily': 'Regional Daily',
  'ap-member': 'AP Member Paper',
  aggregator: 'Aggregator',
  'wire-brief': 'Wire Brief',
  gdn: 'Gulf Daily News',
};

/** The seed article with the fixture's tags (see its `_source`; it has no mention offsets). */
export const seed: TaggedArticle = TaggedArticleSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/alerts/seed-tagged.json', import.meta.url), 'utf8')),
);

/** A tagged article as the store lists it back. */
export function copyOf(article: TaggedArticle, id: number, patch: Partial<StoryCopy> = {}): StoryCopy {
  return {
    id,
    feedId: article.feedId,
    url: article.url,
    canonicalUrl: article.canonicalUrl,
    title: article.title,
    byline: article.byline,
    lang: article.lang,
    text: article.text,
    published: article.published,
    fetchedAt: article.fetchedAt,
    source: article.source,
    relevant: article.tags.relevant,
    actors: article.tags.actors,
    phases: article.tags.phases,
    mentions: article.tags.mentions,
    ...patch,
  };
}

export function storyText(file: string): string {
  return readFileSync(new URL(`../fixtures/stories/${file}`, import.meta.url), 'utf8');
}

export interface OtherStory {
  id: string;
  source_url: string;
  title: string;
  text: string;
}

/** One of the ten other real Gaza stories of tests/fixtures/stories/gaza-other-stories.jsonl. */
export function otherStory(id: string): OtherStory {
  const found = storyText('gaza-other-stories.jsonl')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OtherStory)
    .find((story) => story.id === id);
  if (!found) throw new Error(`no story ${id} in gaza-other-stories.jsonl`);
  return found;
}

/** A copy tagged by the shipped watchlist, the way the article step tags it. */
export function taggedCopy(fields: {
  id: number;
  feedId: string;
  url: string;
  title: string;
  text: string;
  published: string | null;
  fetchedAt?: string;
}): StoryCopy {
  const { id, feedId, url, title, text, published } = fields;
  const tags = tagArticle({ title, text, published }, matcher);
  return {
    id,
    feedId,
    url,
    canonicalUrl: canonicalUrl(url),
    title,
    byline: null,
    lang: 'en',
    text,
    published,
    fetchedAt: fields.fetchedAt ?? published ?? '2025-12-19T00:00:00.000Z',
    source: 'page',
    relevant: tags.relevant,
    actors: tags.actors,
    phases: tags.phases,
    mentions: tags.mentions,
  };
}

/** A rule as config/alerts.yaml gives it: zod applies the defaults (empty lists, relevantOnly). */
export function rule(fields: Record<string, unknown>): AlertRule {
  return AlertRuleSchema.parse({ id: 'r', channels: ['slack'], ...fields });
}

/** The seed's headline (its copies carry no title of their own; outlets ran the wire headline). */
export const SEED_TITLE = seed.title;

/**
 * The seed story as five outlets stored it, with tracking parameters on the links as feeds deliver
 * them. Published times are made up (the copies have none) and chosen so that the shortest brief,
 * which lacks the later paragraphs, is the earliest copy.
 */
export const storyCopies: StoryCopy[] = [
  taggedCopy({
    id: 11,
    feedId: 'wire-brief',
    url: 'https://brief.example.net/gaza/witkoff-miami?utm_source=twitter&utm_medium=social',
    title: SEED_TITLE,
    text: storyText('copy--wire-brief-first-two-paragraphs.txt'),
    published: '2025-12-18T13:50:00.000Z',
  }),
  taggedCopy({
    id: 12,
    feedId: 'ap-member',
    url: 'https://news.example.org/world/witkoff-miami-talks?id=4471&utm_campaign=rss&fbclid=IwAR0x',
    title: SEED_TITLE,
    text: storyText('copy--ap-style-trimmed.txt'),
    published: '2025-12-18T14:05:00.000Z',
  }),
  taggedCopy({
    id: 13,
    feedId: 'wire',
    url: 'https://www.example.com/world/2025/12/18/witkoff-miami-talks-gaza-ceasefire?utm_source=rss',
    title: SEED_TITLE,
    text: storyText('seed--witkoff-miami-talks.txt'),
    published: '2025-12-18T14:30:00.000Z',
  }),
  taggedCopy({
    id: 14,
    feedId: 'regional-daily',
    url: 'https://regional.example.com/news/gaza-talks-miami?fbclid=IwAR2y&gclid=Cj0K',
    title: SEED_TITLE,
    text: storyText('copy--new-intro-dropped-paragraph-boilerplate.txt'),
    published: '2025-12-18T15:10:00.000Z',
  }),
  taggedCopy({
    id: 15,
    feedId: 'aggregator',
    url: 'https://agg.example.com/story/88213?utm_source=newsletter&mc_cid=abc&mc_eid=def',
    title: SEED_TITLE,
    text: storyText('copy--aggregator-subheads-removed-new-ending.txt'),
    published: '2025-12-18T16:00:00.000Z',
  }),
];

/** The full seed copy (the wire original), tagged. */
export const wireCopy = storyCopies.find((c) => c.feedId === 'wire') as StoryCopy;

/** Gulf Daily News: mediators, Netanyahu at Mar-a-Lago and the stabilisation force in one story. */
const t036 = otherStory('t036');
export const gdnCopy: StoryCopy = taggedCopy({
  id: 36,
  feedId: 'gdn',
  url: `${t036.source_url}?utm_source=dlvr.it&utm_medium=twitter`,
  title: t036.title,
  text: t036.text,
  published: '2025-12-20T08:00:00.000Z',
});

/** The seed's one sentence holding "Miami summit": what a channel test's rule quotes. */
export const MIAMI_SUMMIT =
  'The Miami summit will bring together critical regional stakeholders who have been instrumental in brokering the Gaza ceasefire.';
/** The seed fixture's link without its `utm_source=rss`. */
export const CLEAN_URL = 'https://www.example.com/world/2025/12/18/witkoff-miami-talks-gaza-ceasefire';

/** A later copy of the seed's story (Regional Daily, 15:10): listed as another source. */
export function regionalCopy(): StoryCopy {
  const copy = storyCopies.find((c) => c.feedId === 'regional-daily');
  if (!copy) throw new Error('no regional-daily copy in the story fixtures');
  return copy;
}

/** The message composeAlert gives for the seed fixture (patched) and any other copies of the story. */
export function seedMessage(
  rule: AlertRule,
  channel: Channel,
  patch: Partial<StoryCopy> = {},
  others: StoryCopy[] = [],
): AlertMessage {
  const composed = composeAlert({
    rule,
    channel,
    copies: [copyOf(seed, 1, patch), ...others],
    names,
    feedTitles: FEED_TITLES,
  });
  if (!composed) throw new Error('the rule does not fire on the seed');
  return composed;
}
