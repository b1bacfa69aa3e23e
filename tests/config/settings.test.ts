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
    { name: 'extract-heap-default', env: {}, key: 'EXTRACT_THREAD_HEAP_MB', expected: 512 },
    {
      name: 'extract-heap-more',
      env: { EXTRACT_THREAD_HEAP_MB: '2048' },
      key: 'EXTRACT_THREAD_HEAP_MB',
      expected: 2048,
    },
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
    { name: 'extract-heap-tiny', env: { EXTRACT_THREAD_HEAP_MB: '64' }, culprit: 'EXTRACT_THREAD_HEAP_MB' },
  ])('$name names the variable', ({ env, culprit }) => {
    expect(() => loadSettings(env)).toThrow(new RegExp(`^config: environment variable ${culprit}: `));
  });

  /** A password that must never appear in an error line. */
  const SECRET = 'hunter2-s3cret-value';

  it.each([
    {
      name: 'webhook-url-without-secret',
      env: { WEBHOOK_URL: 'https://hooks.example.org/cw' },
      expected:
        'config: environment variable WEBHOOK_SECRET: not set, but WEBHOOK_URL is: the webhook needs both (the secret signs every request)',
    },
    {
      name: 'webhook-secret-without-url',
      env: { WEBHOOK_SECRET: SECRET },
      expected:
        'config: environment variable WEBHOOK_URL: not set, but WEBHOOK_SECRET is: the webhook needs both (the secret signs every request)',
    },
    {
      name: 'alert-recipient-not-an-address',
      env: { ALERT_EMAIL_TO: 'desk@example.org, editor-at-example.org' },
      expected:
        'config: environment variable ALERT_EMAIL_TO: "editor-at-example.org" is not an email address',
    },
    {
      name: 'digest-recipient-without-domain',
      env: { DIGEST_EMAIL_TO: 'desk@' },
      expected: 'config: environment variable DIGEST_EMAIL_TO: "desk@" is not an email address',
    },
    {
      name: 'redis-url-not-a-url',
      env: { REDIS_URL: 'notaurl' },
      expected:
        'config: environment variable REDIS_URL: not a Redis URL: write redis://[user:password@]host:6379[/db], or rediss:// for TLS',
    },
    {
      name: 'redis-url-other-scheme-password-hidden',
      env: { REDIS_URL: `http://cw:${SECRET}@127.0.0.1:6379` },
      expected:
        'config: environment variable REDIS_URL: not a Redis URL: write redis://[user:password@]host:6379[/db], or rediss:// for TLS',
    },
    {
      name: 'database-url-other-scheme-password-hidden',
      env: { DATABASE_URL: `mysql://cw:${SECRET}@127.0.0.1/cw` },
      expected:
        'config: environment variable DATABASE_URL: not a PostgreSQL URL: write postgres://user:password@host:5432/database',
    },
    {
      name: 'secret-file-missing',
      env: { SMTP_URL_FILE: '/nonexistent/cw-smtp-secret' },
      expected:
        'config: environment variable SMTP_URL_FILE: cannot read /nonexistent/cw-smtp-secret (ENOENT)',
    },
  ])('$name', ({ env, expected }) => {
    let message = '';
    try {
      loadSettings(env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(expected);
    expect(message).not.toContain(SECRET);
  });

  it.each([
    { name: 'webhook-pair', env: { WEBHOOK_URL: 'https://hooks.example.org/cw', WEBHOOK_SECRET: SECRET } },
    { name: 'rediss-url', env: { REDIS_URL: `rediss://cw:${SECRET}@127.0.0.1:6380/2` } },
    { name: 'postgresql-url', env: { DATABASE_URL: 'postgresql://cw@127.0.0.1:5432/cw' } },
    {
      name: 'recipients',
      env: { ALERT_EMAIL_TO: 'desk@example.org', DIGEST_EMAIL_TO: 'a@example.org,b@example.org' },
    },
  ])('accepts-$name', ({ env }) => {
    expect(() => loadSettings(env)).not.toThrow();
  });
});
