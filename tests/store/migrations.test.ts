import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.ts';
import { migrate, migrations } from '../../src/store/migrations.ts';
import { backends, dropTestDb, TEST_DATABASE_URL, uniqueSchema } from './test-db.ts';

const allVersions = migrations.map((m) => m.version);

describe('migrations list', () => {
  it('numbers-versions-one-by-one-from-1', () => {
    expect(allVersions).toEqual(allVersions.map((_, i) => i + 1));
  });
});

describe.each(backends)('migrate on $name', (backend) => {
  const schema = uniqueSchema();
  let db: Db;

  beforeAll(async () => {
    db = await openDb({ ...backend, schema });
  });
  afterAll(() => dropTestDb(db, schema));

  it.each([
    { name: 'first-run-applies-all', expected: allVersions },
    { name: 'second-run-applies-none', expected: [] },
  ])('$name', async ({ expected }) => {
    expect(await migrate(db)).toEqual({ applied: expected });
    expect(await db.query('select version from schema_migrations order by version')).toEqual(
      allVersions.map((version) => ({ version })),
    );
  });

  it.each(['feeds', 'articles', 'article_tags', 'article_mentions', 'alert_deliveries', 'digests'])(
    'creates-table-%s-in-the-schema',
    async (table) => {
      expect(
        await db.query(
          "select table_schema from information_schema.tables where table_name = $1 and table_schema in (current_schema(), 'public')",
          [table],
        ),
      ).toEqual([{ table_schema: schema }]);
    },
  );

  it('applies-a-new-migration-appended-later', async () => {
    const later = [
      ...migrations,
      {
        version: allVersions.length + 1,
        name: 'test column',
        sql: 'alter table digests add column note text',
      },
    ];
    expect(await migrate(db, later)).toEqual({ applied: [allVersions.length + 1] });
    expect(await migrate(db, later)).toEqual({ applied: [] });
    await db.query(`insert into digests (day, timezone, note) values ('2025-10-10', 'UTC', 'x')`);
  });

  it('leaves-nothing-behind-when-a-migration-fails', async () => {
    const broken = [
      ...migrations,
      { version: 900, name: 'half', sql: 'create table half_done (x int)' },
      { version: 901, name: 'broken', sql: 'alter table no_such_table add column y int' },
    ];
    await expect(migrate(db, broken)).rejects.toThrow(/no_such_table/);
    expect(await db.query(`select version from schema_migrations where version >= 900`)).toEqual([]);
    expect(
      await db.query(
        `select 1 from information_schema.tables where table_name = 'half_done' and table_schema in (current_schema(), 'public')`,
      ),
    ).toEqual([]);
  });
});

describe('migrate concurrently on postgres', () => {
  const schema = uniqueSchema();
  const handles: Db[] = [];

  afterAll(async () => {
    const [first, ...rest] = handles;
    for (const h of rest) await h.close();
    if (first) await dropTestDb(first, schema);
  });

  it('applies-each-migration-once-from-two-handles', async () => {
    // Two pools stand for two processes: separate connections, same schema, started together.
    handles.push(
      ...(await Promise.all([
        openDb({ databaseUrl: TEST_DATABASE_URL, schema }),
        openDb({ databaseUrl: TEST_DATABASE_URL, schema }),
      ])),
    );
    const results = await Promise.all(handles.map((h) => migrate(h)));
    expect(results.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(allVersions);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, allVersions.length].sort());
    expect(await handles[0]?.query('select count(*) as n from schema_migrations')).toEqual([
      { n: allVersions.length },
    ]);
  });
});
