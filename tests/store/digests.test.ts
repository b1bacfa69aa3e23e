import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import type { Db } from '../../src/store/db.ts';
import { getDigest, recordDigest } from '../../src/store/digests.ts';
import { backends, dropTestDb, openTestDb, truncateAll, uniqueSchema } from './test-db.ts';

const built = {
  day: '2025-10-12',
  timezone: 'Asia/Gaza',
  markdownPath: 'digests/digest-2025-10-12.md',
  htmlPath: 'digests/digest-2025-10-12.html',
};

describe.each(backends)('digests on $name', (backend) => {
  const schema = uniqueSchema();
  let db: Db;

  beforeAll(async () => {
    db = await openTestDb(backend, schema);
  });
  beforeEach(() => truncateAll(db));
  afterAll(() => dropTestDb(db, schema));

  it('records-and-reads-back-a-digest', async () => {
    const record = await recordDigest(db, { ...built, emailed: true });
    expect(record).toMatchObject({ ...built, emailed: true });
    expect(Date.parse(record.createdAt)).not.toBeNaN();
    expect(await getDigest(db, built.day, built.timezone)).toEqual(record);
  });

  it.each([
    { name: 'mailed-then-rebuilt-stays-mailed', first: true, second: false, expected: true },
    { name: 'unmailed-then-mailed-becomes-mailed', first: false, second: true, expected: true },
    { name: 'unmailed-twice-stays-unmailed', first: false, second: false, expected: false },
  ])('upserts-$name', async ({ first, second, expected }) => {
    await recordDigest(db, { ...built, emailed: first });
    const again = await recordDigest(db, {
      ...built,
      markdownPath: 'digests/rebuilt.md',
      htmlPath: null,
      emailed: second,
    });
    expect(again).toMatchObject({ markdownPath: 'digests/rebuilt.md', htmlPath: null, emailed: expected });
    expect(await db.query('select count(*) as n from digests')).toEqual([{ n: 1 }]);
  });

  it('keeps-one-digest-per-day-and-zone', async () => {
    await recordDigest(db, { ...built, emailed: false });
    await recordDigest(db, { ...built, timezone: 'UTC', emailed: false });
    await recordDigest(db, { ...built, day: '2025-10-13', emailed: false });
    expect(await db.query('select count(*) as n from digests')).toEqual([{ n: 3 }]);
    expect(await getDigest(db, '2025-10-14', built.timezone)).toBeNull();
  });

  it.each([
    { name: 'us-style', day: '10/12/2025' },
    { name: 'month-name', day: 'Oct 12 2025' },
    { name: 'impossible-date', day: '2025-02-30' },
  ])('refuses-day-$name', async ({ day }) => {
    await expect(recordDigest(db, { ...built, day, emailed: false })).rejects.toThrow(PipelineError);
  });
});
