/**
 * Environment variables, validated once and frozen. Every secret can also come from `<NAME>_FILE`
 * (Docker/Kubernetes secrets). The README's table lists the same keys and defaults.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PipelineError } from '../errors.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const commaList = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

/**
 * Comma-separated recipients, each a plain address: a typo (`desk@example`, `desk example.org`) is
 * refused at start instead of bouncing, or vanishing, at the first alert. Addresses are not secrets,
 * so the one refused is named.
 */
const emailList = commaList.pipe(
  z.array(z.email({ error: (issue) => `"${String(issue.input)}" is not an email address` })),
);

/**
 * A URL with one of `protocols`. The message never repeats the value: these URLs carry passwords.
 */
function urlWith(protocols: readonly string[], message: string) {
  return z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, message);
}

export const SettingsSchema = z.object({
  /** @defaultValue "redis://127.0.0.1:6379" */
  REDIS_URL: urlWith(
    ['redis:', 'rediss:'],
    'not a Redis URL: write redis://[user:password@]host:6379[/db], or rediss:// for TLS',
  )
    .default('redis://127.0.0.1:6379')
    .describe('Redis for the BullMQ queues'),
  DATABASE_URL: urlWith(
    ['postgres:', 'postgresql:'],
    'not a PostgreSQL URL: write postgres://user:password@host:5432/database',
  )
    .optional()
    .describe('PostgreSQL; unset = embedded PGlite under DATA_DIR'),
  DATA_DIR: z.string().default('./data').describe('embedded PGlite database directory'),
  CONFIG_DIR: z.string().default('./config').describe('feeds.yaml, alerts.yaml, watchlists/'),
  WATCHLIST: z
    .string()
    .default('watchlists/gaza-ceasefire.yaml')
    .describe('watchlist, relative to CONFIG_DIR'),
  DIGEST_DIR: z.string().default('./digests').describe('where digests are written'),
  QUEUE_PREFIX: z.string().default('cw').describe('BullMQ key prefix'),
  ARTICLE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Off by default: feeds and pages on private networks are refused (SSRF guard). */
  ALLOW_PRIVATE_NETWORKS: bool.default(false),
  FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  FEED_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  /**
   * New items followed from one poll of a feed; the rest at the next polls. A real feed lists tens, a
   * busy one a few hundred after an outage; one listing 100,000 queued 100,000 jobs and 1.5 GB of
   * memory. @defaultValue 500
   */
  FEED_MAX_NEW_ITEMS: z.coerce.number().int().min(1).default(500),
  PAGE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  /**
   * Keep each fetched page (gzip) so that `cli reprocess` can re-extract after an upgrade without
   * fetching again; about a fifth of the page size per article. @defaultValue true
   */
  RETAIN_RAW_HTML: bool.default(true),
  /** Requests in flight to one host, across every worker process. @defaultValue 2 */
  HOST_MAX_CONCURRENT: z.coerce.number().int().min(1).max(32).default(2),
  /** Minimum time between two request starts to one host (polite crawlers: about one per second). */
  HOST_MIN_SPACING_MS: z.coerce.number().int().min(0).default(1_000),
  SLACK_WEBHOOK_URL: z.url().optional().describe('Slack incoming webhook; unset = no Slack alerts'),
  WEBHOOK_URL: z.url().optional().describe('generic webhook receiving signed JSON alerts; unset = none'),
  WEBHOOK_SECRET: z.string().min(16).optional().describe('HMAC-SHA256 key of the webhook signature'),
  /**
   * Seconds an alert waits before it is sent, so that copies of the same story from other feeds,
   * polled in the same round, are listed in it. @defaultValue 60
   */
  ALERT_GATHER_SECONDS: z.coerce.number().min(0).max(3600).default(60),
  /**
   * Least time between two alert messages, across every channel and process: Slack's incoming
   * webhooks allow about one message a second. @defaultValue 1000
   */
  ALERT_MIN_SPACING_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /**
   * First wait before a failed step is tried again; each further try waits twice as long (5 tries:
   * 5 s, 10 s, 20 s, 40 s). Both the service and `run --once` follow it. @defaultValue 5000
   */
  RETRY_BACKOFF_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /**
   * First wait before the reconciler queues again an item or alert whose retries were spent (an
   * outage); it doubles with each failed re-drive, up to a day. @defaultValue 3600000 (an hour)
   */
  REDRIVE_BACKOFF_MS: z.coerce.number().int().min(0).default(3_600_000),
  /**
   * How long an item or alert may stay pending with no job known to be working on it before the
   * reconciler queues it again (its job was lost with Redis, or its worker killed). @defaultValue 120000
   */
  RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(120_000),
  /**
   * The service polls each feed first at a moment of its own within this many seconds of its start
   * (at most its interval), always the same for the same feed id, and every interval after that:
   * feeds of one interval are then not all polled at once, and neither are the articles they bring
   * processed and alerted in one burst. 0 polls every feed at once. @defaultValue 60
   */
  FEED_POLL_SPREAD_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /**
   * Old-generation heap cap of each extraction thread, in MB. 512 keeps a 2-core process under 1 GB;
   * 2048 lets V8 collect jsdom's garbage far less often, for memory: `run --once` on PostgreSQL over
   * 2,000 articles took 138 instead of 169 ms of CPU an article (12.9 instead of 11.1/s) and peaked at
   * 2.0 instead of 0.94 GB (`npm run bench -- --heap 2048`); 1024 measured no faster than 512. The dev
   * set's largest page runs under 128. @defaultValue 512
   */
  EXTRACT_THREAD_HEAP_MB: z.coerce.number().int().min(128).max(16_384).default(512),
  /** How often every service process reconciles the ledger with the queues. @defaultValue 60000 */
  RECONCILE_EVERY_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** Port of the per-rule Atom feeds served by `npm start` (`/alerts/<rule>.atom`); 0 turns them off. */
  ALERT_FEEDS_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /** Address the Atom feeds listen on; 0.0.0.0 in a container. @defaultValue "127.0.0.1" */
  ALERT_FEEDS_HOST: z.string().default('127.0.0.1'),
  /** Port of the dashboard and its JSON API (`npm start`, `cli serve`); 0 turns them off. @defaultValue 3000 */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Address the dashboard listens on; anything but loopback needs DASHBOARD_TOKEN. @defaultValue "127.0.0.1" */
  HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * The dashboard's token: every write (pause a feed, add one) needs it, and so does every request
   * when HOST is not loopback. Unset: the dashboard is read-only, on loopback only.
   */
  DASHBOARD_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  SMTP_URL: z.string().optional().describe('smtp://user:pass@host:port; unset = no email'),
  EMAIL_FROM: z.string().default('ceasefire-watch <alerts@localhost>'),
  ALERT_EMAIL_TO: emailList.default([]),
  DIGEST_EMAIL_TO: emailList.optional().describe('defaults to ALERT_EMAIL_TO'),
});
export type Settings = Readonly<z.infer<typeof SettingsSchema>>;

/** Settings that are each valid but wrong together. */
const CheckedSettingsSchema = SettingsSchema.superRefine((settings, ctx) => {
  // Anyone who can reach a non-loopback address could read, and with writes change, the watch.
  if (settings.PORT !== 0 && !isLoopbackHost(settings.HOST) && !settings.DASHBOARD_TOKEN) {
    ctx.addIssue({
      code: 'custom',
      path: ['HOST'],
      message: `${settings.HOST} is not loopback: set DASHBOARD_TOKEN (16 characters or more) to serve the dashboard there`,
    });
  }
  // Half a webhook used to turn it off without a word: the pair is required together.
  if (Boolean(settings.WEBHOOK_URL) === Boolean(settings.WEBHOOK_SECRET)) return;
  const [set, missing] = settings.WEBHOOK_URL
    ? ['WEBHOOK_URL', 'WEBHOOK_SECRET']
    : ['WEBHOOK_SECRET', 'WEBHOOK_URL'];
  ctx.addIssue({
    code: 'custom',
    path: [missing],
    message: `not set, but ${set} is: the webhook needs both (the secret signs every request)`,
  });
});

/** Whether a listen address only takes connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

const secretKeys = [
  'DATABASE_URL',
  'REDIS_URL',
  'SLACK_WEBHOOK_URL',
  'SMTP_URL',
  'WEBHOOK_URL',
  'WEBHOOK_SECRET',
  'DASHBOARD_TOKEN',
] as const;

function readSecretFile(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (cause) {
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'config',
      culprit: `environment variable ${variable}`,
      detail: `cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      permanent: true,
      cause,
    });
  }
}

/**
 * Reads settings from an environment (process.env by default), resolving `*_FILE` secrets.
 *
 * @example
 * const settings = loadSettings({ DATABASE_URL: 'postgres://localhost/cw' });
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(SettingsSchema.shape)) {
    const value = env[key];
    raw[key] = value === '' ? undefined : value;
  }
  for (const key of secretKeys) {
    const file = env[`${key}_FILE`];
    if (raw[key] === undefined && file) raw[key] = readSecretFile(`${key}_FILE`, file);
  }
  const parsed = CheckedSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PipelineError({
      code: 'CONFIG_INVALID',
      stage: 'config',
      culprit: `environment variable ${String(issue?.path[0] ?? '?')}`,
      detail: issue?.message ?? 'invalid',
      permanent: true,
    });
  }
  return Object.freeze(parsed.data);
}
