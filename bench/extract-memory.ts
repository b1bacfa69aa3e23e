/**
 * Memory over a long run: the extraction dev pages, repeated, through the worker-thread pool, with the
 * process RSS (worker threads included: they share the process) printed every 1,000 pages. Bounded
 * memory shows as RSS levelling off after the first thousand pages instead of climbing with the count.
 *
 *   npm run bench:extract-memory          (from the project directory)
 *   npx tsx bench/extract-memory.ts --pages 10000 --recycle-after 0 --report-every 1000
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createExtractPool } from '../src/extract/extract-pool.ts';

const DATASET = '../shared/datasets/extraction';
/** The bound: 10,000 pages. */
const DEFAULT_PAGES = 10_000;

const { values: args } = parseArgs({
  options: {
    pages: { type: 'string', default: String(DEFAULT_PAGES) },
    'recycle-after': { type: 'string', default: '0' },
    'report-every': { type: 'string', default: '1000' },
  },
});
const total = Number(args.pages);
const reportEvery = Number(args['report-every']);

const truth = JSON.parse(readFileSync(`${DATASET}/ground-truth.json`, 'utf8')) as Record<
  string,
  { url: string }
>;
const pages = Object.entries(truth).map(([id, { url }]) => ({
  url,
  html: readFileSync(path.join(DATASET, `${id}.html`), 'utf8'),
}));

const pool = createExtractPool({ recycleAfterPages: Number(args['recycle-after']) });
// Two pages per thread in flight keep every thread busy without queueing the whole run in memory.
const inFlightLimit = 2 * availableParallelism();
const inFlight = new Set<Promise<void>>();
let done = 0;
let failed = 0;
let peakRss = 0;
const started = performance.now();
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

console.log('pages   rss MB   peak rss MB   main heap MB   pages/s   threads   restarts   recycles   errors');
for (let i = 0; i < total; i++) {
  const page = pages[i % pages.length] as (typeof pages)[number];
  const job = pool.extract(page.html, page.url).then(
    () => undefined,
    () => void failed++,
  );
  const tracked: Promise<void> = job.then(() => {
    inFlight.delete(tracked);
    done++;
    const rss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, rss);
    if (done % reportEvery === 0 || done === total) {
      const stats = pool.stats();
      const rate = done / ((performance.now() - started) / 1000);
      console.log(
        [
          String(done).padStart(5),
          mb(rss).padStart(8),
          mb(peakRss).padStart(13),
          mb(process.memoryUsage().heapUsed).padStart(14),
          rate.toFixed(1).padStart(9),
          String(stats.threads).padStart(9),
          String(stats.restarts).padStart(10),
          String(stats.recycles).padStart(10),
          String(failed).padStart(8),
        ].join(''),
      );
    }
  });
  inFlight.add(tracked);
  if (inFlight.size >= inFlightLimit) await Promise.race(inFlight);
}
await Promise.all(inFlight);
await pool.close();
console.log(`max RSS of the process (getrusage): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
