/**
 * `alerts test` as a person runs it: the real program (in-process, its clock fixed at NOW so that
 * `--since` windows over stored 2025 articles are the same on every run), a real config directory and
 * an embedded PGlite holding two stored articles.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { seedDataDir } from '../helpers/pglite-template.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaggedArticleSchema } from '../../src/model.ts';
import type { TaggedArticle } from '../../src/model.ts';
import { upsertArticle } from '../../src/store/articles.ts';
import { openDb } from '../../src/store/db.ts';
import { upsertFeeds } from '../../src/store/feeds.ts';
import { migrate } from '../../src/store/migrations.ts';
import { projectRoot } from '../helpers/pipeline-setup.ts';
import { cliInProcess } from '../helpers/run-cli.ts';

const NOW = '2025-12-20T12:00:00.000Z';

let dir: string;
let env: Record<string, string>;

const cli = (args: string[]) => cliInProcess(args, { env, now: () => new Date(NOW) });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cw-alerts-cli-'));
  seedDataDir(path.join(dir, 'data'));
  await writeFile(
    path.join(dir, 'feeds.yaml'),
    'feeds:\n  - id: seed\n    url: https://www.example.com/rss\n  - id: other\n    url: https://www.example.org/rss\n',
  );
  await writeFile(
    path.join(dir, 'alerts.yaml'),
    [
      'rules:',
      '  - id: miami',
      '    when: actor:steve-witkoff "Miami summit"',
      '    channels: [slack]',
      '  - id: rafah',
      '    when: Rafah NEAR/2 reopen',
      '    relevantOnly: false',
      '    channels: [email]',
    ].join('\n'),
  );
  env = {
    CONFIG_DIR: dir,
    WATCHLIST: path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'),
    DATA_DIR: path.join(dir, 'data'),
    DATABASE_URL: '',
    CW_TEST_NOW: NOW,
  };
  const seed: TaggedArticle = TaggedArticleSchema.parse(
    JSON.parse(await readFile(path.join(projectRoot, 'tests/fixtures/alerts/seed-tagged.json'), 'utf8')),
  );
  const db = await openDb({ databaseUrl: undefined, dataDir: path.join(dir, 'data', 'pglite') });
  try {
    await migrate(db);
    await upsertFeeds(db, [
      { id: 'seed', url: 'https://www.example.com/rss', labels: [], intervalMinutes: 15 },
      { id: 'other', url: 'https://www.example.org/rss', labels: [], intervalMinutes: 15 },
    ]);
    await upsertArticle(db, { ...seed, published: '2025-12-19T09:00:00.000Z' });
    await upsertArticle(db, {
      ...seed,
      feedId: 'other',
      url: 'https://www.example.org/rafah',
      canonicalUrl: 'https://www.example.org/rafah',
      title: 'Crossing to reopen',
      text: 'Egypt said the Rafah crossing would reopen on Sunday.',
      published: '2025-12-15T09:00:00.000Z',
      tags: { relevant: false, actors: [], phases: [], mentions: [] },
    });
  } finally {
    await db.close();
  }
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('alerts test', () => {
  it('rule-id-shows-what-fired-and-why', async () => {
    const { code, stdout, stderr } = await cli(['alerts', 'test', 'miami', '--since', '2d']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('FIRES  2025-12-19T09:00:00.000Z  seed  Witkoff to hold Miami talks');
    expect(stdout).toContain('- actor: steve-witkoff: "');
    expect(stdout).toContain('- keyword: "Miami summit" in text');
    expect(stdout).toContain(
      'rule miami (slack) would have fired on 1 of 1 articles since 2025-12-18T12:00:00.000Z',
    );
  });

  it.each([
    {
      name: 'window-too-short',
      since: '2d',
      expected: 'rule rafah (email) would have fired on 0 of 1 articles',
    },
    {
      name: 'window-long-enough',
      since: '1w',
      expected: 'rule rafah (email) would have fired on 1 of 2 articles',
    },
  ])('since-$name', async ({ since, expected }) => {
    const { code, stdout } = await cli(['alerts', 'test', 'rafah', '--since', since]);
    expect(code).toBe(0);
    expect(stdout).toContain(expected);
  });

  it('a-single-word-is-tried-with-when', async () => {
    const { code, stdout } = await cli(['alerts', 'test', '--when', 'summit', '--since', '1w']);
    expect(code).toBe(0);
    expect(stdout).toContain('rule command-line would have fired on 1 of 2 articles');
  });

  it('expression-with-misses', async () => {
    const { code, stdout } = await cli([
      'alerts',
      'test',
      'feed:other OR "Board of Peace"',
      '--since',
      '1w',
      '--misses',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('no     2025-12-19T09:00:00.000Z  seed');
    expect(stdout).toContain('- none of feed:other OR "Board of Peace"');
    // The other article is not relevant and an ad-hoc rule keeps relevantOnly.
    expect(stdout).toContain('- the article is not relevant to the watchlist');
    expect(stdout).toContain('rule command-line would have fired on 0 of 2 articles');
  });

  it.each([
    {
      name: 'bad-expression-names-column',
      args: ['alerts', 'test', 'talks && Miami'],
      expected: 'alerts test: config: rule command-line: when: column 7: unknown operator "&&": write AND\n',
    },
    {
      // A typo of a rule id is not a search for the word: it says so, names the rules and the closest.
      name: 'unknown-rule-id-is-an-error',
      args: ['alerts', 'test', 'no-such-rule'],
      expected: 'no rule "no-such-rule"; rules: miami, rafah. To try an expression, use --when',
    },
    {
      name: 'rule-id-typo-suggests-the-rule',
      args: ['alerts', 'test', 'rafha'],
      expected: 'no rule "rafha" (did you mean "rafah"?); rules: miami, rafah.',
    },
    {
      name: 'bad-duration',
      args: ['alerts', 'test', 'miami', '--since', 'two days'],
      expected:
        "option '--since <duration>' argument 'two days' is invalid. a duration such as 30m, 12h, 2d or 1w",
    },
  ])('$name', async ({ args, expected }) => {
    const { code, stderr } = await cli(args);
    expect(code).not.toBe(0);
    expect(stderr).toContain(expected);
  });
});
