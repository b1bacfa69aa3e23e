/**
 * {@link extractArticle} on a pool of worker threads: pages run in parallel on all cores, a runaway page
 * is stopped by terminating its thread (the pool starts another), each thread's heap is capped so one
 * monstrous page cannot take the process down, and runaway pages cannot hold every thread while normal
 * pages wait (see `slowPageMs`).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ErrorCodes, PipelineError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import type { ExtractedArticle } from '../model.ts';
import type { PageRequest, ThreadError, ThreadReply } from './extract-worker-thread.ts';

export interface ExtractPoolOptions {
  /** Worker threads. Default `os.availableParallelism()`: extraction is CPU-bound. */
  size?: number;
  /**
   * Longest a page may take before its thread is terminated. Default 10 s: the slowest dev-set page
   * takes ~0.3 s warm and ~0.6 s cold on a loaded machine, while Readability needs ~39 s on 1,000
   * nested `<div>`s (measured): a page past 10 s is a runaway, not a big article.
   */
  pageTimeoutMs?: number;
  /**
   * Old-generation heap cap per thread. Default 512 MB: the whole extraction dev set (pages up to 1.4 MB)
   * runs under a 128 MB cap and fails one page under 64 MB (measured), so 512 leaves 4× for odd pages.
   */
  maxOldGenerationSizeMb?: number;
  /**
   * Young-generation (nursery) size per thread. V8 splits it into semi-spaces (young ≈ 3 × semi-space);
   * jsdom allocates many short-lived objects, and FACTS.md measured `--max-semi-space-size=64` at +25%.
   * Default {@link DEFAULT_YOUNG_GENERATION_MB}.
   */
  maxYoungGenerationSizeMb?: number;
  /** Replace a thread after this many pages, a second bound on memory. Default 0: never. */
  recycleAfterPages?: number;
  /**
   * A page still running after this long is a likely runaway. While every thread holds one and pages
   * wait, the pool starts one more thread per such page (at most `size` more), so normal pages keep
   * flowing instead of waiting up to `pageTimeoutMs` (two runaway pages stalled all extraction for
   * about 25 s on a pool of two); the extra threads end once they are no longer needed. Default 2 s:
   * over three times the slowest dev-set page cold (~0.6 s), well under the page timeout.
   */
  slowPageMs?: number;
}

export interface ExtractPoolStats {
  /** Pages answered (an article or an extraction error), not counting timeouts and crashes. */
  pages: number;
  /** Pages whose thread was terminated for taking longer than `pageTimeoutMs`. */
  timeouts: number;
  /** Pages whose thread died under them (heap cap, crash). */
  crashes: number;
  /** Threads started to replace one lost to a timeout or a crash. */
  restarts: number;
  /** Threads replaced after `recycleAfterPages` pages. */
  recycles: number;
  /** Threads started past `size` because every thread held a page running past `slowPageMs`. */
  overflows: number;
  /** Threads alive now. */
  threads: number;
  /** Pages waiting for a free thread. */
  queued: number;
}

export interface ExtractPool {
  /** Same result and the same PipelineError codes as `extractArticle(html, url)`, off the main thread. */
  extract(html: string, url: string): Promise<ExtractedArticle>;
  stats(): ExtractPoolStats;
  /** Terminate every thread; pages not yet answered are rejected. Idempotent. */
  close(): Promise<void>;
}

/**
 * 192 MB young generation = 64 MB semi-spaces, the `--max-semi-space-size=64` of FACTS.md. Pool of 2 on
 * the dev set (measured, two runs each): 48 MB 17.0–17.5 pages/s, RSS ~520 MB; 96 MB 17.7–18.3, ~620 MB;
 * 192 MB 19.6–20.5, ~850 MB; 384 MB 20.9–21.4, ~1,030 MB. 192 takes most of the gain for its memory.
 */
const DEFAULT_YOUNG_GENERATION_MB = 192;
const DEFAULT_OLD_GENERATION_MB = 512;
const DEFAULT_PAGE_TIMEOUT_MS = 10_000;
const DEFAULT_SLOW_PAGE_MS = 2_000;
/**
 * Threads that die before saying ready, in a row, before the pool gives up on the queued pages: a
 * broken install (tsx missing, a syntax error) must fail the pages instead of restarting forever.
 */
const MAX_FAILED_STARTS = 3;

const THREAD_ENTRY = new URL('./extract-worker-thread.ts', import.meta.url).href;
/**
 * A worker thread does not inherit tsx's loader hooks on Node 20 (neither from the parent nor through
 * `execArgv: ['--import', 'tsx']`), so each thread registers tsx itself, then imports the TypeScript
 * entry. Runs the same under `tsx` and under vitest. Start a thread with
 * `new Worker(TSX_WORKER_BOOTSTRAP, { eval: true, workerData: { tsxApi, entry } })`, where `tsxApi` is
 * `import.meta.resolve('tsx/esm/api')` and `entry` the file URL of the thread's module.
 */
export const TSX_WORKER_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

interface Job {
  html: string;
  url: string;
  resolve: (article: ExtractedArticle) => void;
  reject: (error: PipelineError) => void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | undefined;
  /** Fires when the page has run `slowPageMs`: the pool may then need another thread. */
  slowTimer: NodeJS.Timeout | undefined;
  /** When the current page was handed to the thread (epoch ms). */
  startedAt: number;
  pages: number;
}

/**
 * Start a pool of extraction threads. Threads start on demand, up to `size`; an idle pool does not
 * keep the process alive, but call `close()` when done.
 *
 * @example
 * const pool = createExtractPool({ pageTimeoutMs: 5_000 });
 * const article = await pool.extract(html, 'https://www.bbc.com/news/articles/c0000000');
 * await pool.close();
 */
export function createExtractPool(opts: ExtractPoolOptions = {}): ExtractPool {
  const size = Math.max(1, opts.size ?? availableParallelism());
  const pageTimeoutMs = opts.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS;
  const recycleAfterPages = opts.recycleAfterPages ?? 0;
  const slowPageMs = opts.slowPageMs ?? DEFAULT_SLOW_PAGE_MS;
  const resourceLimits = {
    maxOldGenerationSizeMb: opts.maxOldGenerationSizeMb ?? DEFAULT_OLD_GENERATION_MB,
    maxYoungGenerationSizeMb: opts.maxYoungGenerationSizeMb ?? DEFAULT_YOUNG_GENERATION_MB,
  };
  const tsxApi = import.meta.resolve('tsx/esm/api');

  const threads = new Set<Thread>();
  const queue: Job[] = [];
  const counts = { pages: 0, timeouts: 0, crashes: 0, restarts: 0, recycles: 0, overflows: 0 };
  let failedStarts = 0;
  let closed = false;

  function spawn(): void {
    const worker = new Worker(TSX_WORKER_BOOTSTRAP, {
      eval: true,
      workerData: { tsxApi, entry: THREAD_ENTRY },
      resourceLimits,
    });
    const thread: Thread = {
      worker,
      ready: false,
      job: null,
      timer: undefined,
      slowTimer: undefined,
      startedAt: 0,
      pages: 0,
    };
    threads.add(thread);
    worker.on('message', (reply: ThreadReply) => onReply(thread, reply));
    worker.on('error', (error) => onDeath(thread, error));
    worker.on('exit', (code) => onDeath(thread, new Error(`worker thread exited with code ${code}`)));
  }

  function onReply(thread: Thread, reply: ThreadReply): void {
    if (!threads.has(thread)) return;
    if (reply.kind === 'ready') {
      thread.ready = true;
      failedStarts = 0;
      pump();
      if (!thread.job) thread.worker.unref();
      return;
    }
    const job = thread.job;
    if (!job) return;
    clearTimers(thread);
    thread.job = null;
    thread.pages++;
    counts.pages++;
    if (reply.kind === 'done') job.resolve(reply.article);
    else job.reject(rebuildError(reply.error, job.url));
    if (recycleAfterPages > 0 && thread.pages >= recycleAfterPages) {
      counts.recycles++;
      retire(thread);
    } else if (threads.size > capacity()) {
      // An extra thread whose runaway neighbours have ended: back to `size`.
      retire(thread);
    } else {
      thread.worker.unref();
    }
    pump();
  }

  function onTimeout(thread: Thread): void {
    const job = thread.job;
    if (!threads.has(thread) || !job) return;
    counts.timeouts++;
    counts.restarts++;
    retire(thread);
    job.reject(
      new PipelineError({
        code: 'EXTRACT_FAILED',
        stage: 'extract',
        culprit: job.url,
        detail: `page took longer than ${pageTimeoutMs} ms to extract; its worker thread was terminated`,
        // The same page would run away again.
        permanent: true,
      }),
    );
    pump();
  }

  /** A thread ended without being asked to: heap cap, uncaught error, or a failed start. */
  function onDeath(thread: Thread, error: Error): void {
    if (!threads.has(thread)) return;
    threads.delete(thread);
    clearTimers(thread);
    const job = thread.job;
    if (job) {
      counts.crashes++;
      counts.restarts++;
      const outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      job.reject(
        new PipelineError({
          code: 'EXTRACT_FAILED',
          stage: 'extract',
          culprit: job.url,
          detail: outOfMemory
            ? `page needs more than the ${resourceLimits.maxOldGenerationSizeMb} MB heap of a worker thread`
            : `worker thread died while extracting the page: ${error.message}`,
          // Out of memory on this page is a property of the page; any other death may not recur.
          permanent: outOfMemory,
          cause: error,
        }),
      );
    } else if (!thread.ready) {
      failedStarts++;
      if (failedStarts >= MAX_FAILED_STARTS) {
        failedStarts = 0;
        for (const queued of queue.splice(0)) {
          queued.reject(
            new PipelineError({
              code: 'EXTRACT_FAILED',
              stage: 'extract',
              culprit: queued.url,
              detail: `extraction worker thread failed to start ${MAX_FAILED_STARTS} times: ${error.message}`,
              cause: error,
            }),
          );
        }
      }
    }
    void thread.worker.terminate();
    pump();
  }

  /** Stop a thread on purpose (timeout, recycling, close); its 'exit' is then ignored. */
  function retire(thread: Thread): void {
    threads.delete(thread);
    clearTimers(thread);
    void thread.worker.terminate();
  }

  function clearTimers(thread: Thread): void {
    clearTimeout(thread.timer);
    clearTimeout(thread.slowTimer);
  }

  /** `size`, plus one thread per page running past `slowPageMs` (at most `size` more). */
  function capacity(): number {
    const now = Date.now();
    let slow = 0;
    for (const thread of threads) if (thread.job && now - thread.startedAt >= slowPageMs) slow++;
    return size + Math.min(size, slow);
  }

  /** Give queued pages to ready idle threads; start threads while pages wait and there is room. */
  function pump(): void {
    if (closed) return;
    for (const thread of threads) {
      if (queue.length === 0) break;
      if (!thread.ready || thread.job) continue;
      const job = queue.shift() as Job;
      thread.job = job;
      thread.startedAt = Date.now();
      thread.timer = setTimeout(() => onTimeout(thread), pageTimeoutMs);
      thread.slowTimer = setTimeout(pump, slowPageMs);
      thread.worker.ref();
      thread.worker.postMessage({ html: job.html, url: job.url } satisfies PageRequest);
    }
    const starting = [...threads].filter((thread) => !thread.ready).length;
    const limit = capacity();
    for (let i = starting; i < queue.length && threads.size < limit; i++) {
      if (threads.size >= size) counts.overflows++;
      spawn();
    }
  }

  return {
    extract(html, url) {
      if (closed) return Promise.reject(closedError(url));
      return new Promise<ExtractedArticle>((resolve, reject) => {
        queue.push({ html, url, resolve, reject });
        pump();
      });
    },
    stats() {
      return { ...counts, threads: threads.size, queued: queue.length };
    },
    async close() {
      closed = true;
      const stopping = [...threads];
      threads.clear();
      for (const job of queue.splice(0)) job.reject(closedError(job.url));
      for (const thread of stopping) {
        clearTimers(thread);
        thread.job?.reject(closedError(thread.job.url));
      }
      await Promise.all(stopping.map((thread) => thread.worker.terminate()));
    },
  };
}

/** The worker's error as the PipelineError extractArticle would have thrown in-process. */
function rebuildError(error: ThreadError, url: string): PipelineError {
  return new PipelineError({
    code: error.code !== undefined && error.code in ErrorCodes ? (error.code as ErrorCode) : 'EXTRACT_FAILED',
    stage: 'extract',
    culprit: url,
    detail: error.detail,
    // A non-PipelineError from jsdom/Readability is a property of the page: retrying gives the same.
    permanent: error.permanent ?? true,
  });
}

function closedError(url: string): PipelineError {
  return new PipelineError({
    code: 'EXTRACT_FAILED',
    stage: 'extract',
    culprit: url,
    detail: 'the extraction pool was closed before the page was extracted',
  });
}
