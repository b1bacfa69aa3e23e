/**
 * The store when PostgreSQL goes away: a fast shutdown mid-transaction and while idle must reject
 * the work in hand with a store error, never end the process (an 'error' event nobody listens to
 * does), and the same handle works again once the server is back. On a PostgreSQL of the test's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-services.ts';

describe('store with PostgreSQL stopped and started again', () => {
  let server: PrivatePostgres;
  let db: Db;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    db = await openDb({ databaseUrl: server.url });
    await db.exec('create table t (n int)');
  }, 60_000);

  afterAll(async () => {
    await db?.close().catch(() => undefined);
    await server?.close();
  });

  it('rejects a transaction cut by a fast shutdown, without an unhandled error, and recovers', async () => {
    // Both kinds of connection are in the pool: one inside a long transaction, one idle.
    await db.query('select 1');
    const cut = db.transaction(async (tx) => {
      await tx.query('insert into t values (1)');
      await tx.query('select pg_sleep(30)');
    });
    const outcome = cut.then(
      () => 'committed',
      (error: unknown) => error,
    );
    await new Promise((r) => setTimeout(r, 300));
    await server.stop();
    const error = await outcome;
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).permanent).toBe(false);
    expect((error as PipelineError).message).toMatch(/^store: /);
    await expect(db.query('select 1')).rejects.toBeInstanceOf(PipelineError);

    await server.start();
    await db.transaction((tx) => tx.query('insert into t values (2)'));
    expect(await db.query<{ n: number }>('select n from t order by n')).toEqual([{ n: 2 }]);
  }, 60_000);
});
