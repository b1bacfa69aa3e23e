/**
 * Hostile input, SSRF at each entry point of the pipeline: a feed URL, an item link, a redirect and an
 * enclosure. With ALLOW_PRIVATE_NETWORKS (how the tests reach 127.0.0.1) the guard still refuses
 * link-local, metadata, unspecified and NAT64 addresses, so those are run end to end beside the good
 * feed; the private ranges it then allows are run with the guard as in production, where literal
 * addresses are refused before any connection. No traffic leaves 127.0.0.1. (OPML import and feed
 * discovery reach the same guard through fetchUrl: tests/cli/feeds-command.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce, type RunSummary } from '../../src/pipeline/run-once.ts';
import type { PipelineContext } from '../../src/pipeline/steps.ts';
import { startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';

const METADATA = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';

const linksFeed = (base: string) => `<rss version="2.0"><channel><title>Links</title>
<item><title>To metadata</title><link>${METADATA}</link><description>Talks in Cairo.</description></item>
<item><title>To link-local v6</title><link>http://[fe80::1]/x</link><description>Talks in Doha.</description></item>
<item><title>Redirected</title><link>${base}/ssrf/redirect</link><description>Talks in Rafah.</description></item>
<item><title>With enclosure</title><link>${base}/2025/12/witkoff-miami-talks</link><description>Talks in Miami.</description>
<enclosure url="${base}/ssrf/enclosure.mp3" type="audio/mpeg" length="1"/></item>
</channel></rss>`;

describe('SSRF forms refused where private networks are allowed', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let summary: RunSummary;

  beforeAll(async () => {
    world = await startPipelineWorld({
      extraFeeds: (base) =>
        [
          ['metadata-feed', METADATA],
          ['mapped-metadata-feed', 'http://[::ffff:a9fe:a9fe]/rss.xml'],
          ['nat64-metadata-feed', 'http://[64:ff9b::a9fe:a9fe]/rss.xml'],
          ['unspecified-feed', `${base.replace('127.0.0.1', '0.0.0.0')}/world/rss.xml`],
          ['redirected-feed', `${base}/ssrf/feed-redirect`],
          ['links-feed', `${base}/ssrf/links.xml`],
        ]
          .map(([id, url]) => `  - id: ${id}\n    url: ${url}`)
          .join('\n'),
    });
    const redirect = { status: 302, body: '', headers: { location: METADATA } };
    world.site.set('/ssrf/feed-redirect', redirect);
    world.site.set('/ssrf/redirect', redirect);
    world.site.set('/ssrf/links.xml', {
      contentType: 'application/rss+xml',
      body: linksFeed(world.site.base),
    });
    ctx = await openContext({ settings: world.settings });
    summary = await runOnce(ctx);
  }, 60_000);

  afterAll(async () => {
    await ctx.close();
    await world.close();
  });

  it.each([
    { name: 'feed-url-metadata', culprit: () => METADATA, address: '169.254.169.254' },
    {
      name: 'feed-url-ipv4-mapped',
      culprit: () => 'http://[::ffff:a9fe:a9fe]/rss.xml',
      address: '::ffff:a9fe:a9fe',
    },
    {
      name: 'feed-url-nat64',
      culprit: () => 'http://[64:ff9b::a9fe:a9fe]/rss.xml',
      address: '64:ff9b::a9fe:a9fe',
    },
    {
      name: 'feed-url-unspecified',
      culprit: () => `${world.site.base.replace('127.0.0.1', '0.0.0.0')}/world/rss.xml`,
      address: '0.0.0.0',
    },
    {
      name: 'feed-redirect',
      culprit: () => `${world.site.base}/ssrf/feed-redirect`,
      address: '169.254.169.254',
    },
  ])('refuses-$name-in-one-line', ({ culprit, address }) => {
    const failure = summary.failures.find((f) => f.culprit === culprit());
    expect(failure?.reason).toMatch(
      new RegExp(`^http: \\S+: refused to connect to ${address.replace(/\./g, '\\.')} `),
    );
    expect(failure?.reason).not.toContain('\n');
  });

  it('refuses-item-links-and-redirect-hops-and-keeps-the-feed-text', () => {
    const reasons = new Map(summary.fallbacks.map((f) => [f.url, f.reason]));
    expect(reasons.get(METADATA)).toMatch(/refused to connect to 169\.254\.169\.254 /);
    expect(reasons.get('http://[fe80::1]/x')).toMatch(/refused to connect to fe80::1 /);
    // The redirect hop is named: the page that redirected was fetched, the hop never.
    expect(reasons.get(`${world.site.base}/ssrf/redirect`)).toMatch(
      new RegExp(`^http: ${METADATA.replace(/[./]/g, '\\$&')}: refused to connect to 169\\.254\\.169\\.254 `),
    );
  });

  it('never-fetches-an-enclosure', () => {
    expect(world.site.hits).not.toContain('/ssrf/enclosure.mp3');
  });

  it('processes-the-good-feeds-beside-them', async () => {
    const rows = await ctx.db.query<{ feed_id: string; n: number }>(
      'select feed_id, count(*)::int as n from articles group by feed_id order by feed_id',
    );
    // The links feed's four items are stored (three from their feed text); the enclosure item's page
    // is the seed article, already stored from world-news, so it counts there.
    expect(rows).toEqual([
      { feed_id: 'links-feed', n: 3 },
      { feed_id: 'world-news', n: 4 },
    ]);
  });
});

describe('SSRF forms with the guard as in production', () => {
  let world: PipelineWorld;
  let summary: RunSummary;

  beforeAll(async () => {
    world = await startPipelineWorld({
      extraFeeds: [
        ['rfc1918-10', 'http://10.0.0.1/rss.xml'],
        ['rfc1918-172', 'http://172.16.0.1/rss.xml'],
        ['rfc1918-192', 'http://192.168.0.1/rss.xml'],
        ['cgnat', 'http://100.64.0.1/rss.xml'],
        ['unique-local', 'http://[fd00::1]/rss.xml'],
        ['octal-loopback', 'http://0177.0.0.1/rss.xml'],
        ['integer-private', 'http://167772161/rss.xml'],
      ]
        .map(([id, url]) => `  - id: ${id}\n    url: ${url}`)
        .join('\n'),
    });
    const ctx = await openContext({ settings: { ...world.settings, ALLOW_PRIVATE_NETWORKS: false } });
    summary = await runOnce(ctx);
    await ctx.close();
  }, 60_000);

  afterAll(() => world.close());

  it('refuses-every-private-form-before-connecting-one-line-each', () => {
    expect(summary.feedsOk).toBe(0);
    expect(summary.failures).toHaveLength(9);
    for (const failure of summary.failures) {
      expect(failure.reason).toMatch(
        /^http: \S+: refused to connect to \S+ \(\S+\): private, local or reserved address;/,
      );
    }
    const addresses = summary.failures.map((f) => /refused to connect to (\S+)/.exec(f.reason)?.[1]).sort();
    expect(addresses).toEqual(
      [
        '10.0.0.1',
        '10.0.0.1',
        '100.64.0.1',
        '127.0.0.1',
        '127.0.0.1',
        '127.0.0.1',
        '172.16.0.1',
        '192.168.0.1',
        'fd00::1',
      ].sort(),
    );
    // Nothing reached even the test's own site.
    expect(world.site.hits).toEqual([]);
  });
});
