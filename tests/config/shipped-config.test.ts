/** The files shipped in config/ and docker-compose.yml are valid and agree with each other. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkConfigReferences } from '../../src/config/check-references.ts';
import { loadAlertsFile, loadFeedsFile, loadTextFile } from '../../src/config/load-config.ts';
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
    environment?: Record<string, string>;
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
});
