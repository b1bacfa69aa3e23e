import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.ts';

describe('loadSettings', () => {
  it('has zero-setup defaults', () => {
    const settings = loadSettings({});
    expect(settings).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATABASE_URL: undefined,
      DATA_DIR: './data',
      ALLOW_PRIVATE_NETWORKS: false,
      FEED_MAX_BYTES: 5 * 1024 * 1024,
      PAGE_MAX_BYTES: 10 * 1024 * 1024,
      ALERT_EMAIL_TO: [],
    });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it.each([
    {
      name: 'comma-list',
      env: { ALERT_EMAIL_TO: 'a@x.org, b@x.org,' },
      key: 'ALERT_EMAIL_TO',
      expected: ['a@x.org', 'b@x.org'],
    },
    {
      name: 'boolean-yes',
      env: { ALLOW_PRIVATE_NETWORKS: 'yes' },
      key: 'ALLOW_PRIVATE_NETWORKS',
      expected: true,
    },
    { name: 'number-coerced', env: { ARTICLE_CONCURRENCY: '8' }, key: 'ARTICLE_CONCURRENCY', expected: 8 },
    { name: 'empty-is-unset', env: { DATABASE_URL: '' }, key: 'DATABASE_URL', expected: undefined },
  ])('$name', ({ env, key, expected }) => {
    expect(loadSettings(env)[key as keyof ReturnType<typeof loadSettings>]).toEqual(expected);
  });

  it('reads secrets from *_FILE', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cw-secret-'));
    const file = path.join(dir, 'smtp');
    await writeFile(file, 'smtp://user:pw@127.0.0.1:2525\n');
    expect(loadSettings({ SMTP_URL_FILE: file }).SMTP_URL).toBe('smtp://user:pw@127.0.0.1:2525');
  });

  it.each([
    { name: 'bad-boolean', env: { ALLOW_PRIVATE_NETWORKS: 'maybe' }, culprit: 'ALLOW_PRIVATE_NETWORKS' },
    { name: 'bad-webhook-url', env: { SLACK_WEBHOOK_URL: 'hooks' }, culprit: 'SLACK_WEBHOOK_URL' },
    { name: 'concurrency-zero', env: { ARTICLE_CONCURRENCY: '0' }, culprit: 'ARTICLE_CONCURRENCY' },
  ])('$name names the variable', ({ env, culprit }) => {
    expect(() => loadSettings(env)).toThrow(new RegExp(`^config: environment variable ${culprit}: `));
  });
});
