/**
 * The dashboard and its JSON API on Fastify: server-rendered pages that work without JavaScript,
 * the same data as JSON under `/api`, described at `/openapi.json`, and `/healthz` and `/readyz`.
 * Every response carries a Content-Security-Policy without inline script; writes need the token, and
 * so does every request when the server listens beyond loopback (settings.ts refuses that without one).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isLoopbackHost, type Settings } from '../config/settings.ts';
import type { Db } from '../store/db.ts';
import { getArticleById } from '../store/articles.ts';
import { listFeeds } from '../store/feeds.ts';
import { feedHealth, feedsPage } from './feeds-page.ts';
import { searchStories, StoryFiltersSchema } from '../store/story-search.ts';
import { articlePage } from './article-page.ts';
import { html } from './html.ts';
import { layout, STYLESHEET, STYLESHEET_PATH } from './layout.ts';
import { openApiDocument } from './openapi.ts';
import { storiesPage, type TagCount } from './stories-page.ts';

/** A dependency `/readyz` checks: the database, Redis, the workers. Throws with the reason when not ready. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface DashboardDeps {
  db: Db;
  settings: Pick<Settings, 'HOST' | 'DASHBOARD_TOKEN'>;
  /** Display names of taxonomy ids (actors and phases). */
  names: () => Readonly<Record<string, string>>;
  /** What `/readyz` checks besides the database. */
  checks?: readonly ReadinessCheck[];
  /** The process's Prometheus metrics, served at `/metrics`; absent: no such endpoint (`cli serve`). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

/** No script from anywhere, styles only from this server, forms only to it, no framing. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

const CHECK_TIMEOUT_MS = 2_000;

const ArticleIdSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function tokenOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return null;
}

async function withTimeout(check: ReadinessCheck): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** A 400 naming the query parameter at fault, as JSON or as a page. */
function badQuery(reply: FastifyReply, error: z.ZodError, asJson: boolean) {
  const issue = error.issues[0];
  const message = `query parameter ${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}`;
  reply.code(400);
  return asJson
    ? { error: message }
    : reply.type('text/html; charset=utf-8').send(layout('Bad request', htmlMessage(message)));
}

function htmlMessage(message: string) {
  return html`<p class="error">${message}</p>`;
}

/**
 * Builds the dashboard (not listening: call `listen`). The caller owns `db` and closes it.
 *
 * @example
 * const app = createDashboard({ db, settings, names: () => ctx.names });
 * await app.listen({ port: settings.PORT, host: settings.HOST });
 */
export function createDashboard(deps: DashboardDeps): FastifyInstance {
  const app = Fastify({ logger: false, trustProxy: false });
  const { db } = deps;
  const token = deps.settings.DASHBOARD_TOKEN;
  const open = isLoopbackHost(deps.settings.HOST);

  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/healthz' || request.url === '/readyz') return;
    const isWrite = !['GET', 'HEAD'].includes(request.method);
    if (!isWrite && open) return;
    const given = tokenOf(request);
    if (!token) {
      return reply.code(403).send({ error: 'writes are off: set DASHBOARD_TOKEN to allow them' });
    }
    if (given === null || !sameToken(given, token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="ceasefire-watch"')
        .send({ error: 'a valid token is needed (Authorization: Bearer <DASHBOARD_TOKEN>)' });
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });

  const tagCounts = () =>
    db.query<TagCount>(
      `select t.kind, t.tag_id as id, count(distinct a.story_id)::int as stories
       from article_tags t join articles a on a.id = t.article_id
       group by t.kind, t.tag_id order by stories desc, t.tag_id`,
    );
  const feedIds = async () =>
    (await db.query<{ id: string }>('select id from feeds order by id')).map((r) => r.id);

  app.get(STYLESHEET_PATH, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=3600').send(STYLESHEET),
  );

  app.get('/', async (request, reply) => {
    const parsed = StoryFiltersSchema.safeParse(request.query);
    if (!parsed.success) return badQuery(reply, parsed.error, false);
    const [result, tags, feeds] = await Promise.all([searchStories(db, parsed.data), tagCounts(), feedIds()]);
    const body = storiesPage({ filters: parsed.data, ...result, tags, feeds, names: deps.names() });
    return reply.type('text/html; charset=utf-8').send(layout('Recent stories', body));
  });

  app.get('/api/stories', async (request, reply) => {
    const parsed = StoryFiltersSchema.safeParse(request.query);
    if (!parsed.success) return badQuery(reply, parsed.error, true);
    const result = await searchStories(db, parsed.data);
    return {
      total: result.total,
      limit: parsed.data.limit,
      offset: parsed.data.offset,
      stories: result.stories,
    };
  });

  const articleOf = async (request: FastifyRequest) => {
    const id = ArticleIdSchema.safeParse((request.params as { id?: string }).id);
    if (!id.success) return null;
    const article = await getArticleById(db, id.data);
    if (!article) return null;
    const copies =
      article.storyId === null
        ? []
        : (
            await db.query<{ id: number; feed_id: string; title: string }>(
              'select id, feed_id, title from articles where story_id = $1 and id <> $2 order by id',
              [article.storyId, article.id],
            )
          ).map((c) => ({ articleId: Number(c.id), feedId: c.feed_id, title: c.title }));
    return { article, copies };
  };

  app.get('/articles/:id', async (request, reply) => {
    const found = await articleOf(request);
    if (!found) {
      reply.code(404);
      return reply.type('text/html; charset=utf-8').send(layout('Not found', htmlMessage('No such article')));
    }
    const body = articlePage({ ...found, names: deps.names() });
    return reply.type('text/html; charset=utf-8').send(layout(found.article.title, body));
  });

  app.get('/api/articles/:id', async (request, reply) => {
    const found = await articleOf(request);
    if (!found) {
      reply.code(404);
      return { error: 'no such article' };
    }
    return found;
  });

  app.get('/feeds', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(layout('Feed health', feedsPage(await listFeeds(db)))),
  );

  app.get('/api/feeds', async () => ({ feeds: (await listFeeds(db)).map(feedHealth) }));

  app.get('/api/tags', async () => {
    const names = deps.names();
    return { tags: (await tagCounts()).map((t) => ({ ...t, name: names[t.id] ?? t.id })) };
  });

  app.get('/openapi.json', async () => openApiDocument());

  app.get('/healthz', async () => ({ status: 'ok' }));

  const { metrics } = deps;
  if (metrics) {
    app.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await metrics();
      return reply.type(contentType).send(body);
    });
  }

  app.get('/readyz', async (_request, reply) => {
    const checks: ReadinessCheck[] = [
      { name: 'database', check: async () => void (await db.query('select 1')) },
      ...(deps.checks ?? []),
    ];
    const failures = await Promise.all(checks.map(withTimeout));
    const report = Object.fromEntries(checks.map((c, i) => [c.name, failures[i] ?? 'ok']));
    const ready = failures.every((f) => f === null);
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', checks: report };
  });

  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404);
    if (request.url.startsWith('/api/'))
      return { error: `no such endpoint: ${request.method} ${request.url}` };
    return reply
      .type('text/html; charset=utf-8')
      .send(layout('Not found', htmlMessage(`Nothing at ${request.url}`)));
  });
  app.setErrorHandler(async (error, request, reply) => {
    request.log.error(error);
    reply.code(500);
    return { error: 'internal error; see the service log' };
  });
  return app;
}
