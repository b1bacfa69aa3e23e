/** The files shipped in config/ and docker-compose.yml are valid and agree with each other. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkConfigReferences } from '../../src/config/check-references.ts';
import { loadAlertsFile, loadFeedsFile, loadTextFile } from '../../src/config/load-config.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { loadWatchlist } from '../../src/pipeline/open-context.ts';
import { projectRoot } from '../helpers/pipeline-setup.ts';

const config = (file: string) => path.join(projectRoot, 'config', file);

describe('shipped config', () => {
  it('feeds.yaml lists real outlets over https, each id once', async () => {
    const { feeds } = await loadFeedsFile(config('feeds.yaml'));
    expect(feeds.length).toBeGreaterThanOrEqual(5);
    for (const feed of feeds) expect(new URL(feed.url).protocol).toBe('https:');
  });

  it('alerts.yaml names only actors and phases that the watchlist defines', async () => {
    const alerts = await loadAlertsFile(config('alerts.yaml'));
    const watchlist = await loadWatchlist(config('watchlists/gaza-ceasefire.yaml'));
    const actors = new Set(watchlist.actors.map((a) => a.id));
    const phases = new Set(watchlist.phases.map((p) => p.id));
    expect(alerts.rules.length).toBeGreaterThan(0);
    for (const rule of alerts.rules) {
      for (const id of rule.actors) expect(actors, `${rule.id}: ${id}`).toContain(id);
      for (const id of rule.phases) expect(phases, `${rule.id}: ${id}`).toContain(id);
    }
  });

  it('alerts.yaml names only feeds of feeds.yaml, and actors and phases of the watchlist, in when too', async () => {
    const [feeds, alerts, watchlist] = await Promise.all([
      loadFeedsFile(config('feeds.yaml')),
      loadAlertsFile(config('alerts.yaml')),
      loadWatchlist(config('watchlists/gaza-ceasefire.yaml')),
    ]);
    expect(checkConfigReferences({ feeds, alerts, watchlist })).toEqual([]);
  });

  it.each([
    {
      name: 'missing-feeds-file-is-one-line-naming-it-and-how-to-create-it',
      load: (file: string) => loadFeedsFile(file),
      how: 'create it with `npm run cli -- feeds add <feed URL>`, or set CONFIG_DIR to a directory that has one (the repository ships config/feeds.yaml)',
    },
    {
      name: 'missing-alerts-file-is-one-line-naming-it-and-how-to-create-it',
      load: (file: string) => loadAlertsFile(file),
      how: 'create it with the line `rules: []` (rules: README "Alert rules"), or set CONFIG_DIR to a directory that has one (the repository ships config/alerts.yaml)',
    },
    {
      name: 'missing-watchlist-file-is-one-line-naming-it-and-how-to-create-it',
      load: (file: string) => loadWatchlist(file),
      how: 'set WATCHLIST to a watchlist YAML, relative to CONFIG_DIR or absolute (the repository ships config/watchlists/gaza-ceasefire.yaml)',
    },
  ])('$name', async ({ load, how }) => {
    const file = config('nope.yaml');
    await expect(load(file)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `config: ${file}: not found; ${how}`,
    });
  });

  it('directory-for-a-file-is-said-so', async () => {
    await expect(loadTextFile(config('watchlists'), 'watchlist')).rejects.toMatchObject({
      message: `config: ${config('watchlists')}: is a directory, not a file`,
    });
  });
});

describe('docker-compose.yml', () => {
  interface Service {
    command?: string[];
    deploy?: { replicas?: number };
    environment?: Record<string, string | number>;
    ports?: string[];
    profiles?: string[];
    healthcheck?: { test?: string[] };
  }

  const services = async () =>
    (
      parse(await readFile(path.join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
        services: Record<string, Service>;
      }
    ).services;

  /** Compose's `${NAME:-default}` and `${NAME:?message}` over `env`, as `docker compose` reads them. */
  function interpolate(environment: Record<string, string | number>, env: Record<string, string>) {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(environment)) {
      out[key] = String(value).replace(
        /\$\{(\w+)(?::-([^}]*)|:\?([^}]*))?\}/g,
        (_m, name: string, fallback, message) => {
          const given = env[name];
          if (given) return given;
          if (message !== undefined)
            throw new Error(`required variable ${name} is missing a value: ${message}`);
          return fallback ?? '';
        },
      );
    }
    return out;
  }

  it('runs redis with AOF and noeviction, postgres, the scheduler and every worker', async () => {
    const compose = parse(await readFile(path.join(projectRoot, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as {
      services: Record<string, Service>;
    };
    const { services } = compose;
    expect(services.redis?.command?.join(' ')).toMatch(/--appendonly yes.*--maxmemory-policy noeviction/);
    expect(services.postgres).toBeDefined();
    for (const name of [
      'scheduler',
      'feed-worker',
      'article-worker',
      'store-worker',
      'alert-worker',
      'digest-worker',
    ]) {
      expect(services[name]?.environment?.REDIS_URL, name).toBe('redis://redis:6379');
      expect(services[name]?.environment?.DATABASE_URL, name).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    }
    expect(services['article-worker']?.deploy?.replicas).toBeGreaterThan(1);
    for (const [name, service] of Object.entries(services)) {
      const entry = service.command?.find((part) => part.startsWith('workers/'));
      if (entry) await expect(readFile(path.join(projectRoot, entry)), name).resolves.toBeDefined();
    }
  });
  it('publishes the dashboard of npm start on loopback, only with a token', async () => {
    const service = (await services()).service;
    expect(service?.command).toEqual(['node', '--import', 'tsx', 'workers/all.ts']);
    expect(service?.ports).toEqual(['127.0.0.1:3000:3000']);
    const environment = service?.environment ?? {};
    expect(environment).toMatchObject({ HOST: '0.0.0.0', PORT: 3000 });
    // Only with --profile dashboard, so that `docker compose up -d redis` needs no token.
    expect(service?.profiles).toEqual(['dashboard']);
    // No token: the process refuses to start, in one line, rather than serve 0.0.0.0 open.
    expect(() => loadSettings(interpolate(environment, {}))).toThrow(
      /HOST: 0\.0\.0\.0 is not loopback: set DASHBOARD_TOKEN/,
    );
    // What the container's process makes of it: a token of 16 characters or more, or no start.
    const settings = loadSettings(interpolate(environment, { DASHBOARD_TOKEN: 'a-dashboard-token-0123' }));
    expect(settings).toMatchObject({
      HOST: '0.0.0.0',
      PORT: 3000,
      DASHBOARD_TOKEN: 'a-dashboard-token-0123',
    });
    expect(() => loadSettings(interpolate(environment, { DASHBOARD_TOKEN: 'too-short' }))).toThrow(
      /DASHBOARD_TOKEN: at least 16 characters/,
    );
  });

  it('checks the service with Node alone: 0 while /healthz answers, 1 when it does not', async () => {
    const test = (await services()).service?.healthcheck?.test ?? [];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    const script = test[3] ?? '';
    expect(script).toContain("'http://127.0.0.1:3000/healthz'");
    const server = createServer((request, response) => {
      response.writeHead(request.url === '/healthz' ? 200 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const run = (url: string) =>
      promisify(execFile)(process.execPath, ['-e', script.replace('http://127.0.0.1:3000', url)]).then(
        () => 0,
        (error: { code?: number }) => error.code,
      );
    try {
      expect(await run(`http://127.0.0.1:${port}`)).toBe(0);
      expect(await run(`http://127.0.0.1:${port}/nothing`)).toBe(1);
    } finally {
      server.close();
    }
    expect(await run(`http://127.0.0.1:${port}`)).toBe(1);
  });
});
