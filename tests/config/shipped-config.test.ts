/** The files shipped in config/ and docker-compose.yml are valid and agree with each other. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAlertsFile, loadFeedsFile } from '../../src/config/load-config.ts';
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

  it('a missing file is one line naming it', async () => {
    await expect(loadFeedsFile(config('nope.yaml'))).rejects.toThrow(
      /^config: .*nope\.yaml: cannot read: ENOENT$/,
    );
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
