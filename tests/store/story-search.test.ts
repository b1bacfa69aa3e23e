import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { searchStories, splitHighlights, StoryFiltersSchema } from '../../src/store/story-search.ts';
import { seedStories } from '../helpers/seed-stories.ts';
import { backends, dropTestDb, openTestDb, truncateAll, uniqueSchema } from './test-db.ts';

describe.each(backends)('searchStories on $name', (backend) => {
  const schema = uniqueSchema();
  let db: Db;
  const filters = (query: Record<string, string>) => StoryFiltersSchema.parse(query);

  beforeAll(async () => {
    db = await openTestDb(backend, schema);
    await truncateAll(db);
    await db.exec('truncate stories restart identity cascade');
    await seedStories(db);
  });
  afterAll(() => dropTestDb(db, schema));

  it('lists one row per story with all its sources, newest first', async () => {
    const { stories, total } = await searchStories(db, filters({}));
    expect(total).toBe(3);
    expect(stories.map((s) => s.title)).toEqual([
      'Witkoff to hold Miami talks on next phase of Gaza ceasefire',
      'Home side wins in the rain',
      'Rafah crossing reopens <img src=x onerror=alert(1)>',
    ]);
    expect(stories[0]?.sources.map((s) => s.feedId)).toEqual(['wire', 'regional']);
    expect(stories[0]?.actors).toEqual(['qatar', 'steve-witkoff']);
    expect(stories[0]?.match).toBeNull();
  });

  it('filters by actor, phase, feed, relevance and days', async () => {
    const titles = async (query: Record<string, string>) =>
      (await searchStories(db, filters(query))).stories.map((s) => s.title.split(' ')[0]);
    expect(await titles({ actor: 'egypt' })).toEqual(['Rafah']);
    expect(await titles({ phase: 'phase-two' })).toEqual(['Witkoff', 'Rafah']);
    expect(await titles({ feed: 'sport' })).toEqual(['Home']);
    expect(await titles({ relevant: 'true' })).toEqual(['Witkoff', 'Rafah']);
    expect(await titles({ from: '2025-12-18', to: '2025-12-18' })).toEqual(['Home']);
    expect(await titles({ from: '2025-12-18' })).toEqual(['Witkoff', 'Home']);
    expect(await titles({ actor: 'egypt', phase: 'phase-two', feed: 'wire' })).toEqual([]);
  });

  it('searches stored text, stemmed and ranked, with a snippet marking the words', async () => {
    const { stories, total } = await searchStories(db, filters({ q: 'negotiating Rafah' }));
    expect(total).toBe(1);
    const [rafah] = stories;
    expect(rafah?.title).toMatch(/^Rafah/);
    const marked = rafah?.match?.snippet.filter((p) => p.mark).map((p) => p.text);
    expect(marked).toEqual(expect.arrayContaining(['Rafah', 'negotiators']));
    expect(rafah?.match?.rank).toBeGreaterThan(0);

    // Web-search syntax: a quoted phrase and an excluded word.
    const phrase = await searchStories(db, filters({ q: '"second phase" -Rafah' }));
    expect(phrase.stories.map((s) => s.title.split(' ')[0])).toEqual(['Witkoff']);
    expect((await searchStories(db, filters({ q: 'Miami', feed: 'sport' }))).total).toBe(0);
  });

  it('pages through the stories', async () => {
    const first = await searchStories(db, filters({ limit: '2' }));
    const second = await searchStories(db, filters({ limit: '2', offset: '2' }));
    expect(first.stories).toHaveLength(2);
    expect(second.stories.map((s) => s.title.split(' ')[0])).toEqual(['Rafah']);
    expect(second.total).toBe(3);
    expect(first.total).toBe(3);
    const past = await searchStories(db, filters({ limit: '2', offset: '4', actor: 'egypt' }));
    expect(past).toEqual({ stories: [], total: 1 });
  });
});

describe('StoryFiltersSchema', () => {
  it('refuses a malformed day and reads a checkbox', () => {
    expect(() => StoryFiltersSchema.parse({ from: '19/12/2025' })).toThrow(/a day/);
    expect(StoryFiltersSchema.parse({ relevant: 'on' }).relevant).toBe(true);
    expect(StoryFiltersSchema.parse({}).relevant).toBe(false);
  });

  it('reads the fields a plain form leaves empty as no filter, and refuses a day that does not exist', () => {
    const blank = { q: '', actor: '', phase: '', feed: '', from: '', to: '', relevant: '' };
    expect(StoryFiltersSchema.parse(blank)).toMatchObject({
      actor: undefined,
      phase: undefined,
      feed: undefined,
      from: undefined,
      to: undefined,
      relevant: false,
    });
    expect(() => StoryFiltersSchema.parse({ from: '2025-02-30' })).toThrow(/no such day/);
    expect(StoryFiltersSchema.parse({ to: '2024-02-29' }).to).toBe('2024-02-29');
  });
});

describe('splitHighlights', () => {
  it('splits a headline into marked and unmarked pieces', () => {
    expect(splitHighlights('the \u0002second\u0003 \u0002phase\u0003 began')).toEqual([
      { text: 'the ', mark: false },
      { text: 'second', mark: true },
      { text: ' ', mark: false },
      { text: 'phase', mark: true },
      { text: ' began', mark: false },
    ]);
  });
});
