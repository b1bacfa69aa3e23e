/**
 * One thread of the benchmark's second ceiling: the card's libraries alone, as anyone would first write
 * them. `<style>` and `<script>` are cut out of the page, jsdom parses what is left, and Readability
 * reads the article. No decoding, no metadata, no fallbacks, no limits: what the pipeline's extraction
 * pool must not fall far behind. Loaded through `new Worker(...)` by bench/throughput/ceilings.ts.
 */
import { parentPort } from 'node:worker_threads';
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';

const port = parentPort;
if (!port) throw new Error('plain-readability-thread.ts runs only inside a worker thread');

const quiet = new VirtualConsole();
port.on('message', ({ html, url }: { html: string; url: string }) => {
  let length = 0;
  try {
    const stripped = html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '');
    const dom = new JSDOM(stripped, { url, virtualConsole: quiet });
    length = new Readability(dom.window.document).parse()?.textContent?.length ?? 0;
    dom.window.close();
  } catch {
    length = -1;
  }
  // jsdom frees a closed window once the event loop turns (FACTS.md), so answer after the turn.
  setImmediate(() => port.postMessage(length));
});
port.postMessage('ready');
