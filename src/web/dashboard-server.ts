/**
 * The dashboard and its JSON API on Fastify: server-rendered pages that work without JavaScript,
 * the same data as JSON under `/api`, described at `/openapi.json`, and `/healthz` and `/readyz`.
 * Every response carries a Content-Security-Policy without inline script; writes need the token, and
 * so does every request when the server listens beyond loopback (settings.ts refuses that without one).
 */
import type { Queue } from 'bullmq';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isLoopbackHost, type Settings } from '../config/settings.ts';
import { describeError } from '../errors.ts';
import { log } from '../log.ts';
import { toIso, type Db } from '../store/db.ts';
import type { Explanation } from '../tagging/explain-article.ts';
import { getArticleById } from '../store/articles.ts';
import type { AddFeedOutcome } from '../pipeline/add-feed.ts';
import { registerFeedRoutes } from './feed-routes.ts';
import { registerLoginRoutes } from './login-routes.ts';
import { authOf, crossSite } from './session.ts';
import { searchStories, StoryFiltersSchema } from '../store/story-search.ts';
import { articlePage } from './article-page.ts';
import { STYLESHEET, STYLESHEET_PATH } from './layout.ts';
import { openApiDocument } from './openapi.ts';
import { badQuery, errorMessage, sendPage } from './replies.ts';
import { storiesPage, type TagCount } from './stories-page.ts';
import { registerQueueBoard } from './queue-board.ts';
import { registerTrackerRoutes } from './tracker-routes.ts';
import { registerAlertRoutes } from './alert-routes.ts';
import type { AlertRule, TaggableArticle } from '../model.ts';

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
  /**
   * Adds a feed by URL to feeds.yaml and the database (add-feed.ts); absent: the feeds page says to use
   * `cli feeds add` instead.
   */
  addFeed?: (url: string, opts: { id?: string; interval?: number }) => Promise<AddFeedOutcome>;
  /**
   * Why each tag of an article was given or refused (`cli explain`), by the current watchlist;
   * absent: the article page shows the stored tags and evidence only.
   */
  explain?: (article: TaggableArticle) => Explanation;
  /** The process's Prometheus metrics, served at `/metrics`; absent: no such endpoint (`cli serve`). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** The loaded alert rules: `/rules` and their Atom feeds. @defaultValue none */
  rules?: () => readonly AlertRule[];
  /** The queues bull-board shows at `/queues` (`npm start`); absent: a page there says so (`cli serve`). */
  queues?: readonly Queue[];
}

/** No script from anywhere, styles only from this server, forms only to it, no framing. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

const CHECK_TIMEOUT_MS = 2_000;

/**
 * How stale the tag counts of the filter menus (and `/api/tags`) may be. They are a pass over every
 * tag of every article, the costliest part of the stories page (91 of about 150 ms of SQL on 10,000
 * articles, `npm run bench:dashboard`), and a "(12)" that lags a new story by half a minute misleads
 * nobody.
 */
const TAG_COUNTS_TTL_MS = 30_000;

/** `load`, run again only when its last answer is older than `ms`; a failure is not kept. */
function recomputedEvery<T>(ms: number, load: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > ms) {
      const value = load();
      last = { at: now, value };
      value.catch(() => {
        if (last?.value === value) last = null;
      });
    }
    return last.value;
  };
}

const ArticleIdSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** What anyone may reach, token or not: probes, the stylesheet, and the login form itself. */
const ALWAYS_OPEN = new Set(['/healthz', '/readyz', '/login', STYLESHEET_PATH]);

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
    const path = request.url.split('?')[0] ?? '/';
    if (ALWAYS_OPEN.has(path)) return;
    const isWrite = !['GET', 'HEAD'].includes(request.method);
    if (!isWrite && open) return;
    const auth = authOf(request, token);
    if (auth === 'cookie' && isWrite && crossSite(request)) {
      return reply.code(403).send({ error: 'a write from another site is refused' });
    }
    if (auth !== null) return;
    // A person in a browser is sent to the login form, and back to the page afterwards.
    const browser = !path.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
    if (browser) {
      const back = isWrite ? `/${path.split('/')[1] ?? ''}` : request.url;
      return reply.redirect(`/login?next=${encodeURIComponent(back)}`, 303);
    }
    if (!token) {
      return reply.code(403).send({ error: 'writes are off: set DASHBOARD_TOKEN to allow them' });
    }
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="ceasefire-watch"')
      .send({ error: 'a valid token is needed (Authorization: Bearer <DASHBOARD_TOKEN>)' });
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    // same-origin, not no-referrer: with no-referrer, Chromium sends our own form posts with
    // `Origin: null`, and links out to a feed's site still carry no referrer.
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });

  const tagCounts = recomputedEvery(TAG_COUNTS_TTL_MS, () =>
    db.query<TagCount>(
      `select t.kind, t.tag_id as id, count(distinct a.story_id)::int as stories
       from article_tags t join articles a on a.id = t.article_id
       group by t.kind, t.tag_id order by stories desc, t.tag_id`,
    ),
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
    return sendPage(reply, 'Recent stories', body);
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
    const alerts = (
      await db.query<{ rule_id: string; channel: string; status: string; sent_at: Date | null }>(
        `select rule_id, channel, status, sent_at from alert_deliveries where article_id = $1
         order by rule_id, channel`,
        [article.id],
      )
    ).map((a) => ({ ruleId: a.rule_id, channel: a.channel, status: a.status, sentAt: toIso(a.sent_at) }));
    const explanation = deps.explain?.({
      title: article.title,
      text: article.text,
      published: article.published,
    });
    return { article, copies, alerts, explanation };
  };

  app.get('/articles/:id', async (request, reply) => {
    const found = await articleOf(request);
    if (!found) {
      reply.code(404);
      return sendPage(reply, 'Not found', errorMessage('No such article'));
    }
    const body = articlePage({ ...found, names: deps.names() });
    return sendPage(reply, found.article.title, body);
  });

  app.get('/api/articles/:id', async (request, reply) => {
    const found = await articleOf(request);
    if (!found) {
      reply.code(404);
      return { error: 'no such article' };
    }
    return found;
  });

  registerLoginRoutes(app, token);
  registerFeedRoutes(app, { db, addFeed: deps.addFeed });

  app.get('/api/tags', async () => {
    const names = deps.names();
    return { tags: (await tagCounts()).map((t) => ({ ...t, name: names[t.id] ?? t.id })) };
  });

  registerTrackerRoutes(app, deps);
  registerAlertRoutes(app, deps);
  app.get('/openapi.json', async () => openApiDocument());

  app.get('/healthz', async () => ({ status: 'ok' }));
  registerQueueBoard(app, deps.queues);

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
    return sendPage(reply, 'Not found', errorMessage(`Nothing at ${request.url}`));
  });
  app.setErrorHandler(async (error, request, reply) => {
    // A request Fastify itself refused (malformed JSON, a body over the limit) is the client's fault.
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      reply.code(status);
      return { error: error instanceof Error ? error.message : String(error) };
    }
    // Fastify's own logger is off (it would log every request); the failure goes to the service log.
    log.error(
      { method: request.method, url: request.url, err: describeError(error) },
      'dashboard request failed',
    );
    reply.code(500);
    return { error: 'internal error; see the service log' };
  });
  return app;
}
