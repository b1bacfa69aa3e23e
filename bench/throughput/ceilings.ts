/**
 * The two ceilings of issue 12's benchmark, on the same pages as the pipeline, in the bench's own
 * process, one thread per core, after a warm-up that starts the threads:
 *
 * - the extraction pool alone (src/extract/extract-pool.ts): what the pipeline's own extraction can do;
 * - plain Readability on jsdom with `<style>`/`<script>` cut out (plain-readability-thread.ts): what
 *   the card's libraries alone can do, so that the ceiling is never a slow extractor's.
 *
 * Pages are built just before they are handed over, a few ahead of the threads (10,000 pages of
 * 180 KB built in advance would be 2 GB of strings).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createExtractPool, TSX_WORKER_BOOTSTRAP } from '../../src/extract/extract-pool.ts';
import type { ExtractionWeb } from './extraction-web.ts';
import { cpuSeconds, peakRssMb } from './measure.ts';

export interface CeilingFigure {
  what: string;
  articles: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** Runs `extract` over every page of `web`, `inFlight` at a time; counts the pages that succeed. */
async function overPages(
  web: ExtractionWeb,
  inFlight: number,
  extract: (html: string, url: string) => Promise<boolean>,
): Promise<{ done: number; seconds: number; cpuSeconds: number }> {
  let next = 0;
  let done = 0;
  const cpuBefore = cpuSeconds('self')?.[0] ?? 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < web.items) {
        const n = next++;
        if (await extract(web.page(n), web.pageUrl(n))) done++;
      }
    }),
  );
  return {
    done,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpuSeconds('self')?.[0] ?? 0) - cpuBefore,
  };
}

export async function extractionPoolCeiling(web: ExtractionWeb, heapMb?: number): Promise<CeilingFigure> {
  const pool = createExtractPool(heapMb === undefined ? {} : { maxOldGenerationSizeMb: heapMb });
  const threads = availableParallelism();
  await Promise.all(
    Array.from({ length: threads }, (_, n) => pool.extract(web.page(n), web.pageUrl(n)).catch(() => null)),
  );
  // Enough pages in flight that a thread never waits for the next one to be built.
  const run = await overPages(web, threads * 4, (html, url) =>
    pool.extract(html, url).then(
      () => true,
      () => false,
    ),
  );
  await pool.close();
  return {
    what: 'ceiling: extraction pool alone',
    articles: run.done,
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    peakRssMb: peakRssMb(process.pid),
  };
}

export async function plainReadabilityCeiling(web: ExtractionWeb): Promise<CeilingFigure> {
  const entry = new URL('./plain-readability-thread.ts', import.meta.url).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const threads = await Promise.all(
    Array.from({ length: availableParallelism() }, async () => {
      const worker = new Worker(TSX_WORKER_BOOTSTRAP, { eval: true, workerData: { tsxApi, entry } });
      await new Promise((resolve) => worker.once('message', resolve));
      return worker;
    }),
  );
  const idle = [...threads];
  const waiting: ((w: Worker) => void)[] = [];
  const take = () =>
    new Promise<Worker>((resolve) => {
      const free = idle.pop();
      if (free) resolve(free);
      else waiting.push(resolve);
    });
  const give = (worker: Worker) => {
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  };
  const extract = async (html: string, url: string): Promise<boolean> => {
    const worker = await take();
    try {
      return await new Promise<boolean>((resolve) => {
        worker.once('message', (length: number) => resolve(length > 0));
        worker.postMessage({ html, url });
      });
    } finally {
      give(worker);
    }
  };
  // Warm-up: each thread's first page loads jsdom.
  await Promise.all(threads.map((_, n) => extract(web.page(n), web.pageUrl(n))));
  const run = await overPages(web, threads.length * 4, extract);
  await Promise.all(threads.map((w) => w.terminate()));
  return {
    what: 'ceiling: plain Readability + jsdom',
    articles: run.done,
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    peakRssMb: peakRssMb(process.pid),
  };
}
