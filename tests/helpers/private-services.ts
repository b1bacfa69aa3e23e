/**
 * Redis and PostgreSQL servers of a test's own, on spare ports of 127.0.0.1, for faults the shared
 * services must never suffer: stopping, restarting without persistence, flushing. Started from the
 * machine's binaries (redis-server; PostgreSQL's initdb and pg_ctl, as the `postgres` user when the
 * tests run as root, since PostgreSQL refuses to run as root).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/** A port nobody listens on now (the OS picks it; a short race with other tests is acceptable). */
export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops the server (SHUTDOWN: with AOF on, everything acknowledged is on disk). */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory; `aof` decides what it finds there. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A Redis of the test's own; with `aof` it keeps an append-only file fsynced every second. */
export async function startPrivateRedis(opts: { aof: boolean }): Promise<PrivateRedis> {
  const port = await sparePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cw-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  const ping = async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  };
  const start = async () => {
    execFileSync('redis-server', [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      opts.aof ? 'yes' : 'no',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      path.join(dir, 'redis.log'),
      '--pidfile',
      path.join(dir, 'redis.pid'),
    ]);
    await until(`Redis on ${port}`, ping);
  };
  const stop = async () => {
    const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    await client.call('SHUTDOWN', opts.aof ? 'SAVE' : 'NOSAVE').catch(() => undefined);
    client.disconnect();
    await until(`Redis on ${port} to stop`, async () => !(await ping().catch(() => false)));
  };
  await start();
  return {
    url,
    port,
    stop,
    start,
    async close() {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivatePostgres {
  url: string;
  port: number;
  /** `pg_ctl stop -m fast`: sessions are ended (SQLSTATE 57P01), as an operator or a crash would. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function postgresBin(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  const bin = path.join('/usr/lib/postgresql', versions[versions.length - 1] ?? '', 'bin');
  if (!existsSync(path.join(bin, 'initdb'))) throw new Error(`no PostgreSQL binaries under ${bin}`);
  return bin;
}

/** Runs a PostgreSQL tool as the `postgres` user when we are root (PostgreSQL refuses root). */
function asPostgres(command: string, args: string[]): void {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root) {
    const line = [command, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', line], { stdio: 'ignore' });
  } else {
    execFileSync(command, args, { stdio: 'ignore' });
  }
}

/** A PostgreSQL of the test's own (trust auth, database `postgres`). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const port = await sparePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cw-pg-'));
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, -1);
    chmodSync(dir, 0o700);
  }
  const data = path.join(dir, 'data');
  asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const answers = async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const start = async () => {
    asPostgres(path.join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-l',
      path.join(dir, 'log'),
      '-w',
      'start',
    ]);
    await until(`PostgreSQL on ${port}`, answers);
  };
  const stop = async () => {
    asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  await start();
  return {
    url,
    port,
    stop,
    start,
    async close() {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
