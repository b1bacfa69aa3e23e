/**
 * Feed actions: add (by feed, site or article URL, as `cli feeds add`), pause and resume. Each is a
 * plain HTML form post that answers with a redirect back to the feeds page (so it works without
 * JavaScript and a reload does not post again), and a JSON twin under `/api`. The token check is the
 * server's onRequest hook: nothing here runs for a request without it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { describeError } from '../errors.ts';
import type { AddFeedOutcome } from '../pipeline/add-feed.ts';
import type { Db } from '../store/db.ts';
import { listFeeds, setFeedPaused } from '../store/feeds.ts';
import { feedHealth, feedsPage } from './feeds-page.ts';
import { sendPage } from './replies.ts';

export interface FeedRoutesDeps {
  db: Db;
  /** Adds a feed to feeds.yaml and the database; absent: the add form says how to add one instead. */
  addFeed?: (url: string, opts: { id?: string; interval?: number }) => Promise<AddFeedOutcome>;
  now?: () => Date;
}

const FeedIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes');

/** The add form and `POST /api/feeds`: an empty optional field (a form sends "") counts as not given. */
export const NewFeedSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }),
  id: z.preprocess((v) => (v === '' ? undefined : v), FeedIdSchema.optional()),
  intervalMinutes: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
  ),
});

export function registerFeedRoutes(app: FastifyInstance, deps: FeedRoutesDeps): void {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  const showFeeds = async (reply: FastifyReply, notice?: { error?: string; done?: string }) =>
    sendPage(
      reply,
      'Feed health',
      feedsPage(await listFeeds(db), { canAdd: deps.addFeed !== undefined, ...notice }),
    );

  app.get('/feeds', async (request, reply) => {
    const { done } = z
      .object({ done: z.string().max(200).optional() })
      .catch({})
      .parse(request.query);
    return showFeeds(reply, { done });
  });
  app.get('/api/feeds', async () => ({ feeds: (await listFeeds(db)).map(feedHealth) }));

  const add = async (
    body: unknown,
  ): Promise<{ status: number; message: string; outcome?: AddFeedOutcome }> => {
    if (!deps.addFeed) return { status: 501, message: 'adding feeds is not available here' };
    const input = NewFeedSchema.safeParse(body);
    if (!input.success) {
      const issue = input.error.issues[0];
      return { status: 400, message: `${String(issue?.path[0] ?? 'body')}: ${issue?.message ?? 'invalid'}` };
    }
    const { url, id, intervalMinutes } = input.data;
    try {
      const outcome = await deps.addFeed(url, { id, interval: intervalMinutes });
      const message =
        outcome.status === 'added'
          ? `added ${outcome.id}: ${outcome.url} (${outcome.items} items)`
          : `already present: ${outcome.url}${outcome.id ? ` (as ${outcome.id})` : ''}`;
      return { status: outcome.status === 'added' ? 201 : 200, message, outcome };
    } catch (error) {
      return { status: 422, message: `${url}: ${describeError(error)}` };
    }
  };

  app.post('/feeds', async (request, reply) => {
    const result = await add(request.body);
    if (result.status >= 400) {
      reply.code(result.status);
      return showFeeds(reply, { error: result.message });
    }
    return reply.redirect(`/feeds?done=${encodeURIComponent(result.message)}`, 303);
  });
  app.post('/api/feeds', async (request, reply) => {
    const result = await add(request.body);
    reply.code(result.status);
    return result.status >= 400 ? { error: result.message } : result.outcome;
  });

  for (const action of ['pause', 'resume'] as const) {
    const apply = async (rawId: unknown) => {
      const id = FeedIdSchema.safeParse(rawId);
      if (!id.success) return null;
      return setFeedPaused(db, id.data, action === 'pause' ? now().toISOString() : null);
    };
    app.post(`/feeds/:id/${action}`, async (request, reply) => {
      const feed = await apply((request.params as { id?: string }).id);
      if (!feed) {
        reply.code(404);
        return showFeeds(reply, { error: 'no such feed' });
      }
      const done = `${action === 'pause' ? 'paused' : 'resumed'} ${feed.id}`;
      return reply.redirect(`/feeds?done=${encodeURIComponent(done)}`, 303);
    });
    app.post(`/api/feeds/:id/${action}`, async (request, reply) => {
      const feed = await apply((request.params as { id?: string }).id);
      if (!feed) {
        reply.code(404);
        return { error: 'no such feed' };
      }
      return feedHealth(feed);
    });
  }
}
