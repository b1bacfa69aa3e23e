/**
 * Three stories over three feeds, stored and clustered as the store step does: the seed (two copies),
 * a Rafah crossing report with a hostile title, and a football result. For the story search and the
 * dashboard.
 */
import type { Mention, TaggedArticle } from '../../src/model.ts';
import { upsertArticle } from '../../src/store/articles.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertFeeds } from '../../src/store/feeds.ts';
import { assignStory } from '../../src/store/stories.ts';
import { textSignature } from '../../src/stories/text-signature.ts';
import { seedText } from '../stories/story-fixtures.ts';
import { taggedArticle } from '../store/test-db.ts';

export const HOSTILE_TITLE = 'Rafah crossing reopens <img src=x onerror=alert(1)>';

export const FEEDS = ['wire', 'regional', 'sport'];
const tag = (id: string, evidence: string) => ({ id, count: 1, evidence, inTitle: false, inLead: false });

/** Three stories: the seed (two copies), a Rafah crossing report, a football result. */
/** A mention of `words` in `text`, the first sentence as its evidence. */
function mention(text: string, kind: 'actor' | 'phase', id: string, words: string): Mention {
  const start = text.indexOf(words);
  const sentence = text.split('. ')[0] + '.';
  return { kind, id, field: 'text', start, end: start + words.length, text: words, sentence };
}

export function storyArticles(): TaggedArticle[] {
  const rafah =
    'Egypt reopened the Rafah crossing on Tuesday as negotiators in Cairo discussed the second phase of the ceasefire. Aid lorries queued for hours.';
  const football = 'The home side won two-nil in a match played in heavy rain on Saturday afternoon.';
  return [
    taggedArticle({
      feedId: 'wire',
      url: 'https://wire.example/witkoff',
      canonicalUrl: 'https://wire.example/witkoff',
      title: 'Witkoff to hold Miami talks on next phase of Gaza ceasefire',
      text: seedText,
      published: '2025-12-19T14:00:00.000Z',
      tags: {
        relevant: true,
        actors: [tag('steve-witkoff', 'Witkoff'), tag('qatar', 'Qatar')],
        phases: [tag('phase-two', 'second phase')],
        mentions: [],
      },
    }),
    taggedArticle({
      feedId: 'regional',
      url: 'https://regional.example/witkoff-copy',
      canonicalUrl: 'https://regional.example/witkoff-copy',
      title: 'Witkoff to hold Miami talks on next phase of Gaza ceasefire',
      text: seedText,
      published: '2025-12-19T16:00:00.000Z',
      tags: { relevant: true, actors: [tag('steve-witkoff', 'Witkoff')], phases: [], mentions: [] },
    }),
    taggedArticle({
      feedId: 'regional',
      url: 'https://regional.example/rafah',
      canonicalUrl: 'https://regional.example/rafah',
      title: HOSTILE_TITLE,
      text: rafah,
      published: '2025-12-17T09:00:00.000Z',
      tags: {
        relevant: true,
        actors: [tag('egypt', rafah.split('. ')[0] + '.')],
        phases: [tag('phase-two', rafah.split('. ')[0] + '.')],
        mentions: [
          mention(rafah, 'actor', 'egypt', 'Egypt'),
          mention(rafah, 'phase', 'phase-two', 'second phase'),
        ],
      },
    }),
    taggedArticle({
      feedId: 'sport',
      url: 'https://sport.example/match',
      canonicalUrl: 'https://sport.example/match',
      title: 'Home side wins in the rain',
      text: football,
      published: '2025-12-18T20:00:00.000Z',
      tags: { relevant: false, actors: [], phases: [], mentions: [] },
    }),
  ];
}

/** Stores the feeds and the articles, each filed in its story. */
export async function seedStories(db: Db): Promise<void> {
  await upsertFeeds(
    db,
    FEEDS.map((id) => ({ id, url: `https://${id}.example/rss`, intervalMinutes: 15, labels: [] })),
  );
  for (const article of storyArticles()) {
    const { articleId } = await upsertArticle(db, article);
    await assignStory(db, {
      articleId,
      title: article.title,
      signature: textSignature(article.text),
      at: article.published ?? article.fetchedAt,
    });
  }
}
