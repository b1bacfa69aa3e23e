import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { openDb, redactDatabaseUrl, type Db } from '../../src/store/db.ts';
import { backends, dropTestDb, uniqueSchema } from './test-db.ts';

describe.each(backends)('db on $name', (backend) => {
  const schema = uniqueSchema();
  let db: Db;

  beforeAll(async () => {
    db = await openDb({ ...backend, schema });
    await db.exec(
      'create table items (id bigserial primary key, name text not null unique, day date, at timestamptz)',
    );
  });
  afterAll(() => dropTestDb(db, schema));

  it('reports-its-kind', () => {
    expect(db.kind).toBe(backend.name);
  });

  it('puts-the-schema-on-the-search-path', async () => {
    expect(await db.query('select current_schema() as s')).toEqual([{ s: schema }]);
  });

  it.each([
    { name: 'int8-as-number', sql: 'select 42::int8 as v', expected: 42 },
    { name: 'count-as-number', sql: 'select count(*) as v from (values (1), (2)) t', expected: 2 },
    { name: 'date-as-iso-day-string', sql: `select '2025-10-10'::date as v`, expected: '2025-10-10' },
    {
      name: 'timestamptz-as-date',
      sql: `select '2025-10-10T12:00:00Z'::timestamptz as v`,
      expected: new Date('2025-10-10T12:00:00Z'),
    },
    { name: 'jsonb-parsed', sql: `select '{"a":[1]}'::jsonb as v`, expected: { a: [1] } },
  ])('returns-$name', async ({ sql, expected }) => {
    expect(await db.query<{ v: unknown }>(sql)).toEqual([{ v: expected }]);
  });

  it('round-trips-bytea-of-every-byte-value', async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, b) => b));
    // A view into a larger buffer: only its own bytes may be sent.
    const view = Buffer.concat([Buffer.from('prefix'), every, Buffer.from('suffix')]).subarray(6, 262);
    const [row] = await db.query<{ v: Uint8Array; n: number }>(
      'select $1::bytea as v, octet_length($1::bytea) as n',
      [view],
    );
    expect(row?.n).toBe(256);
    expect(Buffer.from(row?.v ?? []).equals(every)).toBe(true);
  });

  it('binds-positional-params', async () => {
    const rows = await db.query<{ id: number }>(
      'insert into items (name, day) values ($1, $2) returning id',
      ['params', '2025-10-11'],
    );
    expect(rows).toHaveLength(1);
    expect(await db.query('select name, day from items where id = $1', [rows[0]?.id])).toEqual([
      { name: 'params', day: '2025-10-11' },
    ]);
  });

  it('commits-a-transaction-and-returns-its-value', async () => {
    const value = await db.transaction(async (tx) => {
      await tx.query('insert into items (name) values ($1)', ['committed']);
      return 'done';
    });
    expect(value).toBe('done');
    expect(await db.query('select name from items where name = $1', ['committed'])).toHaveLength(1);
  });

  it('rolls-back-a-transaction-that-throws', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into items (name) values ($1)', ['rolled-back']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query('select name from items where name = $1', ['rolled-back'])).toEqual([]);
  });

  it('joins-a-nested-transaction-into-the-outer-one', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.transaction((inner) => inner.query('insert into items (name) values ($1)', ['nested']));
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await db.query('select name from items where name = $1', ['nested'])).toEqual([]);
  });

  it.each([
    {
      name: 'unique-violation-is-permanent',
      sql: 'insert into items (name) values ($1), ($1)',
      params: ['twice'],
      code: /23505/,
      permanent: true,
    },
    {
      name: 'missing-table-is-permanent',
      sql: 'select * from no_such_table',
      params: [],
      code: /42P01/,
      permanent: true,
    },
    {
      name: 'bad-timestamp-is-permanent',
      sql: 'select $1::timestamptz',
      params: ['not a date'],
      code: /22007|22008/,
      permanent: true,
    },
  ])('wraps-errors-$name', async ({ sql, params, code, permanent }) => {
    const error = await db.query(sql, params).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).stage).toBe('store');
    expect((error as PipelineError).message).toMatch(code);
    expect((error as PipelineError).permanent).toBe(permanent);
  });

  it('refuses-to-close-a-transaction-handle', async () => {
    await expect(db.transaction((tx) => tx.close())).rejects.toThrow(/close the Db/);
    expect(await db.query('select 1 as one')).toEqual([{ one: 1 }]);
  });
});

describe('openDb', () => {
  it.each([
    { name: 'quote', schema: 'a"b' },
    { name: 'uppercase', schema: 'Tests' },
    { name: 'statement', schema: 'x; drop table feeds' },
  ])('rejects-schema-name-with-$name', async ({ schema }) => {
    await expect(openDb({ dataDir: 'memory://', schema })).rejects.toThrow(PipelineError);
  });

  it('names-an-unreachable-postgres-without-its-password', async () => {
    // Port 1 on loopback: nothing listens there, so the refusal is immediate.
    const error = await openDb({ databaseUrl: 'postgres://watch:s3cret@127.0.0.1:1/news' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineError);
    const { message, culprit, permanent } = error as PipelineError;
    expect(culprit).toBe('postgres://watch@127.0.0.1:1/news');
    expect(message).toMatch(/^store: postgres:\/\/watch@127\.0\.0\.1:1\/news: unable to connect/);
    expect(message).not.toContain('s3cret');
    expect(permanent).toBe(false);
  });

  it.each([
    { name: 'userinfo', url: 'postgres://u:pw@db:5432/x', expected: 'postgres://u@db:5432/x' },
    {
      name: 'query-param',
      url: 'postgres://u@db/x?password=pw&sslmode=require',
      expected: 'postgres://u@db/x?sslmode=require',
    },
    { name: 'unparseable', url: 'not a url :pw', expected: 'postgres (unparseable DATABASE_URL)' },
  ])('redacts-password-in-$name', ({ url, expected }) => {
    expect(redactDatabaseUrl(url)).toBe(expected);
  });

  it('keeps-rows-in-a-reopened-pglite-dir', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cw-pglite-'));
    // A nested path: openDb creates the parents PGlite would not.
    const dataDir = path.join(root, 'data', 'pglite');
    try {
      const first = await openDb({ dataDir });
      await first.exec('create table kept (note text)');
      await first.query('insert into kept (note) values ($1)', ['survives a restart']);
      await first.close();

      const second = await openDb({ dataDir });
      expect(second.kind).toBe('pglite');
      expect(await second.query('select note from kept')).toEqual([{ note: 'survives a restart' }]);
      await second.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('gives-pglite-small-shared-buffers', async () => {
    const db = await openDb({ dataDir: 'memory://' });
    try {
      expect(await db.query('select current_setting($1) as v', ['shared_buffers'])).toEqual([{ v: '16MB' }]);
    } finally {
      await db.close();
    }
  });

  it('opens-a-new-pglite-dir-without-keeping-initdb-memory', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cw-pglite-'));
    try {
      // A process of its own: external memory is PGlite's WebAssembly memory and little else.
      const script = `
        const { openDb } = await import(${JSON.stringify(new URL('../../src/store/db.ts', import.meta.url).href)});
        const db = await openDb({ dataDir: ${JSON.stringify(path.join(root, 'new'))} });
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 200));
        globalThis.gc();
        process.stdout.write(String(process.memoryUsage().external / 2 ** 20));
        await db.close();`;
      const externalMb = Number(
        execFileSync(
          process.execPath,
          ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
          {
            encoding: 'utf8',
          },
        ),
      );
      // initdb grows the instance's memory to about 630 MB; the instance kept starts at about 200 MB.
      expect(externalMb).toBeLessThan(400);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
