import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertArticle } from '../../src/store/articles.ts';
import type { Db } from '../../src/store/db.ts';
import {
  phaseTimeline,
  timelineRangeSchema,
  type PhaseTimeline,
  type TimelineRange,
} from '../../src/store/phase-timeline.ts';
import { searchStories, StoryFiltersSchema } from '../../src/store/story-search.ts';
import {
  backends,
  dropTestDb,
  openTestDb,
  seedFeed,
  taggedArticle,
  truncateAll,
  uniqueSchema,
} from './test-db.ts';

interface Copy {
  /** Publication time; null: undated, so the fetch time counts. */
  published: string | null;
  fetchedAt?: string;
  relevant?: boolean;
  phases?: string[];
  actors?: string[];
}

const tag = (id: string) => ({ id, count: 1, evidence: id, inTitle: false, inLead: false });

/**
 * Stories of one or more copies, each story on its own row in `stories`. Around 2025-12-10 … 12-13:
 * two copies on one day, a late-evening article, an undated one, a story across two days whose second
 * copy is not relevant, an article outside any story, and one story on each side of the range.
 */
const STORIES: Record<string, Copy[]> = {
  twoCopiesOneDay: [
    { published: '2025-12-10T08:00:00Z', phases: ['phase-two'], actors: ['qatar'] },
    { published: '2025-12-10T20:00:00Z', phases: ['phase-two'], actors: ['qatar'] },
  ],
  lateEveningNotRelevant: [{ published: '2025-12-12T23:30:00Z', relevant: false, phases: ['phase-two'] }],
  undated: [
    {
      published: null,
      fetchedAt: '2025-12-11T01:00:00Z',
      phases: ['hostage-release'],
      actors: ['qatar'],
    },
  ],
  acrossTwoDays: [
    { published: '2025-12-12T10:00:00Z', phases: ['phase-two'] },
    { published: '2025-12-13T09:00:00Z', relevant: false, phases: ['phase-two'] },
  ],
  justBefore: [{ published: '2025-12-09T23:59:59Z', phases: ['phase-two'] }],
  justAfter: [{ published: '2025-12-14T00:00:00Z', phases: ['phase-two'] }],
};
/** Tagged and dated in range, but not filed in a story (yet): no story to count, none to list. */
const STORYLESS: Copy = { published: '2025-12-11T12:00:00Z', phases: ['phase-two'] };

async function seedTimeline(db: Db): Promise<void> {
  await seedFeed(db);
  let n = 0;
  const store = async (copy: Copy) => {
    n += 1;
    const { articleId } = await upsertArticle(
      db,
      taggedArticle({
        url: `https://www.bbc.co.uk/news/articles/t${n}`,
        canonicalUrl: `https://www.bbc.co.uk/news/articles/t${n}`,
        title: `Article ${n}`,
        published: copy.published,
        fetchedAt: copy.fetchedAt ?? copy.published ?? '',
        tags: {
          relevant: copy.relevant ?? true,
          actors: (copy.actors ?? []).map(tag),
          phases: (copy.phases ?? []).map(tag),
          mentions: [],
        },
      }),
    );
    return articleId;
  };
  for (const [title, copies] of Object.entries(STORIES)) {
    const [story] = await db.query<{ id: number }>(
      'insert into stories (title, first_seen_at) values ($1, $2) returning id',
      [title, copies[0]?.published ?? copies[0]?.fetchedAt],
    );
    for (const copy of copies) {
      await db.query('update articles set story_id = $1 where id = $2', [story?.id, await store(copy)]);
    }
  }
  await store(STORYLESS);
}

/** The series as `kind:id` → counts, and → totals: one assertion shows the whole timeline. */
const countsOf = (t: PhaseTimeline) =>
  Object.fromEntries(t.series.map((s) => [`${s.kind}:${s.id}`, s.counts]));
const totalsOf = (t: PhaseTimeline) =>
  Object.fromEntries(t.series.map((s) => [`${s.kind}:${s.id}`, s.total]));

describe.each(backends)('phaseTimeline on $name', (backend) => {
  const schema = uniqueSchema();
  let db: Db;
  const range = (from: string, to: string, relevant = false): TimelineRange => ({ from, to, relevant });

  beforeAll(async () => {
    db = await openTestDb(backend, schema);
    await truncateAll(db);
    await seedTimeline(db);
  });
  afterAll(() => dropTestDb(db, schema));

  it('counts distinct stories per day and tag, 0 on a day without any, bounds included', async () => {
    const timeline = await phaseTimeline(db, range('2025-12-10', '2025-12-13'));
    expect(timeline.days).toEqual(['2025-12-10', '2025-12-11', '2025-12-12', '2025-12-13']);
    expect(countsOf(timeline)).toEqual({
      // 10th: two copies of one story count once; 11th: the storyless article does not count.
      'phase:phase-two': [1, 0, 2, 1],
      'phase:hostage-release': [0, 1, 0, 0],
      'actor:qatar': [1, 1, 0, 0],
    });
    // The story across the 12th and 13th counts once over the range.
    expect(totalsOf(timeline)).toEqual({
      'phase:phase-two': 3,
      'phase:hostage-release': 1,
      'actor:qatar': 2,
    });
    // Phases first, then actors; most stories first within a kind.
    expect(timeline.series.map((s) => s.id)).toEqual(['phase-two', 'hostage-release', 'qatar']);
  });

  it('includes both bounds and nothing past them', async () => {
    const wide = await phaseTimeline(db, range('2025-12-09', '2025-12-14'));
    expect(countsOf(wide)['phase:phase-two']).toEqual([1, 1, 0, 2, 1, 1]);
    expect(totalsOf(wide)['phase:phase-two']).toBe(5);
    const oneDay = await phaseTimeline(db, range('2025-12-14', '2025-12-14'));
    expect(countsOf(oneDay)).toEqual({ 'phase:phase-two': [1] });
  });

  it('counts only relevant copies with `relevant`, copy by copy', async () => {
    const timeline = await phaseTimeline(db, range('2025-12-10', '2025-12-13', true));
    // The late-evening story is not relevant; the two-day story's copy on the 13th is not either.
    expect(countsOf(timeline)['phase:phase-two']).toEqual([1, 0, 1, 0]);
    expect(totalsOf(timeline)['phase:phase-two']).toBe(2);
  });

  it('answers every day and no series for a range without stories', async () => {
    const timeline = await phaseTimeline(db, range('2025-11-01', '2025-11-03'));
    expect(timeline).toEqual({
      from: '2025-11-01',
      to: '2025-11-03',
      relevant: false,
      days: ['2025-11-01', '2025-11-02', '2025-11-03'],
      series: [],
    });
  });

  it.each([{ relevant: false }, { relevant: true }])(
    'gives each day the number of stories the stories page lists for it (relevant: $relevant)',
    async ({ relevant }) => {
      const timeline = await phaseTimeline(db, range('2025-12-09', '2025-12-14', relevant));
      for (const s of timeline.series) {
        for (const [i, day] of timeline.days.entries()) {
          const filters = StoryFiltersSchema.parse({
            [s.kind]: s.id,
            from: day,
            to: day,
            relevant: String(relevant),
          });
          expect({ tag: s.id, day, n: (await searchStories(db, filters)).total }).toEqual({
            tag: s.id,
            day,
            n: s.counts[i],
          });
        }
        const whole = StoryFiltersSchema.parse({
          [s.kind]: s.id,
          from: '2025-12-09',
          to: '2025-12-14',
          relevant: String(relevant),
        });
        expect((await searchStories(db, whole)).total).toBe(s.total);
      }
    },
  );
});

describe('timelineRangeSchema', () => {
  const today = '2025-12-19';
  it.each([
    {
      name: 'last-30-days-by-default',
      query: {},
      expected: { from: '2025-11-20', to: today, relevant: false },
    },
    {
      name: '30-days-ending-on-to',
      query: { to: '2025-03-01', relevant: 'on' },
      expected: { from: '2025-01-31', to: '2025-03-01', relevant: true },
    },
    {
      name: 'from-alone-runs-to-today',
      query: { from: '2025-12-01' },
      expected: { from: '2025-12-01', to: today, relevant: false },
    },
    {
      name: 'a-year-and-a-day-is-the-most',
      query: { from: '2024-12-19', to: today },
      expected: { from: '2024-12-19', to: today, relevant: false },
    },
  ])('$name', ({ query, expected }) => {
    expect(timelineRangeSchema(today).parse(query)).toEqual(expected);
  });

  it.each([
    { name: 'malformed-day', query: { from: '19-12-2025' }, message: 'a day, e.g. 2025-12-19' },
    { name: 'no-such-day', query: { to: '2025-02-30' }, message: 'no such day' },
    {
      name: 'backwards',
      query: { from: '2025-12-20', to: '2025-12-19' },
      message: 'after the last day, 2025-12-19',
    },
    { name: 'future-from-alone', query: { from: '2025-12-20' }, message: 'after the last day, 2025-12-19' },
    {
      name: 'too-long',
      query: { from: '2024-12-18' },
      message: 'at most 366 days before the last day, 2025-12-19',
    },
    { name: 'bad-relevant', query: { relevant: 'yes' }, message: undefined },
  ])('refuses $name, naming the parameter', ({ query, message }) => {
    const result = timelineRangeSchema(today).safeParse(query);
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path[0]).toBe(Object.keys(query)[0]);
    if (message) expect(issue?.message).toBe(message);
  });
});
