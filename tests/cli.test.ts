/**
 * The command line as a person (and the evaluation harnesses) run it: the real program in-process for
 * most cases, and real processes where the entry point itself is what is tested (the harness's
 * `npm run --silent cli` contract, exit codes, `npm start` without Redis).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { seedDataDir } from './helpers/pglite-template.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSite } from './helpers/local-servers.ts';
import { fixture, projectRoot } from './helpers/pipeline-setup.ts';
import { cliInProcess } from './helpers/run-cli.ts';

const run = promisify(execFile);
const tsx = path.join(projectRoot, 'node_modules/.bin/tsx');

/** The real process, for what only a process can show: stdout free of anything but JSON, exit codes. */
async function spawnCli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const child = run(tsx, ['src/cli.ts', ...args], {
    cwd: projectRoot,
    env: { ...process.env, LOG_LEVEL: 'silent', ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (opts.input !== undefined) {
    child.child.stdin?.end(opts.input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const cli = cliInProcess;

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('cli parse-feed', () => {
  const feedFile = fixture('feeds/127.0.0.1--gaza-ceasefire.xml');

  it('prints one JSON object per file with the contract fields, as a process', async () => {
    const { code, stdout } = await spawnCli([
      'parse-feed',
      feedFile,
      '--url',
      'https://example.org/world/rss.xml',
    ]);
    expect(code).toBe(0);
    const [line] = jsonLines(stdout);
    expect(line).toMatchObject({ file: feedFile, feed: { title: 'World News – Middle East' } });
    const items = line?.items as { title: string; link: string; published: string | null }[];
    expect(items).toHaveLength(5);
    expect(items[0]).toMatchObject({ published: '2025-12-19T09:00:00.000Z' });
    expect(Object.keys(items[0] ?? {})).toEqual(
      expect.arrayContaining(['title', 'link', 'id', 'published', 'summary', 'content']),
    );
  });

  it('answers every --stdin line, errors included, and exits 0', async () => {
    const input = [
      JSON.stringify({ file: feedFile, url: 'https://example.org/rss' }),
      JSON.stringify({ file: '/nonexistent/feed.xml' }),
      'not json',
    ].join('\n');
    const { code, stdout, stderr } = await cli(['parse-feed', '--stdin'], { input });
    expect(code).toBe(0);
    const lines = jsonLines(stdout);
    expect(lines).toHaveLength(3);
    expect(lines[0]?.items).toHaveLength(5);
    expect(lines[1]).toMatchObject({ file: '/nonexistent/feed.xml', error: expect.stringMatching(/ENOENT/) });
    expect(lines[2]).toMatchObject({ error: expect.stringMatching(/line 3: not JSON/) });
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('cli extract', () => {
  it('prints the contract fields for a page file', async () => {
    const file = fixture('pages/seed--witkoff-miami-talks-gaza-ceasefire.html');
    const { code, stdout } = await cli(['extract', file, '--url', 'https://example.org/2025/12/witkoff']);
    expect(code).toBe(0);
    const [line] = jsonLines(stdout);
    expect(line).toMatchObject({ file, url: 'https://example.org/2025/12/witkoff', lang: 'en' });
    expect(String(line?.title)).toContain('Witkoff');
    expect(String(line?.text)).toContain('international stabilization force');
    expect(String(line?.text)).not.toContain('All rights reserved');
    expect(Object.keys(line ?? {})).toEqual(expect.arrayContaining(['byline', 'published']));
  });

  describe('--url time limit', () => {
    /**
     * 10,000 sibling `<span>`s (130 KB, within extractArticle's structure limits, which refuse bigger
     * pages before parsing): about 34 s of extraction (measured), far past the 3 s limit below however
     * fast the machine.
     */
    const slowPage = `<html><head><title>Slow</title></head><body>${'<span></span>'.repeat(10_000)}<p>Mediators from Qatar and Egypt met in Cairo on the ceasefire.</p></body></html>`;
    let site: Awaited<ReturnType<typeof startFixtureSite>>;
    const env = { ALLOW_PRIVATE_NETWORKS: 'true' };

    beforeAll(async () => {
      const seedPage = await readFile(fixture('pages/seed--witkoff-miami-talks-gaza-ceasefire.html'));
      site = await startFixtureSite(() => ({ '/seed': { body: seedPage }, '/slow': { body: slowPage } }));
    });
    afterAll(() => site.close());

    it('extracts-a-page-within-the-default-limit', async () => {
      const { code, stdout } = await cli(['extract', '--url', `${site.base}/seed`], { env });
      expect(code).toBe(0);
      const [line] = jsonLines(stdout);
      expect(line).toMatchObject({ url: `${site.base}/seed`, lang: 'en' });
      expect(String(line?.text)).toContain('international stabilization force');
    });

    it('stops-a-page-past-the-limit-with-the-reason', { timeout: 15_000 }, async () => {
      const started = Date.now();
      const { code, stdout } = await cli(['extract', '--url', `${site.base}/slow`, '--time-limit', '3'], {
        env,
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(code).toBe(0);
      expect(jsonLines(stdout)).toEqual([
        {
          url: `${site.base}/slow`,
          error: expect.stringMatching(
            new RegExp(
              `^extract: ${site.base}/slow: stopped at the 3 s time limit for fetching and extracting the page \\(fetching took \\d+\\.\\d s\\); give more with --time-limit <seconds>$`,
            ),
          ),
        },
      ]);
    });

    it.each([
      { name: 'not-a-number', limit: 'soon' },
      { name: 'zero', limit: '0' },
    ])('refuses-a-time-limit-$name', async ({ limit }) => {
      const { code, stdout, stderr } = await cli(
        ['extract', '--url', `${site.base}/seed`, '--time-limit', limit],
        {
          env,
        },
      );
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(`extract: --time-limit ${limit}: a number of seconds, e.g. 30`);
    });
  });

  it('refuses a private-network URL through the guarded client, without connecting', async () => {
    const { code, stdout } = await cli(['extract', '--url', 'http://169.254.169.254/latest/meta-data/']);
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toEqual([
      {
        url: 'http://169.254.169.254/latest/meta-data/',
        error: expect.stringMatching(/refus|forbidden|private/i),
      },
    ]);
  });
});

describe('cli tag', () => {
  it('tags the seed article with phase-2 and its actors', async () => {
    const seed = JSON.parse(await readFile(fixture('tagging/seed.json'), 'utf8')) as {
      title: string;
      text: string;
    };
    const input = [
      JSON.stringify({ id: 'seed', title: seed.title, text: seed.text }),
      JSON.stringify({
        id: 'bird',
        title: 'How to roast a turkey',
        text: 'Brine the turkey overnight, then roast it for four hours.',
      }),
      '{"id": "broken"',
    ].join('\n');
    const { code, stdout } = await cli(['tag'], { input });
    expect(code).toBe(0);
    const [seedLine, birdLine, brokenLine] = jsonLines(stdout);
    expect(seedLine).toMatchObject({ id: 'seed', relevant: true, phases: ['phase-2'] });
    expect(seedLine?.actors).toEqual(
      expect.arrayContaining(['steve-witkoff', 'qatar', 'turkey', 'hakan-fidan']),
    );
    const mention = (seedLine?.mentions as { start: number; end: number; text: string }[])[0];
    expect(mention?.end).toBeGreaterThan(mention?.start ?? 0);
    expect(birdLine).toMatchObject({ id: 'bird', relevant: false, actors: [], phases: [] });
    expect(brokenLine).toMatchObject({ id: null, error: expect.stringMatching(/line 3/) });
  });
});

describe('cli run --once and digest', () => {
  let env: Record<string, string>;
  let dir: string;

  afterAll(() => rm(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cw-cli-'));
    seedDataDir(path.join(dir, 'data'));
    await writeFile(
      path.join(dir, 'feeds.yaml'),
      // Port 1 on loopback: connection refused at once, no traffic leaves the machine.
      'feeds:\n  - id: closed-port\n    url: http://127.0.0.1:1/rss.xml\n',
    );
    await writeFile(
      path.join(dir, 'alerts.yaml'),
      'rules: []\ndigest:\n  time: "06:30"\n  timezone: Asia/Jerusalem\n',
    );
    env = {
      CONFIG_DIR: dir,
      WATCHLIST: path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'),
      DATA_DIR: path.join(dir, 'data'),
      DIGEST_DIR: path.join(dir, 'digests'),
      ALLOW_PRIVATE_NETWORKS: 'true',
      RETRY_BACKOFF_MS: '100',
    };
  });

  it('completes with a summary table, one line per failing feed, and exit code 4 when nothing was fetched', async () => {
    const { code, stdout } = await cli(['run', '--once'], { env });
    expect(code).toBe(4);
    expect(stdout).toMatch(/feeds.*new items.*extracted.*tagged.*stored.*alerted.*failed/s);
    expect(stdout).toContain('0/1');
    expect(stdout).toMatch(
      /^feed failed: http: http:\/\/127\.0\.0\.1:1\/rss\.xml: connection refused by 127\.0\.0\.1 \(ECONNREFUSED\)$/m,
    );
  });

  it('writes the digest as Markdown and HTML', async () => {
    const { code, stdout } = await cli(['digest', '--date', '2025-12-19'], { env });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^digest 2025-12-19: 0 articles/);
    expect((await readdir(env.DIGEST_DIR ?? '')).sort()).toEqual([
      'digest-2025-12-19.html',
      'digest-2025-12-19.json',
      'digest-2025-12-19.md',
    ]);
  });

  it.each([
    {
      name: 'reprocess-nothing-yet',
      args: ['reprocess', '--since', '2025-12-01'],
      code: 0,
      out: /^reprocessed 0 articles since 2025-12-01T00:00:00.000Z: /m,
    },
    { name: 'reprocess-bad-date', args: ['reprocess', '--since', 'last tuesday'], code: 2, out: /^$/ },
  ])('$name', async ({ args, code, out }) => {
    const result = await cli(args, { env });
    expect(result.code).toBe(code);
    expect(result.stdout).toMatch(out);
    if (code !== 0) expect(result.stderr).toMatch(/--since last tuesday: not a date/);
  });

  it('writes a weekly digest beside the daily one', async () => {
    const { code, stdout } = await cli(['digest', '--date', '2025-12-21', '--weekly'], { env });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^digest 2025-12-21: 0 articles → .*digest-week-2025-12-21\.md/);
    expect(await readdir(env.DIGEST_DIR ?? '')).toContain('digest-week-2025-12-21.json');
  });

  it('names the file and line of a malformed config and exits non-zero', async () => {
    await writeFile(
      path.join(env.CONFIG_DIR ?? '', 'alerts.yaml'),
      'rules:\n  - id: Bad Id\n    channels: [slack]\n',
    );
    const { code, stderr } = await cli(['digest', '--date', '2025-12-19'], { env });
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^ceasefire-watch: config: .*alerts\.yaml:2: rules\.0\.id: rule id: /);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('cli as a process', () => {
  it('exits with the code the command set: a usage error is 2, said in one line and a hint', async () => {
    const { code, stdout, stderr } = await spawnCli(['reprocess', '--since', 'last tuesday']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'reprocess: --since last tuesday: not a date (e.g. 2025-12-01)',
      '(run with --help for usage)',
    ]);
  });
});

describe('cli commands', () => {
  it.each([
    { name: 'alerts-test', args: ['alerts', 'test', '--help'], expected: /--since/ },
    { name: 'explain', args: ['explain', '--help'], expected: /--watchlist/ },
    { name: 'feeds-add', args: ['feeds', 'add', '--help'], expected: /--interval/ },
  ])('$name is registered', async ({ args, expected }) => {
    const { code, stdout } = await cli(args);
    expect(code).toBe(0);
    expect(stdout).toMatch(expected);
  });
});

describe('npm start without Redis', () => {
  it('exits non-zero with one line saying so and how to get one', async () => {
    const result = await run(tsx, ['workers/all.ts'], {
      cwd: projectRoot,
      env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^ceasefire-watch: queue: redis:\/\/127\.0\.0\.1:1: Redis is unreachable .*docker compose up -d redis/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
