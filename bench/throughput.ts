/**
 * `npm run bench`: issue 12's throughput and memory benchmark. A local web of `--feeds` × `--items`
 * articles (default 200 × 50 = 10,000) whose pages are the real pages of ../shared/datasets/extraction,
 * made unique per item (bench/throughput/extraction-web.ts). In one run, one after another:
 *
 * - two ceilings on the same pages: the extraction pool alone, and plain Readability on jsdom
 *   (bench/throughput/ceilings.ts); the higher is the ceiling;
 * - `run --once` on PGlite and on PostgreSQL; the service with one and with two article-worker
 *   processes sharing the machine's cores, and again with each process alone on a core (taskset), which
 *   is what a second process on a machine of its own brings (bench/throughput/pipeline-runs.ts).
 *
 * For each it prints articles/s and the ratio to the ceiling, peak RSS and CPU per process, the
 * PostgreSQL server's CPU, Redis memory, and latency percentiles from an item's first sighting to
 * stored and (in the service) to the Slack message received, with the gather window shown apart.
 *
 *   npm run bench                                    # everything, 10,000 articles (about 2.5 hours)
 *   npm run bench -- --feeds 20 --items 25 --only pool,postgres
 *   npm run bench -- --profile /tmp/prof             # V8 CPU profiles of every pipeline process
 *   npm run bench -- --heap 2048                     # EXTRACT_THREAD_HEAP_MB=2048: speed for memory
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { extractionPoolCeiling, plainReadabilityCeiling, type CeilingFigure } from './throughput/ceilings.ts';
import { ExtractionWeb } from './throughput/extraction-web.ts';
import { describeLatency, percentile } from './throughput/measure.ts';
import { runOnceRun, serviceRun, type PipelineFigure } from './throughput/pipeline-runs.ts';

const RUNS = [
  'pool',
  'readability',
  'pglite',
  'postgres',
  'service-1',
  'service-2',
  'pinned-1',
  'pinned-2',
] as const;
type RunName = (typeof RUNS)[number];

const { values: args } = parseArgs({
  options: {
    feeds: { type: 'string', default: '200' },
    items: { type: 'string', default: '50' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    /** Comma-separated subset of RUNS. */
    only: { type: 'string', default: RUNS.join(',') },
    /** Write V8 CPU profiles of each pipeline process into this directory (node --cpu-prof). */
    profile: { type: 'string' },
    'log-dir': { type: 'string' },
    /** Items published one at a time after the service's backlog, for latency (0: none). */
    live: { type: 'string', default: '120' },
    /** EXTRACT_THREAD_HEAP_MB for the pool ceiling and the pipeline runs; unset: the default (512). */
    heap: { type: 'string' },
  },
});
const only = args.only.split(',').map((s) => s.trim()) as RunName[];
const unknown = only.filter((name) => !(RUNS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown run ${unknown.join(', ')}; choose from ${RUNS.join(', ')}`);
  process.exit(2);
}
const logDir = args['log-dir'] ?? mkdtempSync(path.join(os.tmpdir(), 'cw-bench-logs-'));
mkdirSync(logDir, { recursive: true });

const web = new ExtractionWeb({ feeds: Number(args.feeds), itemsPerFeed: Number(args.items) });
await web.start();
const opts = {
  web,
  adminUrl: args['database-url'],
  profileDir: args.profile,
  logDir,
  liveItems: Number(args.live),
  extractHeapMb: args.heap === undefined ? undefined : Number(args.heap),
};
const mb = (n: number) => `${n.toFixed(0)} MB`;

try {
  console.log(
    `bench: ${web.items} articles (${args.feeds} feeds × ${args.items}), pages of the extraction set, ` +
      `${os.availableParallelism()} cores` +
      (opts.extractHeapMb === undefined ? '' : `; extraction threads' heap ${opts.extractHeapMb} MB`) +
      `; logs in ${logDir}`,
  );
  const ceilings: CeilingFigure[] = [];
  if (only.includes('pool')) ceilings.push(await extractionPoolCeiling(web, opts.extractHeapMb));
  if (only.includes('readability')) ceilings.push(await plainReadabilityCeiling(web));
  const rate = (f: { articles: number; seconds: number }) => f.articles / f.seconds;
  const top = ceilings.length > 0 ? Math.max(...ceilings.map(rate)) : NaN;
  for (const c of ceilings) {
    console.log(
      `${c.what}: ${c.articles} pages in ${c.seconds.toFixed(1)} s = ${rate(c).toFixed(1)}/s ` +
        `(${((c.cpuSeconds / c.articles) * 1000).toFixed(0)} ms CPU a page), peak RSS ${mb(c.peakRssMb)}`,
    );
  }
  if (ceilings.length > 0) console.log(`the ceiling: ${top.toFixed(1)} pages/s`);

  const print = (f: PipelineFigure) => {
    const cpu = f.processes.reduce((s, p) => s + p.cpuSeconds, 0) + f.postgresCpuSeconds;
    const perArticle = (seconds: number) => `${((seconds / f.articles) * 1000).toFixed(0)} ms`;
    console.log(
      [
        `\n${f.what}: ${f.articles} articles in ${f.seconds.toFixed(1)} s (first seen → last stored; ` +
          `wall ${f.wallSeconds.toFixed(0)} s) = ${rate(f).toFixed(1)}/s` +
          (Number.isNaN(top) ? '' : `, ${(rate(f) / top).toFixed(2)}× the ceiling`),
        ...f.processes.map(
          (p) =>
            `  ${p.name}: peak RSS ${mb(p.peakRssMb)}, CPU ${p.cpuSeconds.toFixed(0)} s (${perArticle(p.cpuSeconds)} an article)`,
        ),
        `  peak RSS as articles grew: ${f.rssAtMarks.map((m) => `${m.articles}: ${mb(m.mb)}`).join(' · ') || 'fewer than 1,000'}`,
        ...(f.postgresCpuSeconds > 0
          ? [
              `  PostgreSQL server: CPU ${f.postgresCpuSeconds.toFixed(0)} s (${perArticle(f.postgresCpuSeconds)} an article)`,
            ]
          : []),
        ...(f.postgresWrites
          ? [
              `  PostgreSQL writes: ${(f.postgresWrites.commits / f.articles).toFixed(1)} commits, ` +
                `${(f.postgresWrites.rowsWritten / f.articles).toFixed(0)} rows and ` +
                `${((f.postgresWrites.walMb * 1024) / f.articles).toFixed(0)} KB of WAL an article`,
            ]
          : []),
        `  CPU in all: ${perArticle(cpu)} an article; the local web meanwhile ${perArticle(f.webCpuSeconds)}`,
        ...(f.redis
          ? [
              `  Redis used_memory: ${mb(f.redis.startMb)} at start, peak ${mb(f.redis.peakMb)}, ${mb(f.redis.endMb)} at the end ` +
                `(${(((f.redis.endMb - f.redis.startMb) * 1024) / f.articles).toFixed(1)} KB an article kept)`,
              `  Redis by key (MEMORY USAGE): ` +
                f.redis.kinds
                  .filter((k) => k.mb >= 0.05)
                  .map((k) => `${k.kind} ${k.mb.toFixed(1)} MB (${k.keys} keys)`)
                  .join(' · '),
            ]
          : []),
        `  seen → stored, ${f.live ? 'the backlog' : 'all seen at once'}: ${describeLatency(f.seenToStored)}`,
        ...(f.gatherSeconds > 0
          ? [`  seen → Slack message received, the backlog: ${describeLatency(f.seenToAlert)}`]
          : []),
        ...(f.live
          ? [
              `  live (${f.live.items} items published one at a time afterwards):`,
              `    seen → stored: ${describeLatency(f.live.seenToStored)}`,
              `    seen → Slack message received: ${describeLatency(f.live.seenToAlert)}; gather window ` +
                `${f.gatherSeconds} s, so beyond it p95 ${(percentile(f.live.seenToAlert, 95) - f.gatherSeconds).toFixed(1)} s`,
            ]
          : []),
        ...(f.gatherSeconds > 0 ? [`  alerts planned in all: ${f.alertsPlanned}`] : []),
      ].join('\n'),
    );
  };
  const figures = new Map<RunName, PipelineFigure>();
  const measure = async (name: RunName, run: () => Promise<PipelineFigure>) => {
    if (!only.includes(name)) return;
    const figure = await run();
    figures.set(name, figure);
    print(figure);
  };
  await measure('pglite', () => runOnceRun(opts, 'pglite'));
  await measure('postgres', () => runOnceRun(opts, 'postgres'));
  await measure('service-1', () => serviceRun(opts, 0));
  await measure('service-2', () => serviceRun(opts, 1));
  await measure('pinned-1', () => serviceRun(opts, 0, true));
  await measure('pinned-2', () => serviceRun(opts, 1, true));
  const ratio = (two: RunName, one: RunName) => {
    const [a, b] = [figures.get(two), figures.get(one)];
    return a && b ? `${(rate(a) / rate(b)).toFixed(2)}×` : 'not run';
  };
  if (figures.has('service-2') || figures.has('pinned-2')) {
    console.log(
      `\ntwo article-worker processes ÷ one: ${ratio('service-2', 'service-1')} sharing this machine's ` +
        `${os.availableParallelism()} cores; ${ratio('pinned-2', 'pinned-1')} with a core each`,
    );
  }
} finally {
  await web.close();
}
