/**
 * Two days of digest input for the size tests (issue 9, point 6): the reported day (12 relevant
 * articles, about ten actors each, 126 KB of HTML before stories were listed once) and a heavy news
 * day. Built from the seed's real tags and the real titles of tests/fixtures/stories, deterministic
 * (no randomness) so byte counts are the same on every run.
 */
import { readFileSync } from 'node:fs';
import type { DigestArticle, DigestInput, DigestTag } from '../../src/digest/build-digest.ts';
import { TaggedArticleSchema } from '../../src/model.ts';

const seed = TaggedArticleSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/alerts/seed-tagged.json', import.meta.url), 'utf8')),
);
const others = readFileSync(new URL('../fixtures/stories/gaza-other-stories.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { id: string; source_url: string; title: string });

const titleCase = (id: string) =>
  id
    .split('-')
    .map((w) => (w.length <= 2 ? w.toUpperCase() : `${w[0]?.toUpperCase() ?? ''}${w.slice(1)}`))
    .join(' ');

const day = '2025-12-18';
const at = (minutes: number) => new Date(Date.parse(`${day}T00:00:00Z`) + minutes * 60_000).toISOString();

/** A relevant, untagged, undated article with a slug-made title and URL; fields override. */
export function art(slug: string, fields: Partial<DigestArticle> = {}): DigestArticle {
  return {
    title: `Story ${slug}`,
    url: `https://news.example.org/${slug}`,
    feedId: 'example',
    published: null,
    relevant: true,
    actors: [],
    phases: [],
    ...fields,
  };
}

/**
 * The reported day: the seed story in three syndicated copies and nine other stories, each tagged
 * with 9 to 15 of the seed's actors (as the tagger tags these mediator stories) and a phase.
 */
export function reportedDay(): DigestInput {
  const actors = seed.tags.actors;
  const story = (i: number): Omit<DigestArticle, 'url' | 'feedId'> => ({
    title: i === 0 ? seed.title : (others[i - 1]?.title ?? `Story ${i}`),
    published: at(60 * i + 30),
    relevant: true,
    // Rotating subsets, so the stories share most actors, as the real day's did.
    actors: actors.filter((_, k) => (k + i) % 5 !== 0 || i === 0).map((t, k) => ({ ...t, inTitle: k < 2 })),
    phases: seed.tags.phases.map((t) => ({ ...t, id: i % 4 === 3 ? 'phase-1' : t.id })),
  });
  const articles: DigestArticle[] = [
    ...['seed', 'ap', 'reuters'].map((feedId, k) => ({
      ...story(0),
      url: k === 0 ? seed.canonicalUrl : `https://www.${feedId}.example/gaza/witkoff-miami-talks`,
      feedId,
      storyId: 'seed',
      published: at(k * 20),
    })),
    ...Array.from({ length: 9 }, (_, n) => ({
      ...story(n + 1),
      url: others[n]?.source_url ?? `https://news.example.org/${n}`,
      feedId: `feed-${n % 4}`,
    })),
  ];
  const ids = [...actors.map((t) => t.id), 'phase-1', 'phase-2'];
  return {
    day,
    timezone: 'Asia/Jerusalem',
    articles,
    names: Object.fromEntries(ids.map((id) => [id, titleCase(id)])),
    previous: {
      actors: Object.fromEntries(actors.map((t, k) => [t.id, k % 4])),
      phases: { 'phase-2': 4, 'phase-1': 1 },
    },
    history: Array.from({ length: 7 }, (_, k) => ({
      day: `2025-12-${12 + k}`,
      counts: Object.fromEntries(actors.map((t, j) => [t.id, (k + j) % 6])),
    })),
  };
}

/** A long sentence, as extracted evidence often is (a full paragraph's first sentence). */
function evidence(who: string, i: number): string {
  return (
    `${who} said on day ${i} of the talks that the second phase of the ceasefire agreement, which ` +
    `calls for an interim authority, the withdrawal of troops to agreed lines and the deployment of an ` +
    `international stabilization force, could only move forward once the remaining hostages' remains ` +
    `had been returned and the crossings reopened to aid convoys without further delay or conditions.`
  );
}

/**
 * A heavy news day: 150 stories in 300 relevant articles (two copies each in the period, two more
 * sources known from earlier), long titles and evidence, 40 actors (6 to 12 per story), three phases,
 * plus untagged and irrelevant articles.
 */
export function heavyDay(): DigestInput {
  const actorIds = Array.from({ length: 40 }, (_, k) => `actor-number-${String(k).padStart(2, '0')}`);
  const phaseIds = ['phase-1', 'phase-2', 'phase-3'];
  const tag = (id: string, i: number, k: number): DigestTag => ({
    id,
    count: 1 + ((i + k) % 7),
    evidence: evidence(titleCase(id), i),
    inTitle: k === 0,
    inLead: k === 1,
  });
  const articles: DigestArticle[] = [];
  const stories: NonNullable<DigestInput['stories']> = [];
  for (let i = 0; i < 150; i++) {
    const untagged = i % 25 === 24;
    const actors = untagged
      ? []
      : Array.from({ length: 6 + (i % 7) }, (_, k) => tag(actorIds[(i * 7 + k * 3) % 40] ?? '', i, k));
    const phases = untagged || i % 5 === 4 ? [] : [tag(phaseIds[i % 3] ?? '', i, 2 + (i % 2))];
    const title =
      `Story ${i}: mediators from Egypt, Qatar and Turkey meet envoys in Miami as talks on the ` +
      `second phase of the Gaza ceasefire stall over disarmament, reconstruction and the border crossings`;
    for (const copy of [0, 1]) {
      articles.push({
        title,
        url: `https://www.outlet-${copy}-${i % 9}.example.com/world/middle-east/2025/12/18/gaza-ceasefire-phase-two-talks-story-${i}-${copy}`,
        feedId: `outlet-${copy}-${i % 9}`,
        published: at(i * 9 + copy * 4),
        relevant: true,
        actors,
        phases,
        storyId: `story-${i}`,
      });
    }
    stories.push({
      storyId: `story-${i}`,
      sources: [2, 3].map((k) => ({
        title: `${title} (copy ${k})`,
        url: `https://www.earlier-outlet-${k}.example.net/news/2025/12/17/gaza-ceasefire-story-${i}`,
        feedId: `earlier-outlet-${k}`,
      })),
    });
  }
  for (let i = 0; i < 40; i++) {
    articles.push({
      title: `Unrelated story ${i}`,
      url: `https://www.elsewhere.example.org/${i}`,
      feedId: 'elsewhere',
      published: at(i * 30),
      relevant: false,
      actors: [],
      phases: [],
    });
  }
  return {
    day,
    timezone: 'Europe/London',
    articles,
    stories,
    names: Object.fromEntries([...actorIds, ...phaseIds].map((id) => [id, titleCase(id)])),
    previous: {
      actors: Object.fromEntries(actorIds.map((id, k) => [id, k % 11])),
      phases: { 'phase-1': 20, 'phase-2': 60, 'phase-3': 5 },
    },
    history: Array.from({ length: 7 }, (_, k) => ({
      day: `2025-12-${12 + k}`,
      counts: Object.fromEntries(actorIds.map((id, j) => [id, (k * j) % 13])),
    })),
  };
}
