/**
 * `feeds`, `feeds add`, `feeds import`, `feeds export` as a person runs them: the real program (run
 * in-process), a real config directory, a fixture site on 127.0.0.1 (ALLOW_PRIVATE_NETWORKS=true) that
 * counts requests.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { seedDataDir } from '../helpers/pglite-template.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadFeedsFile } from '../../src/config/load-config.ts';
import { parseOpml } from '../../src/feeds/opml.ts';
import { upsertArticle } from '../../src/store/articles.ts';
import { openDb } from '../../src/store/db.ts';
import { recordFeedFailure, upsertFeeds } from '../../src/store/feeds.ts';
import { migrate } from '../../src/store/migrations.ts';
import { startFixtureSite, type FixtureSite } from '../helpers/local-servers.ts';
import { fixture, projectRoot } from '../helpers/pipeline-setup.ts';
import { cliInProcess } from '../helpers/run-cli.ts';

let site: FixtureSite;
let dir: string;
let env: Record<string, string>;
const feedsFile = () => path.join(dir, 'feeds.yaml');
const INITIAL_FEEDS = 'feeds:\n  - id: closed-port\n    url: http://127.0.0.1:1/rss.xml\n';

const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
  cliInProcess(args, { env: { ...env, ...extraEnv } });

beforeAll(async () => {
  const feedXml = await readFile(fixture('feeds/127.0.0.1--gaza-ceasefire.xml'));
  const page = (head: string) =>
    `<!doctype html><html><head><title>World News</title>${head}</head><body><p>Hello</p></body></html>`;
  site = await startFixtureSite(() => ({
    '/': {
      body: page(
        '<link rel="alternate" type="application/rss+xml" title="Middle East" href="/news/rss.xml">',
      ),
    },
    '/news/rss.xml': { body: feedXml, contentType: 'application/rss+xml' },
    '/direct.xml': { body: feedXml, contentType: 'text/xml' },
    '/plain/': { body: page('') },
    '/broken-announcer/': {
      body: page('<link rel="alternate" type="application/rss+xml" href="/gone.xml">'),
    },
  }));
});
afterAll(() => site.close());

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cw-feeds-cli-'));
  seedDataDir(path.join(dir, 'data'));
  await writeFile(feedsFile(), INITIAL_FEEDS);
  await writeFile(path.join(dir, 'alerts.yaml'), 'rules: []\n');
  env = {
    CONFIG_DIR: dir,
    WATCHLIST: path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'),
    DATA_DIR: path.join(dir, 'data'),
    // Empty = unset: the embedded PGlite under DATA_DIR, whatever this shell points at.
    DATABASE_URL: '',
    ALLOW_PRIVATE_NETWORKS: 'true',
  };
  site.hits.length = 0;
  return () => rm(dir, { recursive: true, force: true });
});

describe('feeds add', () => {
  it('adds-a-site-url-through-its-announced-feed', async () => {
    const { code, stdout, stderr } = await cli(['feeds', 'add', `${site.base}/`]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      `added 127-0-0-1-news-rss: ${site.base}/news/rss.xml "World News – Middle East", 5 items\n`,
    );
    // One GET of the page, one of the feed it announces.
    expect(site.hits).toEqual(['/', '/news/rss.xml']);
    expect((await loadFeedsFile(feedsFile())).feeds.at(-1)).toEqual({
      id: '127-0-0-1-news-rss',
      title: 'World News – Middle East',
      url: `${site.base}/news/rss.xml`,
      intervalMinutes: 15,
      labels: [],
    });
  });

  it('adds-a-feed-url-with-exactly-one-get', async () => {
    const { code, stdout } = await cli([
      'feeds',
      'add',
      `${site.base}/direct.xml`,
      '--id',
      'direct',
      '--interval',
      '5',
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe(`added direct: ${site.base}/direct.xml "World News – Middle East", 5 items\n`);
    expect(site.hits).toEqual(['/direct.xml']);
    expect((await loadFeedsFile(feedsFile())).feeds.at(-1)).toMatchObject({
      id: 'direct',
      intervalMinutes: 5,
    });
  });

  it('says-a-feed-is-already-present-without-fetching-it', async () => {
    await cli(['feeds', 'add', `${site.base}/direct.xml`]);
    site.hits.length = 0;
    const before = await readFile(feedsFile(), 'utf8');
    const { code, stdout } = await cli(['feeds', 'add', `${site.base}/direct.xml#again`]);
    expect(code).toBe(0);
    expect(stdout).toBe(`already present: ${site.base}/direct.xml#again (as 127-0-0-1-direct)\n`);
    expect(site.hits).toEqual([]);
    expect(await readFile(feedsFile(), 'utf8')).toBe(before);
  });

  it.each([
    {
      name: 'page-without-feeds-tries-the-common-paths',
      path: '/plain/',
      message:
        /^feeds add: http:\/\/127\.0\.0\.1:\d+\/plain\/: no feed found: the page announces no feed; tried 7 URL\(s\); first problem: .*\/feed: HTTP 404\n$/,
      hits: [
        '/plain/',
        '/feed',
        '/rss',
        '/rss.xml',
        '/feed.xml',
        '/atom.xml',
        '/index.xml',
        '/feeds/posts/default',
      ],
    },
    {
      name: 'announced-feed-that-is-gone',
      path: '/broken-announcer/',
      message:
        /^feeds add: .*\/broken-announcer\/: no feed found: the page announces 1 feed\(s\), none readable; tried 8 URL\(s\); first problem: .*\/gone\.xml: HTTP 404\n$/,
      hits: [
        '/broken-announcer/',
        '/gone.xml',
        '/feed',
        '/rss',
        '/rss.xml',
        '/feed.xml',
        '/atom.xml',
        '/index.xml',
        '/feeds/posts/default',
      ],
    },
    {
      name: 'url-that-is-not-found',
      path: '/missing',
      message: /^feeds add: .*\/missing: http: .*\/missing: HTTP 404\n$/,
      hits: ['/missing'],
    },
  ])('fails-with-one-line-naming-the-url-$name', async ({ path: urlPath, message, hits }) => {
    const { code, stdout, stderr } = await cli(['feeds', 'add', `${site.base}${urlPath}`]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(site.hits).toEqual(hits);
    expect(await readFile(feedsFile(), 'utf8')).toBe(INITIAL_FEEDS);
  });

  it('keeps-the-ssrf-guard-on-without-allow-private-networks', async () => {
    const { code, stderr } = await cli(['feeds', 'add', `${site.base}/direct.xml`], {
      ALLOW_PRIVATE_NETWORKS: 'false',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^feeds add: .*\/direct\.xml: http: .*refused to connect to 127\.0\.0\.1 .*private, local or reserved address; set ALLOW_PRIVATE_NETWORKS=true .*\n$/,
    );
    expect(site.hits).toEqual([]);
  });

  it.each([
    { name: 'bad-interval', args: ['--interval', '0'], message: /--interval.*1 to 1440/ },
    { name: 'bad-id', args: ['--id', 'Bad Id'], message: /--id.*lowercase/ },
  ])('rejects-a-$name-option', async ({ args, message }) => {
    const { code, stderr } = await cli(['feeds', 'add', `${site.base}/direct.xml`, ...args]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(site.hits).toEqual([]);
  });
});

describe('feeds import and export', () => {
  it('imports-an-opml-file-then-exports-what-imports-back-the-same', async () => {
    const opml = fixture('opml/feedly--subscriptions.opml');
    const first = await cli(['feeds', 'import', opml]);
    expect(first).toEqual({
      code: 0,
      stdout: `imported ${opml}: 4 added, 0 skipped (already present)\n`,
      stderr: '',
    });
    const again = await cli(['feeds', 'import', opml]);
    expect(again.stdout).toBe(`imported ${opml}: 0 added, 4 skipped (already present)\n`);

    const exported = await cli(['feeds', 'export']);
    expect(exported.code).toBe(0);
    const configured = (await loadFeedsFile(feedsFile())).feeds;
    expect(configured).toHaveLength(5);
    expect(configured[1]).toMatchObject({
      id: 'aljazeera-com-xml-rss-all',
      title: 'Al Jazeera – Breaking News, World News and Video from Al Jazeera',
      labels: ['Middle East'],
    });
    const fromExport = parseOpml(exported.stdout, 'export.opml').map((f) => ({
      url: f.url,
      title: f.title,
      labels: f.labels,
    }));
    expect(fromExport).toEqual(
      expect.arrayContaining(
        configured.map((f) => ({ url: f.url, title: f.title ?? f.id, labels: f.labels })),
      ),
    );
    expect(fromExport).toHaveLength(5);

    // The export, imported into an empty configuration, gives the same feeds back.
    const exportFile = path.join(dir, 'export.opml');
    await writeFile(exportFile, exported.stdout);
    await writeFile(feedsFile(), '# fresh\nfeeds: []\n');
    expect((await cli(['feeds', 'import', exportFile])).stdout).toMatch(/: 5 added, 0 skipped/);
    const reimported = (await loadFeedsFile(feedsFile())).feeds;
    expect(reimported.map((f) => [f.url, f.title, f.labels])).toEqual(
      expect.arrayContaining(configured.map((f) => [f.url, f.title ?? f.id, f.labels])),
    );
  });

  it('reports-a-file-that-is-not-opml-in-one-line', async () => {
    const notOpml = fixture('feeds/127.0.0.1--gaza-ceasefire.xml');
    const { code, stdout, stderr } = await cli(['feeds', 'import', notOpml]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`feeds import: config: ${notOpml}: root element is <rss>, not <opml>\n`);
  });

  it('skips-non-web-urls-with-a-line-each', async () => {
    const file = path.join(dir, 'odd.opml');
    await writeFile(
      file,
      '<opml><body><outline text="x" xmlUrl="javascript:alert(1)"/><outline text="ok" xmlUrl="https://example.org/rss"/></body></opml>',
    );
    const { code, stdout, stderr } = await cli(['feeds', 'import', file]);
    expect(code).toBe(1);
    expect(stdout).toBe(`imported ${file}: 1 added, 0 skipped (already present)\n`);
    expect(stderr).toBe(`feeds import: ${file}: skipped "javascript:alert(1)": not an http(s) URL\n`);
  });
});

describe('feeds status', () => {
  it('prints-one-aligned-line-per-feed-with-score-and-next-poll', async () => {
    await writeFile(feedsFile(), `${INITIAL_FEEDS}  - id: never-polled\n    url: ${site.base}/direct.xml\n`);
    // The state a day of failures leaves behind, written the way the refresh step writes it.
    const db = await openDb({ dataDir: path.join(dir, 'data', 'pglite') });
    await migrate(db);
    await upsertFeeds(db, (await loadFeedsFile(feedsFile())).feeds);
    const now = Date.now();
    await recordFeedFailure(db, 'closed-port', {
      error: 'http: http://127.0.0.1:1/rss.xml: connection refused by 127.0.0.1 (ECONNREFUSED)',
      at: new Date(now).toISOString(),
      score: 6,
      nextPollAt: new Date(now + 5 * 3_600_000 - 60_000).toISOString(),
    });
    // The never-polled feed's one article fell back to the feed's text: the page was too slow.
    const article = (n: number, source: 'page' | 'feed') => ({
      feedId: 'never-polled',
      url: `https://example.org/a${n}`,
      canonicalUrl: `https://example.org/a${n}`,
      title: `Article ${n}`,
      byline: null,
      lang: 'en',
      text: 'Talks resumed in Cairo.',
      published: null,
      fetchedAt: new Date(now - n * 60_000).toISOString(),
      source,
      sourceReason: source === 'feed' ? 'extract: https://example.org/a1: took longer than 10000 ms' : null,
      tags: { relevant: false, actors: [], phases: [], mentions: [] },
    });
    await upsertArticle(db, article(1, 'feed'));
    await upsertArticle(db, article(2, 'page'));
    await db.close();

    const { code, stdout } = await cli(['feeds']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ID +STATUS +LAST SUCCESS +SCORE +NEXT POLL +FEED TEXT +LAST PROBLEM$/);
    expect(lines[1]).toMatch(
      /^closed-port +failing \(sustained\) +never +6\/6 +in 4 h +- +http: http:\/\/127\.0\.0\.1:1\/rss\.xml: connection refused by 127\.0\.0\.1 \(ECONNREFUSED\)$/,
    );
    // A busy machine or a blocking site shows: 1 of its 2 latest articles used the feed's text, and why.
    expect(lines[2]).toMatch(
      /^never-polled +new +never +0 +due +1\/2 +feed text used: extract: https:\/\/example\.org\/a1: took longer than 10000 ms$/,
    );
    // Aligned: every column starts at the same offset on every line.
    const columnStart = (line: string, n: number) => {
      const gap = [...line.matchAll(/ {2,}(?=\S)/g)][n - 1];
      return gap ? (gap.index ?? 0) + gap[0].length : -1;
    };
    for (const n of [1, 2, 3, 4, 5, 6]) {
      expect(new Set(lines.map((l) => columnStart(l, n))).size, `column ${n + 1}`).toBe(1);
    }
  });
});
