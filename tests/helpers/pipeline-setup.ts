/**
 * The world an end-to-end test runs in: the recorded feed and pages served from 127.0.0.1, a Slack
 * webhook receiver, an SMTP server, and a config directory pointing at them. Everything is torn
 * down by `close()`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadSettings, type Settings } from '../../src/config/settings.ts';
import { freshDataDir } from './pglite-template.ts';
import {
  startFixtureSite,
  startMailCatcher,
  startWebhookReceiver,
  type FixtureSite,
  type MailCatcher,
  type Route,
  type WebhookReceiver,
} from './local-servers.ts';

export const projectRoot = path.resolve(import.meta.dirname, '../..');
export const fixture = (...parts: string[]) => path.join(projectRoot, 'tests/fixtures', ...parts);

export const SEED_URL_PATH = '/2025/12/witkoff-miami-talks';

export interface PipelineWorld {
  site: FixtureSite;
  slack: WebhookReceiver;
  mail: MailCatcher;
  configDir: string;
  settings: Settings;
  /** Unique per test file: queue prefix and database schema. */
  namespace: string;
  close(): Promise<void>;
}

export async function startPipelineWorld(
  opts: { databaseUrl?: string; extraFeeds?: string | ((base: string) => string) } = {},
): Promise<PipelineWorld> {
  const [feedXml, seedPage, jpostPage, aljazeeraPage] = await Promise.all([
    readFile(fixture('feeds/127.0.0.1--gaza-ceasefire.xml'), 'utf8'),
    readFile(fixture('pages/seed--witkoff-miami-talks-gaza-ceasefire.html')),
    readFile(fixture('pages/www.jpost.com--son-of-former-german-president-stabbed.html')),
    readFile(fixture('pages/www.aljazeera.com--afghanistan-helicopter-crash.html')),
  ]);
  const site = await startFixtureSite((base): Record<string, Route> => ({
    '/world/rss.xml': {
      contentType: 'application/rss+xml; charset=utf-8',
      body: feedXml.replaceAll('{{BASE}}', base),
    },
    '/broken/rss.xml': {
      contentType: 'application/rss+xml',
      body: '<html><body>Service temporarily unavailable</body></html>',
    },
    [SEED_URL_PATH]: { body: seedPage },
    '/breaking-news/son-of-former-german-president-stabbed': { body: jpostPage },
    '/news/2019/11/service-members-killed-afghanistan-helicopter-crash': { body: aljazeeraPage },
  }));
  const [slack, mail] = await Promise.all([startWebhookReceiver(), startMailCatcher()]);
  const namespace = `cw_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const configDir = await mkdtemp(path.join(os.tmpdir(), 'cw-config-'));
  await writeFile(
    path.join(configDir, 'feeds.yaml'),
    [
      'feeds:',
      '  - id: world-news',
      `    url: ${site.base}/world/rss.xml`,
      '    intervalMinutes: 60',
      '  - id: broken-feed',
      `    url: ${site.base}/broken/rss.xml`,
      '    intervalMinutes: 60',
      typeof opts.extraFeeds === 'function' ? opts.extraFeeds(site.base) : (opts.extraFeeds ?? ''),
    ].join('\n'),
  );
  await writeFile(
    path.join(configDir, 'alerts.yaml'),
    [
      'rules:',
      '  - id: phase-two',
      '    phases: [phase-2]',
      '    channels: [slack, email]',
      '  - id: witkoff',
      '    actors: [steve-witkoff]',
      '    channels: [slack]',
      'digest:',
      "  time: '07:00'",
      '  timezone: UTC',
      '  weeklyOn: monday',
    ].join('\n'),
  );
  // A migrated embedded database, copied rather than created (tests/global-setup.ts).
  const dataDir = freshDataDir();
  const settings = loadSettings({
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    DATABASE_URL: opts.databaseUrl,
    DATA_DIR: dataDir,
    CONFIG_DIR: configDir,
    WATCHLIST: path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'),
    DIGEST_DIR: path.join(dataDir, 'digests'),
    QUEUE_PREFIX: namespace,
    ALLOW_PRIVATE_NETWORKS: 'true',
    FETCH_TIMEOUT_MS: '5000',
    // Every fixture lives on one host; a short spacing keeps the gate in play without slowing tests.
    HOST_MIN_SPACING_MS: '20',
    // Alerts go out at once in tests rather than after the one-minute gather window, a little apart
    // rather than a second apart, and a failed step is retried after 100 ms rather than 5 s.
    ALERT_GATHER_SECONDS: '0',
    ALERT_MIN_SPACING_MS: '50',
    RETRY_BACKOFF_MS: '100',
    // Every feed polled at once when the service starts, not spread over a minute.
    FEED_POLL_SPREAD_SECONDS: '0',
    SLACK_WEBHOOK_URL: slack.url,
    SMTP_URL: mail.url,
    EMAIL_FROM: 'ceasefire-watch <alerts@example.org>',
    ALERT_EMAIL_TO: 'analyst@example.org',
    DIGEST_EMAIL_TO: 'desk@example.org',
  });
  return {
    site,
    slack,
    mail,
    configDir,
    settings,
    namespace,
    async close() {
      await Promise.all([site.close(), slack.close(), mail.close()]);
      await rm(configDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
