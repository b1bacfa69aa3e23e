/**
 * One database handle over two engines: PostgreSQL (`pg.Pool`) when `DATABASE_URL` is set, an embedded
 * PGlite otherwise. Both speak the same SQL ($1 params), and both return the same JavaScript types:
 * int8 as number, date as `YYYY-MM-DD` string, timestamptz as Date, jsonb parsed. Repository functions
 * in this folder take a `Db` and never know which engine is behind it.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PipelineError, describeError } from '../errors.ts';
import { log } from '../log.ts';

/** A database handle; inside `transaction`, use only the `tx` handle passed to the callback. */
export interface Db {
  readonly kind: 'postgres' | 'pglite';
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs one or more statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. Called on a
   * transaction handle, it joins the outer transaction (no savepoint), so repository functions that
   * open their own transaction compose.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Closes the pool or the embedded database; a transaction handle cannot be closed. */
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** PostgreSQL connection string; when absent, PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory, or `memory://` for a throw-away database. @defaultValue "./data/pglite" */
  dataDir?: string;
  /** Schema to create if missing and put alone on `search_path` (tests use one per file). */
  schema?: string;
}

/** @defaultValue of {@link OpenDbOptions.dataDir}, under `./data/` as DESIGN.md promises. */
export const DEFAULT_PGLITE_DIR = './data/pglite';

/**
 * How long a pool waits for a PostgreSQL connection before failing. 10 s covers a database starting
 * up in docker compose; past that, a job failing (and being retried by BullMQ) says more than a hang.
 */
const CONNECT_TIMEOUT_MS = 10_000;

const OID_BYTEA = 17;
const OID_INT8 = 20;
const OID_DATE = 1082;

/**
 * bytea in PGlite's text protocol (`\\x` and hex), through Buffer's native hex codec. PGlite's own
 * serializer builds one string per byte: a 40 KB gzipped page took 16 ms of the main thread, where
 * every other query of an article took 2 (issue 12's profile of `run --once`).
 */
const byteaAsHex = (value: unknown): string => {
  if (!(value instanceof Uint8Array)) throw new Error('bytea parameter: expected a Buffer or Uint8Array');
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
};
const byteaFromHex = (text: string): Buffer => Buffer.from(text.slice(2), 'hex');

/** Lower-case identifier only, so it can go into `search_path` and DDL without quoting games. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens PostgreSQL when `databaseUrl` is set, PGlite otherwise, and checks the connection. Does not
 * migrate: call `migrate(db)` next.
 *
 * @example
 * const db = await openDb({ databaseUrl: process.env.DATABASE_URL });
 * await migrate(db);
 * const rows = await db.query<{ n: number }>('select count(*)::int as n from articles');
 *
 * @throws PipelineError (stage 'store', culprit = the URL without password, or the data dir) when the
 * database cannot be reached or the schema cannot be created.
 */
export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
    throw new PipelineError({
      code: 'STORE_FAILED',
      stage: 'store',
      culprit: opts.schema,
      detail: 'schema name: lowercase letters, digits and underscores',
      permanent: true,
    });
  }
  return opts.databaseUrl
    ? openPostgres(opts.databaseUrl, opts.schema)
    : openPglite(opts.dataDir ?? DEFAULT_PGLITE_DIR, opts.schema);
}

/** The connection string as it may be logged: no password, nothing at all when unparseable. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.searchParams.delete('password');
    return parsed.toString();
  } catch {
    return 'postgres (unparseable DATABASE_URL)';
  }
}

async function openPostgres(url: string, schema: string | undefined): Promise<Db> {
  const culprit = redactDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // search_path as a startup option applies to every pooled connection, not just the first.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') => {
        if (oid === OID_INT8) return Number; // ids and counts stay far below 2^53
        if (oid === OID_DATE) return (value: string) => value; // no local-midnight Date surprises
        return pg.types.getTypeParser(oid, format);
      },
    },
  });
  // An idle client losing its server emits here; without a listener the process would crash.
  pool.on('error', (err) => log.warn({ err }, 'store: idle PostgreSQL connection lost'));

  const db = postgresDb(pool, culprit);
  try {
    // Straight to the pool, so the error says "unable to connect" rather than only the socket's words.
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw asStoreError(error, culprit, 'unable to connect');
  }
  if (schema) {
    try {
      await createSchema(db, schema);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }
  return db;
}

function postgresDb(pool: pg.Pool, culprit: string): Db {
  return {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]) {
      try {
        return (await pool.query(sql, params)).rows as T[];
      } catch (error) {
        throw asStoreError(error, culprit);
      }
    },
    async exec(sql) {
      try {
        await pool.query(sql);
      } catch (error) {
        throw asStoreError(error, culprit);
      }
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw asStoreError(error, culprit, 'unable to connect');
      }
      // A checked-out client emits 'error' when its server goes away mid-transaction (57P01 on a
      // fast shutdown); the pool listens only to idle clients, and an 'error' event without a
      // listener ends the process. The failing query rejects with the same error, which is reported.
      let lost: Error | undefined;
      const onError = (error: Error) => {
        lost = error;
        log.warn({ err: describeError(error) }, 'store: PostgreSQL connection lost during a transaction');
      };
      client.on('error', onError);
      try {
        await client.query('begin');
        const result = await fn(postgresTx(client, culprit));
        await client.query('commit');
        client.off('error', onError);
        client.release();
        return result;
      } catch (error) {
        // A client whose rollback fails (or whose server is gone) is in an unknown state: destroy it
        // rather than pool it.
        const rollbackError =
          lost ??
          (await client.query('rollback').then(
            () => undefined,
            (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
          ));
        if (rollbackError) {
          // Destroyed: the listener stays, for a late error from the dying socket.
          client.release(rollbackError);
        } else {
          client.off('error', onError);
          client.release();
        }
        throw asStoreError(error, culprit);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

function postgresTx(client: pg.PoolClient, culprit: string): Db {
  const tx: Db = {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]) {
      try {
        return (await client.query(sql, params)).rows as T[];
      } catch (error) {
        throw asStoreError(error, culprit);
      }
    },
    async exec(sql) {
      try {
        await client.query(sql);
      } catch (error) {
        throw asStoreError(error, culprit);
      }
    },
    transaction: (fn) => fn(tx),
    close: () => Promise.reject(new Error('store: close the Db that opened the transaction, not the tx')),
  };
  return tx;
}

async function openPglite(dataDir: string, schema: string | undefined): Promise<Db> {
  let pglite: PGlite;
  try {
    // PGlite creates the data directory itself but not its parents.
    const onDisk = !dataDir.includes('://');
    if (onDisk) await mkdir(dataDir, { recursive: true });
    const options = {
      parsers: { [OID_INT8]: Number, [OID_DATE]: (value: string) => value, [OID_BYTEA]: byteaFromHex },
      serializers: { [OID_BYTEA]: byteaAsHex },
      // PostgreSQL's 128 MB of shared buffers live in PGlite's WebAssembly heap, which never shrinks;
      // one process reads from its own file cache anyway. 16 MB: run --once peaked 143 MB lower on
      // 500 articles (1,187 → 1,044 MB) at the same speed (issue 12).
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
    };
    if (onDisk && !existsSync(path.join(dataDir, 'PG_VERSION'))) {
      // A new database: PGlite runs initdb inside its WebAssembly memory, which grows to 630 MB and
      // never shrinks. Closed and opened again, the instance starts at 200 MB; a first run --once
      // had peaked at 1.6 GB (issue 12).
      await (await PGlite.create(dataDir, options)).close();
    }
    pglite = await PGlite.create(dataDir, options);
  } catch (error) {
    throw asStoreError(error, dataDir, 'unable to open PGlite');
  }
  const db = pgliteDb(pglite, dataDir);
  if (schema) {
    try {
      await createSchema(db, schema);
      // PGlite is one session, so one SET holds for every later query.
      await db.exec(`set search_path to ${schema}`);
    } catch (error) {
      await pglite.close().catch(() => undefined);
      throw asStoreError(error, dataDir);
    }
  }
  return db;
}

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
}

function pgliteDb(pglite: PGlite, culprit: string): Db {
  return {
    ...pgliteQueries(pglite, culprit),
    async transaction<T>(fn: (tx: Db) => Promise<T>) {
      try {
        return await pglite.transaction((raw) => {
          const tx: Db = {
            ...pgliteQueries(raw, culprit),
            transaction: (inner) => inner(tx),
            close: () =>
              Promise.reject(new Error('store: close the Db that opened the transaction, not the tx')),
          };
          return fn(tx);
        });
      } catch (error) {
        throw asStoreError(error, culprit);
      }
    },
    async close() {
      await pglite.close();
    },
  };
}

function pgliteQueries(conn: PgliteLike, culprit: string): Pick<Db, 'kind' | 'query' | 'exec'> {
  return {
    kind: 'pglite',
    async query<T>(sql: string, params?: unknown[]) {
      try {
        return (await conn.query<T>(sql, params)).rows;
      } catch (error) {
        throw asStoreError(error, culprit);
      }
    },
    async exec(sql) {
      try {
        await conn.exec(sql);
      } catch (error) {
        throw asStoreError(error, culprit);
      }
    },
  };
}

async function createSchema(db: Db, schema: string): Promise<void> {
  try {
    await db.exec(`create schema if not exists ${schema}`);
  } catch (error) {
    // Two processes creating the same schema at once: the loser gets a unique violation on
    // pg_namespace even with IF NOT EXISTS. The schema exists either way.
    const sqlstate = error instanceof PipelineError ? sqlstateOf(error.cause) : undefined;
    if (sqlstate !== '23505' && sqlstate !== '42P06') throw error;
  }
}

/**
 * SQLSTATE classes that a retry cannot fix: 22 data exception, 23 integrity constraint violation,
 * 42 syntax error or undefined object. Everything else (connection loss, deadlock, serialization
 * failure, server shutting down) is worth a retry.
 */
const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '23', '42']);

/** The SQLSTATE of a server error (pg and PGlite both carry `severity` and `code`), else undefined. */
function sqlstateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('severity' in error) || !('code' in error))
    return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function asStoreError(error: unknown, culprit: string, context?: string): PipelineError {
  if (error instanceof PipelineError) return error;
  const sqlstate = sqlstateOf(error);
  // Node's AggregateError for a refused connection has an empty message; its code says it all.
  const errno = (error as { code?: unknown } | null)?.code;
  const message = describeError(error) || (typeof errno === 'string' ? errno : 'unknown error');
  const detail = [context, sqlstate ? `${message} (SQLSTATE ${sqlstate})` : message]
    .filter(Boolean)
    .join(': ');
  return new PipelineError({
    code: 'STORE_FAILED',
    stage: 'store',
    culprit,
    detail,
    permanent: sqlstate !== undefined && PERMANENT_SQLSTATE_CLASSES.has(sqlstate.slice(0, 2)),
    cause: error,
  });
}

/** timestamptz comes back as Date on both engines; the model passes ISO strings between stages. */
export function toIso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}
