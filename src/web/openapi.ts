/**
 * The OpenAPI 3.1 document of the JSON API, served at `/openapi.json`. Query parameters come from the
 * same zod schema that validates them (z.toJSONSchema), so the document cannot drift from the code.
 */
import { z } from 'zod';
import { StoryFiltersSchema } from '../store/story-search.ts';
import { DeliveryFiltersSchema } from '../store/deliveries.ts';
import { DigestArchiveQuerySchema } from './alert-routes.ts';
import { NewFeedSchema } from './feed-routes.ts';
import { TimelineFiltersSchema } from '../store/phase-timeline.ts';

function queryParameters(schema: z.ZodObject) {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }));
}

const highlighted = {
  type: 'array',
  description: 'The snippet as pieces; `mark` pieces are the matched words. Render them escaped.',
  items: {
    type: 'object',
    properties: { text: { type: 'string' }, mark: { type: 'boolean' } },
    required: ['text', 'mark'],
  },
};

const story = {
  type: 'object',
  properties: {
    storyId: { type: 'integer' },
    title: { type: 'string' },
    firstSeenAt: { type: 'string', format: 'date-time' },
    latestAt: { type: 'string', format: 'date-time' },
    relevant: { type: 'boolean' },
    actors: { type: 'array', items: { type: 'string' } },
    phases: { type: 'array', items: { type: 'string' } },
    sources: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          articleId: { type: 'integer' },
          feedId: { type: 'string' },
          url: { type: 'string' },
          title: { type: 'string' },
          published: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
    match: {
      type: ['object', 'null'],
      properties: { articleId: { type: 'integer' }, rank: { type: 'number' }, snippet: highlighted },
    },
  },
};

const error = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] };
const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
/** A paged JSON answer: `total` matches in all, the `limit` and `offset` asked for, and the page. */
function pageOf(items: Record<string, unknown>) {
  const paging = { total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } };
  return { 'application/json': { schema: { type: 'object', properties: { ...paging, ...items } } } };
}

const badQueryResponse = {
  description: 'A query parameter is malformed; the message names it',
  content: errorContent,
};

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'ceasefire-watch',
      version: '1',
      description:
        'Stories, articles and tags the pipeline stored. Reads are open on loopback; writes, and every request when the server listens beyond loopback, need `Authorization: Bearer <DASHBOARD_TOKEN>` (or the session cookie the `/login` form sets).',
    },
    components: {
      securitySchemes: { token: { type: 'http', scheme: 'bearer' } },
      schemas: { Story: story, Error: error },
    },
    paths: {
      '/api/stories': {
        get: {
          summary: 'Stories, one per row with all their sources, filtered and searched',
          parameters: queryParameters(StoryFiltersSchema),
          responses: {
            '200': {
              description: 'A page of stories, newest first (best match first with `q`)',
              content: pageOf({
                stories: { type: 'array', items: { $ref: '#/components/schemas/Story' } },
              }),
            },
            '400': badQueryResponse,
          },
        },
      },
      '/api/articles/{id}': {
        get: {
          summary:
            'One stored article: its text, tags with their evidence, mentions with offsets, and its other copies',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
          responses: {
            '200': { description: 'The article and its copies' },
            '404': {
              description: 'No such article',
              content: errorContent,
            },
          },
        },
      },
      '/api/feeds': {
        get: {
          summary:
            'Feed health: status (ok, failing, new, paused), last success, failure score and threshold, next poll, last error',
          responses: { '200': { description: 'Every stored feed' } },
        },
        post: {
          summary:
            'Add a feed by its URL, or by a site or article URL whose feed is discovered (as `cli feeds add`)',
          security: [{ token: [] }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: z.toJSONSchema(NewFeedSchema, { io: 'input', unrepresentable: 'any' }),
              },
            },
          },
          responses: {
            '201': { description: 'Added to feeds.yaml and the database; polled at its next turn' },
            '200': { description: 'Already present (compared in canonical form)' },
            '400': { description: 'A field is malformed; the message names it', content: errorContent },
            '401': { description: 'No valid token', content: errorContent },
            '422': {
              description: 'No feed found at or behind the URL; the message says why',
              content: errorContent,
            },
          },
        },
      },
      ...Object.fromEntries(
        (['pause', 'resume'] as const).map((action) => [
          `/api/feeds/{id}/${action}`,
          {
            post: {
              summary:
                action === 'pause'
                  ? 'Stop polling a feed (every path, `run --once` included) until resumed; its articles stay'
                  : 'Poll a paused feed again at its next turn',
              security: [{ token: [] }],
              parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
              responses: {
                '200': { description: 'The feed, as `GET /api/feeds` lists it' },
                '401': { description: 'No valid token', content: errorContent },
                '404': { description: 'No such feed', content: errorContent },
              },
            },
          },
        ]),
      ),
      '/api/tags': {
        get: {
          summary: 'Actors and phases found in stored articles, with the stories carrying each',
          responses: { '200': { description: 'The tags, most stories first' } },
        },
      },
      '/api/tracker': {
        get: {
          summary:
            'Stories per day per phase and actor over a range (default: the last 30 days, UTC; at most 366)',
          parameters: queryParameters(TimelineFiltersSchema),
          responses: {
            '200': {
              description:
                'Every day of the range, and per tag with a story in it its daily story counts and its total',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      from: { type: 'string', format: 'date' },
                      to: { type: 'string', format: 'date' },
                      relevant: { type: 'boolean' },
                      days: { type: 'array', items: { type: 'string', format: 'date' } },
                      series: {
                        type: 'array',
                        items: {
                          type: 'object',
                          properties: {
                            kind: { enum: ['phase', 'actor'] },
                            id: { type: 'string' },
                            name: { type: 'string' },
                            counts: { type: 'array', items: { type: 'integer' } },
                            total: { type: 'integer' },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
            '400': {
              description: 'A query parameter is malformed, or the range runs backwards or is too long',
              content: errorContent,
            },
          },
        },
      },
      '/api/deliveries': {
        get: {
          summary:
            'The alert delivery log, newest first, filtered by rule, channel and status, with the counts by status of every rule and channel',
          parameters: queryParameters(DeliveryFiltersSchema),
          responses: {
            '200': {
              description:
                '`deliveries`: id, ruleId, channel, status, articleId, articleTitle, feedId, storyId, attempts, lastError, createdAt, claimedAt, sentAt, heldAt; `counts`: per rule and channel, `counts` by status and `total`',
              content: pageOf({
                deliveries: { type: 'array', items: { type: 'object' } },
                counts: { type: 'array', items: { type: 'object' } },
              }),
            },
            '400': badQueryResponse,
          },
        },
      },
      '/api/digests': {
        get: {
          summary:
            'The digest archive, newest day first: day, period, timezone, builtAt, emailed, article counts, and links to the stored HTML, Markdown and JSON',
          parameters: queryParameters(DigestArchiveQuerySchema),
          responses: {
            '200': { description: 'A page of digests, with `total`' },
            '400': badQueryResponse,
          },
        },
      },
      '/api/rules': {
        get: {
          summary:
            'The configured alert rules: conditions, channels, limits, quiet hours, the Atom feed path (`atom`), and the articles sent in the last `recentDays` days',
          responses: { '200': { description: 'Every rule, in config order' } },
        },
      },
      '/alerts/{ruleId}.atom': {
        get: {
          summary:
            "A rule's sent alerts as Atom (the same document as the ALERT_FEEDS_PORT server); If-None-Match answers 304",
          parameters: [{ name: 'ruleId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'application/atom+xml, with an ETag' },
            '304': { description: 'Not modified since the ETag given' },
            '404': { description: 'No such rule' },
          },
        },
      },
      '/healthz': { get: { summary: 'The process answers', responses: { '200': { description: 'ok' } } } },
      '/readyz': {
        get: {
          summary: 'The database (and in the service, Redis and the workers) can do work',
          responses: {
            '200': { description: 'ready' },
            '503': { description: 'not ready; `checks` says why' },
          },
        },
      },
    },
  };
}
