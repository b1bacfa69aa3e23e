/**
 * `npm run bench`: issue 12's throughput benchmark (first part). A local web of `--feeds` × `--items`
 * items (default 200 × 50) whose pages are the real pages of ../shared/datasets/extraction made
 * unique per item (bench/throughput/extraction-web.ts), then, in the same run:
 *
 * - the ceiling: the extraction pool alone on the same pages, with one thread per core;
 * - `run --once` on PGlite and on PostgreSQL (a fresh database each), as its own process.
 *
 * For each it prints articles/s, the ratio to the ceiling and the peak RSS of the process (VmHWM,
 * worker threads included). Still to come (issue 12): plain Readability on threads as a second
 * ceiling, the service with one and two article workers, Redis memory and latency percentiles.
 *
 *   npm run bench -- --feeds 20 --items 25     # 500 articles
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createExtractPool } from '../src/extract/extract-pool.ts';
import { ExtractionWeb } from './throughput/extraction-web.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    feeds: { type: 'string', default: '200' },
    items: { type: 'string', default: '50' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});

interface Figure {
  what: string;
  articles: number;
  seconds: number;
  peakRssMb: number;
}

/** Peak RSS of a process so far (VmHWM), in MB; 0 once it is gone. */
function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The `stored` cell of run --once's summary table (cli-table3: a header row, then the values). */
function storedFromSummary(output: string): number {
  const rows = output
    .split('\n')
    .filter((line) => line.includes('│'))
    .map((line) => line.split('│').map((cell) => cell.trim()));
  const header = rows.findIndex((cells) => cells.includes('stored'));
  const column = rows[header]?.indexOf('stored') ?? -1;
  return Number(rows[header + 1]?.[column] ?? NaN);
}

async function ceiling(web: ExtractionWeb): Promise<Figure> {
  const pool = createExtractPool();
  // Pages are built before the clock starts: the ceiling is extraction, not string building.
  const pages = Array.from({ length: web.items }, (_, n) => ({
    html: web.page(n),
    url: `${web.base}/a/${n}`,
  }));
  await Promise.all(pages.slice(0, 4).map((p) => pool.extract(p.html, p.url).catch(() => null)));
  const started = performance.now();
  const done = await Promise.all(
    pages.map((p) =>
      pool.extract(p.html, p.url).then(
        () => 1,
        () => 0,
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return {
    what: 'extraction pool alone (the ceiling)',
    articles: done.reduce((a: number, b: number) => a + b, 0),
    seconds,
    peakRssMb: peakRssMb(process.pid),
  };
}

async function runOnceProcess(web: ExtractionWeb, store: 'pglite' | 'postgres'): Promise<Figure> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cw-bench-'));
  writeFileSync(path.join(dir, 'feeds.yaml'), web.feedsYaml());
  writeFileSync(path.join(dir, 'alerts.yaml'), 'rules: []\n');
  let databaseUrl: string | undefined;
  let admin: pg.Client | undefined;
  const database = `cw_bench_${process.pid}`;
  if (store === 'postgres') {
    admin = new pg.Client({ connectionString: args['database-url'] });
    await admin.connect();
    await admin.query(`drop database if exists ${database}`);
    await admin.query(`create database ${database}`);
    const url = new URL(args['database-url']);
    url.pathname = `/${database}`;
    databaseUrl = url.href;
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONFIG_DIR: dir,
    WATCHLIST: path.join(ROOT, 'config/watchlists/gaza-ceasefire.yaml'),
    DATA_DIR: path.join(dir, 'data'),
    DIGEST_DIR: path.join(dir, 'digests'),
    ALLOW_PRIVATE_NETWORKS: 'true',
    HOST_MIN_SPACING_MS: '0',
    HOST_MAX_CONCURRENT: '32',
    RETAIN_RAW_HTML: 'true',
    LOG_LEVEL: 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  if (!databaseUrl) delete env.DATABASE_URL;
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--once'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRssMb(child.pid ?? 0))), 200);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const stored = storedFromSummary(output);
  if (code !== 0 && code !== 3)
    throw new Error(`run --once on ${store} exited with ${code}:\n${output.slice(-2000)}`);
  if (admin) {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    what: `run --once on ${store === 'pglite' ? 'PGlite' : 'PostgreSQL'}`,
    articles: stored,
    seconds,
    peakRssMb: peak,
  };
}

const web = new ExtractionWeb({ feeds: Number(args.feeds), itemsPerFeed: Number(args.items) });
await web.start();
try {
  console.log(
    `bench: ${web.items} items (${args.feeds} feeds × ${args.items}), pages from the extraction set`,
  );
  const top = await ceiling(web);
  const rate = (f: Figure) => f.articles / f.seconds;
  const print = (f: Figure) =>
    console.log(
      `${f.what}: ${f.articles} articles in ${f.seconds.toFixed(1)} s = ${rate(f).toFixed(1)}/s, ` +
        `${(rate(f) / rate(top)).toFixed(2)}× the ceiling, peak RSS ${f.peakRssMb.toFixed(0)} MB`,
    );
  print(top);
  for (const store of ['pglite', 'postgres'] as const) print(await runOnceProcess(web, store));
} finally {
  await web.close();
}
