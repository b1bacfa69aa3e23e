/**
 * Hostile input at the two entry points where feed URLs come from third parties: an OPML file
 * (`feeds import`) and a site's page (`feeds add <site>`, feed discovery).
 *
 * OPML: a URL that is not http(s) (file:, javascript:, gopher:, data:, ftp:) is skipped at import with
 * one line each, the rest imported. An http URL at a metadata, private or link-local address is a
 * valid subscription (feeds on one's own network are what ALLOW_PRIVATE_NETWORKS is for), so it is
 * imported, and refused by the SSRF guard when polled: every one of them before connecting with the
 * guard as in production; with ALLOW_PRIVATE_NETWORKS, as the tests reach 127.0.0.1, the metadata and
 * link-local ones still, while the good feeds beside them are stored. The file's DOCTYPE, external
 * entities and a title carrying YAML reach neither the disk nor feeds.yaml's structure.
 *
 * Discovery: a page announcing a feed at a metadata address, or behind a redirect to one, is refused
 * in one line naming that address, never connected to; an announced non-http(s) URL is never
 * fetched; a good feed announced beside a bad one is added. No traffic leaves 127.0.0.1: the private
 * ranges are only ever refused before connecting.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import escapeHtml from 'escape-html';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFeedsFile, parseFeedsFile } from '../../src/config/load-config.ts';
import { isForbiddenAddress, isPrivateNetworkAddress } from '../../src/http/ssrf-guard.ts';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce, type RunSummary } from '../../src/pipeline/run-once.ts';
import { fixture, projectRoot, startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';
import { cliInProcess, type CliResult } from '../helpers/run-cli.ts';

const METADATA = 'http://169.254.169.254/latest/meta-data/';
const MAPPED_METADATA = 'http://[::ffff:a9fe:a9fe]/latest/meta-data/';
const LINK_LOCAL = 'http://[fe80::1]/rss.xml';
const PRIVATE_10 = 'http://10.0.0.1/rss.xml';
const UNIQUE_LOCAL = 'http://[fd00::1]/rss.xml';
/** Refused at import: not http(s). */
const NOT_WEB = [
  'file:///etc/passwd',
  'javascript:alert(1)',
  'gopher://127.0.0.1:70/_GET%20/',
  'data:application/rss+xml,<rss/>',
  'ftp://10.0.0.1/rss.xml',
];
const YAML_TITLE = 'Evil\n  - id: injected\n    url: http://169.254.169.254/';

const goodFeed = (base: string, slug: string) => `<rss version="2.0"><channel><title>Good ${slug}</title>
<item><title>Mediators meet in Cairo</title><link>${base}/opml/${slug}/1</link><description>Mediators from Qatar and Egypt met in Cairo on the Gaza ceasefire.</description></item>
</channel></rss>`;

function hostileOpml(base: string): string {
  const outline = (title: string, url: string) =>
    `<outline type="rss" text="${escapeHtml(title)}" title="${escapeHtml(title).replace(/\n/g, '&#10;')}" xmlUrl="${escapeHtml(url)}"/>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE opml SYSTEM "${base}/opml/evil.dtd" [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<opml version="2.0"><head><title>Subscriptions &xxe; &lol1;</title></head><body>
<outline text="Wires">
  ${outline('Good wire', `${base}/opml/good.xml`)}
  ${outline('Cloud metadata', METADATA)}
  ${outline('Mapped metadata', MAPPED_METADATA)}
  ${outline('Link-local', LINK_LOCAL)}
  ${outline('Office network', PRIVATE_10)}
  ${outline('Unique local', UNIQUE_LOCAL)}
  ${NOT_WEB.map((url, i) => outline(`Not web ${i}`, url)).join('\n  ')}
  <outline type="rss" text="&xxe; &lol1;" xmlUrl="${base}/opml/entities.xml"/>
  ${outline(YAML_TITLE, `${base}/opml/second.xml`)}
</outline>
</body></opml>`;
}

/** The one-line refusal of the guard for `address`. */
const refusal = (url: string, address: string) =>
  new RegExp(
    `^http: ${url.replace(/[.[\]/?]/g, '\\$&')}: refused to connect to ${address.replace(/[.[\]]/g, '\\$&')} \\([^)]*\\): [^\\n]+$`,
  );

describe('OPML import of good feeds beside metadata, private and non-web URLs', () => {
  let world: PipelineWorld;
  let opmlFile: string;
  let imported: CliResult;
  let feedsYaml: string;
  let production: RunSummary;
  let allowed: RunSummary;
  let allowedRows: { feed_id: string; n: number }[];
  let hitsInProduction: string[];

  beforeAll(async () => {
    world = await startPipelineWorld();
    const base = world.site.base;
    for (const slug of ['good', 'entities', 'second']) {
      world.site.set(`/opml/${slug}.xml`, { contentType: 'application/rss+xml', body: goodFeed(base, slug) });
    }
    opmlFile = path.join(world.configDir, 'subscriptions.opml');
    await writeFile(opmlFile, hostileOpml(base));
    imported = await cliInProcess(['feeds', 'import', opmlFile], {
      env: {
        CONFIG_DIR: world.configDir,
        DATA_DIR: world.settings.DATA_DIR,
        WATCHLIST: path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'),
        DATABASE_URL: '',
        ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    const feedsFile = path.join(world.configDir, 'feeds.yaml');
    feedsYaml = await readFile(feedsFile, 'utf8');

    // Polled with the guard as in production: nothing is connected to, not even 127.0.0.1.
    const strict = await openContext({ settings: { ...world.settings, ALLOW_PRIVATE_NETWORKS: false } });
    production = await runOnce(strict);
    await strict.close();
    hitsInProduction = [...world.site.hits];

    // Polled as the tests reach 127.0.0.1. ALLOW_PRIVATE_NETWORKS opens the private ranges, so those
    // two feeds would send traffic off this machine: they are left out of this poll (the one above
    // refused them), and everything else is polled.
    await writeFile(
      feedsFile,
      feedsYaml
        .split(/\n(?= {2}- )/)
        .filter((entry) => !entry.includes(PRIVATE_10) && !entry.includes(UNIQUE_LOCAL))
        .join('\n'),
    );
    const ctx = await openContext({ settings: world.settings });
    allowed = await runOnce(ctx);
    allowedRows = await ctx.db.query(
      'select feed_id, count(*)::int as n from articles group by feed_id order by feed_id',
    );
    await ctx.close();
  }, 60_000);

  afterAll(() => world.close());

  it('skips-each-non-web-url-in-one-line-and-imports-the-rest', () => {
    expect(imported.code).toBe(1);
    expect(imported.stderr.trimEnd().split('\n')).toEqual(
      NOT_WEB.map((url) => `feeds import: ${opmlFile}: skipped "${url}": not an http(s) URL`),
    );
    expect(imported.stdout).toBe(`imported ${opmlFile}: 8 added, 0 skipped (already present)\n`);
  });

  it('writes-the-http-urls-and-only-them-to-feeds-yaml', () => {
    // What the import wrote (the second poll's file leaves two of them out).
    const { feeds } = parseFeedsFile(feedsYaml, 'feeds.yaml');
    for (const url of NOT_WEB) expect(feedsYaml).not.toContain(url);
    expect(feeds.map((f) => f.url)).toEqual([
      `${world.site.base}/world/rss.xml`,
      `${world.site.base}/broken/rss.xml`,
      `${world.site.base}/opml/good.xml`,
      METADATA,
      MAPPED_METADATA,
      LINK_LOCAL,
      PRIVATE_10,
      UNIQUE_LOCAL,
      `${world.site.base}/opml/entities.xml`,
      `${world.site.base}/opml/second.xml`,
    ]);
  });

  it('keeps-a-title-carrying-yaml-a-title-and-expands-no-entity', () => {
    const parsed = parseFeedsFile(feedsYaml, 'feeds.yaml');
    const second = parsed.feeds.find((f) => f.url === `${world.site.base}/opml/second.xml`);
    expect(second?.title).toBe(YAML_TITLE);
    expect(parsed.feeds.map((f) => f.id)).not.toContain('injected');
    // The file's entities stay as written: the external one is not read, the nested one not expanded.
    const entities = parsed.feeds.find((f) => f.url === `${world.site.base}/opml/entities.xml`);
    expect(entities?.title).toBe('&xxe; &lol1;');
    expect(feedsYaml).not.toMatch(/^ {2}- id: injected$/m);
    expect(feedsYaml).not.toContain('lollol');
    expect(feedsYaml).not.toMatch(/root:[^:]*:0:0:/);
    expect(world.site.hits).not.toContain('/opml/evil.dtd');
  });

  it('refuses-every-imported-feed-before-connecting-with-the-production-guard', () => {
    expect(production.feedsOk).toBe(0);
    const reasons = new Map(production.failures.map((f) => [f.culprit, f.reason]));
    for (const [url, address] of [
      [METADATA, '169.254.169.254'],
      [MAPPED_METADATA, '::ffff:a9fe:a9fe'],
      [LINK_LOCAL, 'fe80::1'],
      [PRIVATE_10, '10.0.0.1'],
      [UNIQUE_LOCAL, 'fd00::1'],
      [`${world.site.base}/opml/good.xml`, '127.0.0.1'],
    ] as const) {
      expect(reasons.get(url), url).toMatch(refusal(url, address));
    }
    expect(hitsInProduction).toEqual([]);
  });

  it('refuses-metadata-and-link-local-even-with-private-networks-allowed', () => {
    const reasons = new Map(allowed.failures.map((f) => [f.culprit, f.reason]));
    for (const [url, address] of [
      [METADATA, '169.254.169.254'],
      [MAPPED_METADATA, '::ffff:a9fe:a9fe'],
      [LINK_LOCAL, 'fe80::1'],
    ] as const) {
      expect(reasons.get(url), url).toMatch(refusal(url, address));
      expect(reasons.get(url)).toContain('refused even with ALLOW_PRIVATE_NETWORKS');
    }
    // The private ranges are what the setting opens: the guard lets them through, as documented.
    for (const ip of ['10.0.0.1', 'fd00::1']) {
      expect(isForbiddenAddress(ip)).toBe(true);
      expect(isPrivateNetworkAddress(ip)).toBe(true);
    }
  });

  it('stores-the-good-feeds-beside-them', () => {
    expect(allowedRows).toEqual([
      { feed_id: expect.stringMatching(/opml-entities$/), n: 1 },
      { feed_id: expect.stringMatching(/opml-good$/), n: 1 },
      { feed_id: expect.stringMatching(/opml-second$/), n: 1 },
      { feed_id: 'world-news', n: 4 },
    ]);
    expect(allowed.failures.map((f) => f.culprit).sort()).toEqual(
      [METADATA, MAPPED_METADATA, LINK_LOCAL, `${world.site.base}/broken/rss.xml`].sort(),
    );
  });
});

describe('feed discovery on a page announcing hostile feeds', () => {
  let world: PipelineWorld;
  let dir: string;
  const INITIAL_FEEDS = 'feeds:\n  - id: existing\n    url: http://127.0.0.1:1/rss.xml\n';
  const page = (links: string[]) =>
    `<!doctype html><html><head><title>Site</title>${links
      .map(
        (href) => `<link rel="alternate" type="application/rss+xml" title="Feed" href="${escapeHtml(href)}">`,
      )
      .join('')}</head><body><p>Hello</p></body></html>`;
  const add = (url: string, allowPrivate = true) =>
    cliInProcess(['feeds', 'add', url], {
      env: {
        CONFIG_DIR: dir,
        WATCHLIST: path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'),
        DATA_DIR: path.join(dir, 'data'),
        DATABASE_URL: '',
        ALLOW_PRIVATE_NETWORKS: String(allowPrivate),
      },
    });
  const feedsYaml = () => readFile(path.join(dir, 'feeds.yaml'), 'utf8');

  beforeAll(async () => {
    world = await startPipelineWorld();
    const base = world.site.base;
    const feedXml = await readFile(fixture('feeds/127.0.0.1--gaza-ceasefire.xml'), 'utf8');
    world.site.set('/site/metadata/', { body: page([METADATA]) });
    world.site.set('/site/other-schemes/', {
      body: page(['file:///etc/passwd', 'javascript:alert(1)', 'gopher://127.0.0.1:70/_GET%20/']),
    });
    world.site.set('/site/hop/', { body: page([`${base}/site/hop.xml`]) });
    world.site.set('/site/hop.xml', { status: 302, body: '', headers: { location: MAPPED_METADATA } });
    world.site.set('/site/to-metadata', { status: 302, body: '', headers: { location: METADATA } });
    world.site.set('/site/mixed/', { body: page([METADATA, `${base}/site/feed.xml`]) });
    world.site.set('/site/feed.xml', {
      contentType: 'application/rss+xml',
      body: feedXml.replaceAll('{{BASE}}', base),
    });
    dir = await mkdtemp(path.join(os.tmpdir(), 'cw-discovery-'));
    await writeFile(path.join(dir, 'alerts.yaml'), 'rules: []\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await world.close();
  });

  const firstProblem = (address: string, url: string) =>
    `first problem: http: ${url}: refused to connect to ${address} (${address}): link-local, metadata, multicast or reserved address, refused even with ALLOW_PRIVATE_NETWORKS`;

  it.each([
    {
      name: 'announced-metadata-feed',
      path: '/site/metadata/',
      line: (url: string) =>
        `feeds add: ${url}: no feed found: the page announces 1 feed(s), none readable; tried 8 URL(s); ${firstProblem('169.254.169.254', METADATA)}`,
    },
    {
      name: 'announced-feed-redirecting-to-metadata',
      path: '/site/hop/',
      line: (url: string) =>
        `feeds add: ${url}: no feed found: the page announces 1 feed(s), none readable; tried 8 URL(s); ${firstProblem('::ffff:a9fe:a9fe', MAPPED_METADATA)}`,
    },
    {
      name: 'site-redirecting-to-metadata',
      path: '/site/to-metadata',
      line: (url: string) =>
        `feeds add: ${url}: http: ${METADATA}: refused to connect to 169.254.169.254 (169.254.169.254): link-local, metadata, multicast or reserved address, refused even with ALLOW_PRIVATE_NETWORKS`,
    },
  ])('refuses-an-$name-in-one-line-naming-it', async ({ path: sitePath, line }) => {
    await writeFile(path.join(dir, 'feeds.yaml'), INITIAL_FEEDS);
    const url = `${world.site.base}${sitePath}`;
    const { code, stdout, stderr } = await add(url);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(`${line(url)}\n`);
    expect(await feedsYaml()).toBe(INITIAL_FEEDS);
  });

  it('never-fetches-an-announced-url-of-another-scheme', async () => {
    await writeFile(path.join(dir, 'feeds.yaml'), INITIAL_FEEDS);
    world.site.hits.length = 0;
    const url = `${world.site.base}/site/other-schemes/`;
    const { code, stderr } = await add(url);
    expect(code).toBe(1);
    // Dropped as feeds: only the page and the common paths on its own site are asked for.
    expect(stderr).toMatch(
      /^feeds add: \S+: no feed found: the page announces no feed; tried 7 URL\(s\); [^\n]*\n$/,
    );
    expect(world.site.hits.every((hit) => hit === '/site/other-schemes/' || !hit.startsWith('/site/'))).toBe(
      true,
    );
    expect(stderr).not.toMatch(/root:[^:]*:0:0:/);
    expect(await feedsYaml()).toBe(INITIAL_FEEDS);
  });

  it('adds-the-good-feed-announced-beside-a-metadata-one', async () => {
    await writeFile(path.join(dir, 'feeds.yaml'), INITIAL_FEEDS);
    world.site.hits.length = 0;
    const { code, stdout, stderr } = await add(`${world.site.base}/site/mixed/`);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(
      new RegExp(`^added \\S+: ${world.site.base.replace(/[.]/g, '\\.')}/site/feed\\.xml `),
    );
    expect(world.site.hits).toEqual(['/site/mixed/', '/site/feed.xml']);
    const { feeds } = await loadFeedsFile(path.join(dir, 'feeds.yaml'));
    expect(feeds.map((f) => f.url)).toEqual([
      'http://127.0.0.1:1/rss.xml',
      `${world.site.base}/site/feed.xml`,
    ]);
  });

  it.each([
    { name: 'file', url: 'file:///etc/passwd' },
    { name: 'javascript', url: 'javascript:alert(1)' },
    { name: 'gopher', url: 'gopher://127.0.0.1:70/_GET%20/' },
  ])('refuses-a-$name-url-given-to-feeds-add', async ({ url }) => {
    await writeFile(path.join(dir, 'feeds.yaml'), INITIAL_FEEDS);
    const { code, stderr } = await add(url);
    expect({ code, stderr }).toEqual({ code: 1, stderr: `feeds add: ${url}: not an http(s) URL\n` });
    expect(await feedsYaml()).toBe(INITIAL_FEEDS);
  });

  it.each([
    { name: 'private-10', url: 'http://10.0.0.1/', address: '10.0.0.1' },
    { name: 'unique-local', url: 'http://[fd00::1]/', address: 'fd00::1' },
    { name: 'metadata', url: METADATA, address: '169.254.169.254' },
  ])('refuses-a-$name-site-before-connecting-with-the-production-guard', async ({ url, address }) => {
    await writeFile(path.join(dir, 'feeds.yaml'), INITIAL_FEEDS);
    const { code, stderr } = await add(url, false);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `feeds add: ${url}: http: ${url}: refused to connect to ${address} (${address}): private, local or reserved address; set ALLOW_PRIVATE_NETWORKS=true to allow feeds on your own network\n`,
    );
    expect(await feedsYaml()).toBe(INITIAL_FEEDS);
  });
});
