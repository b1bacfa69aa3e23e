/**
 * The OpenAPI 3.1 document of the JSON API, served at `/openapi.json`. Query parameters come from the
 * same zod schema that validates them (z.toJSONSchema), so the document cannot drift from the code.
 */
import { z } from 'zod';
import { StoryFiltersSchema } from '../store/story-search.ts';

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

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'ceasefire-watch',
      version: '1',
      description:
        'Stories, articles and tags the pipeline stored. Reads are open on loopback; writes, and every request when the server listens beyond loopback, need `Authorization: Bearer <DASHBOARD_TOKEN>`.',
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
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      total: { type: 'integer' },
                      limit: { type: 'integer' },
                      offset: { type: 'integer' },
                      stories: { type: 'array', items: { $ref: '#/components/schemas/Story' } },
                    },
                  },
                },
              },
            },
            '400': {
              description: 'A query parameter is malformed; the message names it',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
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
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          },
        },
      },
      '/api/feeds': {
        get: {
          summary: 'Feed health: status, last success, failure score and threshold, next poll, last error',
          responses: { '200': { description: 'Every stored feed' } },
        },
      },
      '/api/tags': {
        get: {
          summary: 'Actors and phases found in stored articles, with the stories carrying each',
          responses: { '200': { description: 'The tags, most stories first' } },
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
