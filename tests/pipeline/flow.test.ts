/**
 * The flow as data: each stage's key, delay, pace and retry policy, which both executors follow.
 * Keys are what decide whether a new version of an item, or a story that now carries more, is new work.
 */
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.ts';
import { flow, itemVersionKey, jobKey, stageNames } from '../../src/pipeline/flow.ts';
import { articleJobId } from '../../src/feeds/canonical-url.ts';
import type { AlertJob, ArticleRef } from '../../src/model.ts';

const settings = loadSettings({
  ALERT_GATHER_SECONDS: '60',
  ALERT_MIN_SPACING_MS: '1000',
  RETRY_BACKOFF_MS: '5000',
});

const ref = (patch: Partial<ArticleRef> = {}): ArticleRef => ({
  feedId: 'wire',
  url: 'https://example.com/a?utm_source=rss',
  canonicalUrl: 'https://example.com/a',
  title: 'Truce holds',
  published: null,
  feedContent: '<p>Aid enters.</p>',
  guid: 'urn:1',
  contentHash: 'c1:aaaa',
  isUpdate: false,
  previousCanonicalUrl: null,
  version: 0,
  ...patch,
});

const alert = (patch: Partial<AlertJob> = {}): AlertJob => ({
  ruleId: 'phase-two',
  channel: 'slack',
  storyId: 7,
  tagsKey: 'actor:hamas,phase:phase-2',
  articleId: 11,
  ...patch,
});

describe('stage keys', () => {
  const articleKey = (r: ArticleRef) => flow.article.key(r);

  it.each([
    {
      name: 'an-edit-is-new-work',
      first: ref(),
      second: ref({ isUpdate: true, contentHash: 'c1:bbbb', version: 1 }),
      same: false,
    },
    {
      // A → B → A: the revert is a third version, not the first one again.
      name: 'an-edit-reverted-later-is-new-work',
      first: ref({ isUpdate: true, contentHash: 'c1:bbbb', version: 1 }),
      second: ref({ isUpdate: true, contentHash: 'c1:aaaa', version: 2 }),
      same: false,
    },
    {
      name: 'the-same-update-seen-twice-is-one-job',
      first: ref({ isUpdate: true, contentHash: 'c1:bbbb', version: 1 }),
      second: ref({ isUpdate: true, contentHash: 'c1:bbbb', version: 1, feedId: 'regional' }),
      same: true,
    },
    {
      name: 'a-new-item-from-two-feeds-is-one-job',
      first: ref(),
      second: ref({ feedId: 'aggregator', contentHash: 'c1:cccc', guid: 'urn:agg:9' }),
      same: true,
    },
  ])('$name', ({ first, second, same }) => {
    expect(articleKey(first) === articleKey(second)).toBe(same);
  });

  it('keeps-the-new-item-key-of-earlier-releases', () => {
    expect(articleKey(ref())).toBe(articleJobId('https://example.com/a'));
  });

  it('stores-each-version-once-under-the-articles-key', () => {
    // The store job's key follows the item version, never the attempt: a second version is never
    // dropped as a repeat of the first (the bug of `<url hash>-<attemptsStarted>`).
    const v1 = { canonicalUrl: 'https://example.com/a', isUpdate: false, contentHash: 'c1:aaaa', version: 0 };
    const v2 = { ...v1, isUpdate: true, contentHash: 'c1:bbbb', version: 1 };
    expect(itemVersionKey(v1)).toBe(articleKey(ref()));
    expect(itemVersionKey(v2)).not.toBe(itemVersionKey(v1));
  });

  it.each([
    { name: 'same-story-same-tags-is-one-job', patch: { articleId: 12 }, same: true },
    {
      name: 'the-story-carries-more-is-new-work',
      patch: { tagsKey: 'actor:hamas,actor:qatar,phase:phase-2' },
      same: false,
    },
    { name: 'another-channel', patch: { channel: 'email' as const }, same: false },
    { name: 'another-rule', patch: { ruleId: 'mediators' }, same: false },
    { name: 'another-story', patch: { storyId: 8 }, same: false },
  ])('alert-$name', ({ patch, same }) => {
    expect(flow.alert.key(alert()) === flow.alert.key(alert(patch))).toBe(same);
  });

  it('keys-are-valid-bullmq-job-ids', () => {
    for (const key of [flow.article.key(ref()), flow.alert.key(alert()), jobKey('x', 1)]) {
      expect(key).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(flow.feed.key({ feedId: 'wire' })).toBeNull();
  });

  it('refuses-a-malformed-payload-when-it-is-handed-on', () => {
    expect(() => flow.alert.key({ ruleId: 'x' })).toThrow();
  });
});

describe('stage timing and retries', () => {
  it('delays-only-alerts-by-the-gather-window-and-paces-only-alerts', () => {
    expect(stageNames.map((s) => flow[s].delayMs(settings))).toEqual([0, 0, 0, 60_000]);
    expect(stageNames.map((s) => flow[s].pace(settings))).toEqual([
      null,
      null,
      null,
      { max: 1, durationMs: 1000 },
    ]);
    expect(flow.alert.concurrency(settings)).toBe(1);
    expect(flow.article.concurrency(settings)).toBe(settings.ARTICLE_CONCURRENCY);
  });

  it('retries-every-stage-on-the-configured-backoff', () => {
    expect(stageNames.map((s) => [flow[s].attempts, flow[s].backoffMs(settings)])).toEqual([
      [2, 5000],
      [5, 5000],
      [5, 5000],
      [5, 5000],
    ]);
    // Retry-After is honoured where a server or Slack can say it: pages and alerts.
    expect(stageNames.map((s) => flow[s].maxRetryAfterDelays > 0)).toEqual([false, true, false, true]);
  });

  it('no-pace-when-spacing-is-zero', () => {
    expect(flow.alert.pace(loadSettings({ ALERT_MIN_SPACING_MS: '0' }))).toBeNull();
  });
});
