/**
 * The code inside each thread of the extraction pool (see extract-pool.ts): receive a page, run
 * {@link extractArticle}, answer with the article or the error as plain data. Loaded only through
 * `new Worker(...)`; it has nothing to export.
 */
import { parentPort } from 'node:worker_threads';
import { PipelineError } from '../errors.ts';
import type { ExtractedArticle } from '../model.ts';
import { extractArticle } from './extract-article.ts';

/** Main thread → worker: one page to extract. */
export interface PageRequest {
  html: string;
  url: string;
}

/**
 * An error as plain data: structured cloning keeps an Error's message but drops PipelineError's own
 * fields (code, stage, permanent), so they travel separately and the pool rebuilds the error.
 */
export interface ThreadError {
  /** A PipelineError's code; absent for any other thrown value. */
  code?: string;
  /** The message without PipelineError's "stage: culprit: " prefix, which the pool writes again. */
  detail: string;
  permanent?: boolean;
}

/** Worker → main thread. `ready` once modules are loaded, so page timers never count start-up. */
export type ThreadReply =
  { kind: 'ready' } | { kind: 'done'; article: ExtractedArticle } | { kind: 'failed'; error: ThreadError };

const port = parentPort;
if (!port) throw new Error('extract-worker-thread.ts runs only inside a worker thread (see extract-pool.ts)');

let busy: Promise<void> = Promise.resolve();
port.on('message', (page: PageRequest) => {
  // The pool sends one page at a time; chaining keeps pages strictly one after another regardless.
  busy = busy.then(() => handle(page));
});
port.postMessage({ kind: 'ready' } satisfies ThreadReply);

async function handle(page: PageRequest): Promise<void> {
  let reply: ThreadReply;
  try {
    reply = { kind: 'done', article: extractArticle(page.html, page.url) };
  } catch (error) {
    reply = { kind: 'failed', error: toThreadError(error) };
  }
  // jsdom frees a closed window only once the event loop turns (FACTS.md: ~3 MB a page leaks in a
  // tight loop). Turning before answering means a reply also says "this page's window is gone".
  await new Promise(setImmediate);
  port?.postMessage(reply);
}

function toThreadError(error: unknown): ThreadError {
  if (error instanceof PipelineError) {
    const prefix = `${error.stage}: ${error.culprit}: `;
    const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return { code: error.code, detail, permanent: error.permanent };
  }
  // jsdom or Readability threw (e.g. a stack overflow on absurd nesting): name it, as in-process would.
  if (error instanceof Error) return { detail: `${error.name}: ${error.message}` };
  return { detail: String(error) };
}
