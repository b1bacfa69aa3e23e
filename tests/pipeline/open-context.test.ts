/**
 * openContext's reading of the config files: a missing, invalid or inconsistent file stops the start
 * with one line per problem; while running, files that stop agreeing keep the last version that did.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.ts';
import { openContext } from '../../src/pipeline/open-context.ts';
import { freshDataDir } from '../helpers/pglite-template.ts';

const watchlistYaml = (hamasId = 'hamas') =>
  [
    'version: 1',
    'id: mini',
    'vocabulary: { governmentNouns: [government], governmentVerbs: [said] }',
    'actors:',
    `  - { id: ${hamasId}, name: Hamas, kind: organization, aliases: [Hamas] }`,
    '  - { id: steve-witkoff, name: Steve Witkoff, kind: person, aliases: [Steve Witkoff] }',
    'phases:',
    '  - { id: phase-1, name: Phase one, names: [first phase] }',
    '  - { id: phase-2, name: Phase two, names: [second phase] }',
    'phaseContext: [ceasefire]',
    'relevance: { anchors: [Gaza], topics: [ceasefire] }',
    '',
  ].join('\n');

const FEEDS_YAML = [
  'feeds:',
  '  - id: times-of-israel',
  '    url: https://www.timesofisrael.com/feed/',
  '  - id: bbc-middle-east',
  '    url: https://feeds.bbci.co.uk/news/world/middle_east/rss.xml',
  '',
].join('\n');

const alertsYaml = (hamasId = 'hamas') =>
  ['rules:', '  - id: hamas-talks', `    actors: [${hamasId}]`, '    channels: [slack]', ''].join('\n');

let dir: string;
let dataDir: string | null;
let lines: string[];
const log = () => pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
const file = (name: string) => path.join(dir, name);
const settings = () =>
  loadSettings({ CONFIG_DIR: dir, WATCHLIST: 'watchlists/mini.yaml', DATA_DIR: dataDir ?? dir });

/** Written as editors do: a new file renamed over the old, so the change is seen at once. */
async function replace(name: string, text: string): Promise<void> {
  await writeFile(`${file(name)}.tmp`, text);
  await rename(`${file(name)}.tmp`, file(name));
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cw-open-context-'));
  await mkdir(file('watchlists'));
  dataDir = null;
  lines = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('openContext at start', () => {
  it.each([
    {
      name: 'every-missing-file-on-its-own-line-with-how-to-create-it',
      files: {},
      expected: [
        'config: {dir}/feeds.yaml: not found; create it with `npm run cli -- feeds add <feed URL>`, or set CONFIG_DIR to a directory that has one (the repository ships config/feeds.yaml)',
        'config: {dir}/alerts.yaml: not found; create it with the line `rules: []` (rules: README "Alert rules"), or set CONFIG_DIR to a directory that has one (the repository ships config/alerts.yaml)',
        'config: {dir}/watchlists/mini.yaml: not found; set WATCHLIST to a watchlist YAML, relative to CONFIG_DIR or absolute (the repository ships config/watchlists/gaza-ceasefire.yaml)',
      ],
    },
    {
      name: 'rules-naming-unknown-actor-phase-and-feed',
      files: {
        'alerts.yaml': [
          'rules:',
          '  - id: envoys',
          '    actors: [steve-witkof]',
          '    channels: [slack]',
          '  - id: israeli-press',
          '    feeds: [times-of-isreal]',
          '    when: actor:hamaz NOT phase:phase-3',
          '    channels: [email]',
          '',
        ].join('\n'),
      },
      expected: [
        'config: {dir}/alerts.yaml:3: rules.0.actors.0: rule envoys: actor "steve-witkof" is not in the watchlist (did you mean "steve-witkoff"?)',
        'config: {dir}/alerts.yaml:6: rules.1.feeds.0: rule israeli-press: feed "times-of-isreal" is not in feeds.yaml (did you mean "times-of-israel"?)',
        'config: {dir}/alerts.yaml:7: rules.1.when: rule israeli-press: column 1: actor "hamaz" is not in the watchlist (did you mean "hamas"?)',
        'config: {dir}/alerts.yaml:7: rules.1.when: rule israeli-press: column 17: phase "phase-3" is not in the watchlist (did you mean "phase-1"?)',
      ],
    },
    {
      name: 'duplicate-rule-id',
      files: {
        'alerts.yaml': `${alertsYaml()}  - id: hamas-talks\n    phases: [phase-2]\n    channels: [email]\n`,
      },
      expected: [
        'config: {dir}/alerts.yaml:5: rules.1.id: rule id "hamas-talks" appears twice (first at rules.0)',
      ],
    },
    {
      name: 'misspelt-key-in-feeds',
      files: {
        'feeds.yaml': FEEDS_YAML.replace(
          '  - id: bbc-middle-east',
          '  - id: bbc-middle-east\n    labelz: [uk]',
        ),
      },
      expected: ['config: {dir}/feeds.yaml:5: feeds.1: Unrecognized key: "labelz" (did you mean "labels"?)'],
    },
    {
      name: 'misspelt-key-in-the-watchlist',
      files: {
        'watchlists/mini.yaml': watchlistYaml().replace(
          'aliases: [Hamas]',
          'alias: [Hamas], aliases: [Hamas]',
        ),
      },
      expected: [
        'config: {dir}/watchlists/mini.yaml: line 5: actors[0]: Unrecognized key: "alias" (did you mean "aliases"?)',
      ],
    },
  ])('$name', async ({ files, expected }) => {
    const all: Record<string, string> = {
      'feeds.yaml': FEEDS_YAML,
      'alerts.yaml': alertsYaml(),
      'watchlists/mini.yaml': watchlistYaml(),
      ...files,
    };
    if (Object.keys(files).length > 0) {
      for (const [name, text] of Object.entries(all)) await writeFile(file(name), text);
    }
    const error = await openContext({ settings: settings(), log: log() }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error | null)?.message.split('\n')).toEqual(
      expected.map((line) => line.replaceAll('{dir}', dir)),
    );
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', permanent: true });
  });
});

describe('openContext while running', () => {
  it('keeps-the-last-version-that-agreed-until-the-files-agree-again', async () => {
    await writeFile(file('feeds.yaml'), FEEDS_YAML);
    await writeFile(file('alerts.yaml'), alertsYaml());
    await writeFile(file('watchlists/mini.yaml'), watchlistYaml());
    dataDir = freshDataDir();
    const ctx = await openContext({ settings: settings(), log: log() });
    try {
      expect(ctx.alerts.rules[0]?.actors).toEqual(['hamas']);

      // The actor is renamed in the watchlist first: the rule would name an actor that no longer exists.
      await replace('watchlists/mini.yaml', watchlistYaml('hamas-movement'));
      ctx.reloadConfig();
      ctx.reloadConfig();
      expect(ctx.names).toMatchObject({ hamas: 'Hamas' });
      expect(ctx.alerts.rules[0]?.actors).toEqual(['hamas']);
      const complaints = lines
        .map((l) => JSON.parse(l) as { msg: string; err?: string })
        .filter((l) => l.msg.startsWith('config files disagree'));
      expect(complaints).toHaveLength(1);
      expect(complaints[0]?.err).toBe(
        `config: ${file('alerts.yaml')}:3: rules.0.actors.0: rule hamas-talks: actor "hamas" is not in the watchlist (did you mean "hamas-movement"?)`,
      );

      // Then in alerts.yaml: both new versions are taken together.
      await replace('alerts.yaml', alertsYaml('hamas-movement'));
      ctx.reloadConfig();
      expect(ctx.alerts.rules[0]?.actors).toEqual(['hamas-movement']);
      expect(ctx.names).toMatchObject({ 'hamas-movement': 'Hamas' });
      expect(ctx.names).not.toHaveProperty('hamas');

      // A feed a rule names cannot be removed from under it.
      await replace(
        'alerts.yaml',
        alertsYaml('hamas-movement').replace('    channels', '    feeds: [bbc-middle-east]\n    channels'),
      );
      ctx.reloadConfig();
      await replace('feeds.yaml', FEEDS_YAML.split('  - id: bbc-middle-east')[0] ?? '');
      ctx.reloadConfig();
      expect([...ctx.feeds.keys()]).toEqual(['times-of-israel', 'bbc-middle-east']);
    } finally {
      await ctx.close();
    }
  });
});
