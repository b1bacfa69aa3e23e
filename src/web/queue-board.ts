/**
 * bull-board, the queues' own UI and JSON API, at `/queues` of the dashboard of `npm start` (the one
 * process that holds the queues). A dashboard without queues (`cli serve`, over the database only)
 * answers there with a page saying where the queues are. bull-board's writes (retry, clean, pause…)
 * are writes like any other: the dashboard's token guard covers them.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { html } from './html.ts';
import { sendPage } from './replies.ts';

export const QUEUE_BOARD_PATH = '/queues';

/**
 * The inline styles bull-board 9.10.1's UI carries, by the hashes Chromium reports for them when
 * blocked (tests/workers/bull-board.test.ts fails on any other): the five `style` attributes and the
 * `<style>` of the "Loading" placeholder in its index.ejs, and the `<style>` React renders inside its
 * Redis logo. A later bull-board may change them: the test then names the hash to put here.
 */
const INLINE_STYLE_HASHES = [
  'of39ksKG33VNCYo5/quRg1dhdo2AWSv8WJi2LNKOSTU=',
  'dg51HqBfD6n0yW6arUPC/pQLVghRZbOuP0gPg9FhCTw=',
  'XtkH5bXSf2qTXVOXBZrUBgydsBjBOqKXas4aSqlrDYQ=',
  '4qiUsLv1mhPpLyv14EyMNeEfESFsI8tYHvGHgST5oO4=',
  'z865ZzzyqKnk/u5EJq1ujBhzC4S9g1xzvJyr7y3Ut8s=',
  'dv714QSXJBurriRZTklJT4phtgwCe+o7Frxoi2awcdg=',
  'r2N1TB/gHbBtBZFKg7ejmq1acVSREzucTAEw6ga4hoU=',
];

/**
 * bull-board's UI is a React app served from its own files, so `/queues` allows script from this
 * server where the rest of the dashboard allows none. Inline script stays forbidden: its one inline
 * `<script>` is a JSON data block, which CSP does not run. Styles come from this server too, plus
 * the few fixed inline styles above, allowed by hash ('unsafe-hashes' is what lets a hash cover a
 * `style` attribute), rather than 'unsafe-inline'. It fetches its API (connect-src) and its
 * locale files, shows its logo and favicon, and sets `<base href="/queues/">` (base-uri 'self').
 */
export const QUEUE_BOARD_CSP =
  "default-src 'none'; script-src 'self'; " +
  `style-src 'self' 'unsafe-hashes' ${INLINE_STYLE_HASHES.map((h) => `'sha256-${h}'`).join(' ')}; ` +
  "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

/**
 * The IBM Plex stylesheet bull-board's page links from Google Fonts. Removed from the page: the
 * dashboard asks nothing of a third party (it would learn who reads the board, and when), and the CSP
 * would refuse it anyway. The UI falls back to the system's sans-serif and monospace fonts.
 */
const THIRD_PARTY_FONTS = /<link href="https:\/\/fonts\.googleapis\.com\/[^"]*" rel="stylesheet">\s*/g;

/** Serves bull-board at `/queues` over `queues`, or, with none, a page saying where they are. */
export function registerQueueBoard(app: FastifyInstance, queues: readonly Queue[] | undefined): void {
  if (!queues || queues.length === 0) {
    // The nav links to /queues, so that page is a 200 that says where the queues are; a deeper path
    // (a bookmarked queue) is a 404 with the same words.
    const elsewhere = (status: number) => async (_request: unknown, reply: FastifyReply) => {
      reply.code(status);
      return sendPage(
        reply,
        'Queues',
        html`<p>The queues are shown only by the dashboard of <code>npm start</code>, the process that
runs the workers on Redis. This dashboard (<code>cli serve</code>) reads the database alone.</p>`,
      );
    };
    app.get(QUEUE_BOARD_PATH, elsewhere(200));
    app.get(`${QUEUE_BOARD_PATH}/*`, elsewhere(404));
    return;
  }
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'ceasefire-watch' } },
  });
  void app.register(
    async (board) => {
      // Runs after the dashboard's own onSend hook (a child context's hooks come last): replaces its CSP.
      board.addHook('onSend', async (_request, reply, payload) => {
        reply.header('content-security-policy', QUEUE_BOARD_CSP);
        return typeof payload === 'string' ? payload.replace(THIRD_PARTY_FONTS, '') : payload;
      });
      await board.register(serverAdapter.registerPlugin());
    },
    { prefix: QUEUE_BOARD_PATH },
  );
}
