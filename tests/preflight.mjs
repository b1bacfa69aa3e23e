#!/usr/bin/env node
// @ts-check
/**
 * The first step of `npm test`: makes sure what the tests need is there, and brings up what is
 * missing when it can — Redis and PostgreSQL on 127.0.0.1, a headless Chromium — or stops at once
 * with one line naming the missing piece and the command that provides it. Plain JavaScript on Node's
 * own modules, so it runs (and can say "run npm ci") before the dependencies are installed.
 *
 * Environment: TEST_REDIS_URL (redis://127.0.0.1:6379), TEST_DATABASE_URL
 * (postgres://postgres@127.0.0.1:5432/test), CHROMIUM_PATH (/usr/bin/chromium).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL, fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** How long a service we started may take to answer: Redis takes well under a second, PostgreSQL a few. */
const START_WAIT_MS = 15_000;

/** @param {string} line */
function fail(line) {
  process.stderr.write(`npm test: ${line}\n`);
  process.exit(1);
}

/** @param {string} line */
function say(line) {
  process.stderr.write(`npm test: ${line}\n`);
}

/** @param {string} command */
function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Sends `request` over TCP and resolves with what came back within `timeoutMs` ('' when the server
 * closed or said nothing), or rejects when nobody listens.
 * @param {string} host @param {number} port @param {string} request @param {number} timeoutMs
 * @returns {Promise<string>}
 */
function ask(host, port, request, timeoutMs = 1_000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let answer = '';
    const done = () => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done();
    });
    socket.on('error', reject);
    socket.on('close', done);
  });
}

/** @param {() => Promise<boolean>} check */
async function waitUntil(check) {
  const deadline = Date.now() + START_WAIT_MS;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  return false;
}

function checkDependencies() {
  if (!existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
    fail('the dependencies are not installed: run `npm ci` first');
  }
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node ${process.versions.node} is too old: the project needs Node 20.19 or newer`);
  }
}

async function ensureRedis() {
  const url = new URL(REDIS_URL);
  const host = url.hostname;
  const port = Number(url.port || 6379);
  const ping = async () => (await ask(host, port, 'PING\r\n').catch(() => '')).startsWith('+PONG');
  if (await ping()) return;
  const local = host === '127.0.0.1' || host === 'localhost';
  if (!local || !has('redis-server')) {
    fail(
      `Redis does not answer at ${REDIS_URL}: install it (\`apt-get install -y redis-server\`) or start one ` +
        '(`docker compose up -d redis`), or point TEST_REDIS_URL at one',
    );
  }
  say(`starting Redis on ${host}:${port} for the tests`);
  const dir = path.join(os.tmpdir(), 'ceasefire-watch-test-redis');
  mkdirSync(dir, { recursive: true });
  // Like the machine's own: nothing kept on disk, loopback only.
  spawnSync(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '-::1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  if (!(await waitUntil(ping)))
    fail(`Redis was started but does not answer at ${REDIS_URL}: see ${dir}/redis.log`);
}

/**
 * The server's first answer to a startup message tells a listening PostgreSQL from nothing.
 * @param {string} host @param {number} port
 */
async function postgresListens(host, port) {
  // SSLRequest: 8 bytes; PostgreSQL answers one byte, 'S' or 'N'.
  const request = String.fromCharCode(0, 0, 0, 8, 4, 210, 22, 47);
  const answer = await ask(host, port, request).catch(() => null);
  return answer === 'N' || answer === 'S' || (answer !== null && answer.length > 0);
}

async function ensurePostgres() {
  const url = new URL(DATABASE_URL);
  const host = url.hostname;
  const port = Number(url.port || 5432);
  if (!(await postgresListens(host, port))) {
    const local = host === '127.0.0.1' || host === 'localhost';
    const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
    // Debian's cluster listens on 5432: only then is starting it the answer to this URL.
    if (!local || port !== 5432 || versions.length === 0 || !has('pg_ctlcluster')) {
      fail(
        `PostgreSQL does not answer at ${host}:${port}: install it (\`apt-get install -y postgresql\`) or start one ` +
          '(`docker compose up -d postgres`), or point TEST_DATABASE_URL at one',
      );
    }
    say(`starting PostgreSQL ${versions[0]} for the tests`);
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', String(versions[0]), 'main', 'start'], {
      stdio: 'ignore',
    });
    if (!(await waitUntil(() => postgresListens(host, port)))) {
      fail(`PostgreSQL was started but does not answer at ${host}:${port}: see /var/log/postgresql/`);
    }
  }
  // The tests' database must exist; with `pg` installed (checked above), ask and create it if missing.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    const code = /** @type {{ code?: string }} */ (error).code;
    if (code !== '3D000')
      fail(`PostgreSQL at ${host}:${port} refused the tests' connection: ${String(error)}`);
    const name = url.pathname.slice(1);
    const admin = new URL(DATABASE_URL);
    admin.pathname = '/postgres';
    const creator = new pg.Client({ connectionString: admin.href, connectionTimeoutMillis: 5_000 });
    await creator.connect();
    await creator.query(`create database "${name.replaceAll('"', '')}"`);
    await creator.end();
    say(`created the tests' database "${name}"`);
  }
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (CHROMIUM !== '/usr/bin/chromium' || !isRoot || !has('apt-get')) {
    fail(
      `Chromium is missing at ${CHROMIUM} (the browser tests drive it headless): ` +
        '`sudo apt-get install -y chromium`, or set CHROMIUM_PATH',
    );
  }
  say("installing Debian's chromium for the browser tests (once; about a minute)");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
  if (install().status !== 0) {
    // A fresh machine's package lists may be missing or stale.
    execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (install().status !== 0) fail('could not install chromium: `sudo apt-get install -y chromium`');
  }
  if (!existsSync(CHROMIUM)) fail(`chromium was installed but ${CHROMIUM} is not there: set CHROMIUM_PATH`);
}

checkDependencies();
await ensureRedis();
await ensurePostgres();
ensureChromium();
