import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.ts';
import { parseWatchlist } from '../../src/tagging/watchlist.ts';
import { projectRoot, watchlist, watchlistText } from './shipped-watchlist.ts';

const taxonomyPath = path.resolve(projectRoot, '../shared/datasets/tagging/taxonomy.json');

describe('shipped watchlist', () => {
  const taxonomy = JSON.parse(readFileSync(taxonomyPath, 'utf8')) as {
    actors: { id: string; kind: string }[];
    phases: { id: string }[];
  };

  it('covers every taxonomy actor with its kind', () => {
    const kinds = new Map(watchlist.actors.map((a) => [a.id, a.kind]));
    expect(taxonomy.actors).toHaveLength(43);
    for (const actor of taxonomy.actors) expect(kinds.get(actor.id), actor.id).toBe(actor.kind);
    expect(watchlist.actors).toHaveLength(taxonomy.actors.length);
  });

  it('covers every taxonomy phase', () => {
    expect(watchlist.phases.map((p) => p.id).sort()).toEqual(taxonomy.phases.map((p) => p.id).sort());
  });

  it('gives every state a demonym and a capital', () => {
    for (const actor of watchlist.actors.filter((a) => a.kind === 'state')) {
      expect(actor.demonyms.length, actor.id).toBeGreaterThan(0);
      expect(actor.capitals.length, actor.id).toBeGreaterThan(0);
    }
  });
});

describe('parseWatchlist errors', () => {
  const file = 'config/watchlists/broken.yaml';
  const errorOf = (yamlText: string): PipelineError => {
    try {
      parseWatchlist(yamlText, file);
    } catch (error) {
      if (error instanceof PipelineError) return error;
      throw error;
    }
    throw new Error('parseWatchlist accepted an invalid watchlist');
  };

  it.each([
    {
      name: 'yaml-syntax-error',
      yamlText: 'version: 1\nid: x\nactors: [\n  - id: a\n',
      expected: /^config: config\/watchlists\/broken\.yaml: line \d+: /,
    },
    {
      name: 'wrong-type-names-line-and-key-path',
      yamlText: watchlistText.replace('  - id: steve-witkoff\n', '  - id: Steve Witkoff\n'),
      line: watchlistText.split('\n').indexOf('  - id: steve-witkoff') + 1,
      expected: /actors\[1\]\.id: id: lowercase letters/,
    },
    {
      name: 'unknown-key',
      yamlText: watchlistText.replace('    kind: person\n', '    kind: person\n    alias: Trump\n'),
      expected: /actors\[0\]: Unrecognized key: "alias"/,
    },
    {
      name: 'unknown-implied-actor',
      yamlText: watchlistText.replace(
        'impliedByActors: [board-of-peace,',
        'impliedByActors: [board-of-piece,',
      ),
      expected: /phases\[1\]\.impliedByActors\[0\]: unknown actor "board-of-piece"/,
    },
    {
      name: 'office-date-not-iso',
      yamlText: watchlistText.replace("from: '2023-06-04'", "from: '4 June 2023'"),
      line: watchlistText.split('\n').findIndex((l) => l.includes("from: '2023-06-04'")) + 1,
      expected: /actors\[\d+\]\.offices\[0\]\.from: date: YYYY-MM-DD/,
    },
    {
      name: 'office-ends-before-it-starts',
      yamlText: watchlistText.replace("from: '2023-06-04'", "from: '2023-06-04'\n        to: '2020-01-01'"),
      line: watchlistText.split('\n').findIndex((l) => l.includes("from: '2023-06-04'")) + 2,
      expected: /offices\[0\]\.to: to: must be after from/,
    },
    {
      name: 'office-without-titles',
      yamlText: watchlistText.replace(
        '      - titles: [US vice president, U.S. vice president, American vice president]\n',
        '      - titles: []\n',
      ),
      expected: /offices\[0\]\.titles: /,
    },
    {
      name: 'unknown-case-rule',
      yamlText: watchlistText.replace(
        '  - id: steve-witkoff\n',
        '  - id: steve-witkoff\n    case: shouting\n',
      ),
      line: watchlistText.split('\n').indexOf('  - id: steve-witkoff') + 2,
      expected: /actors\[1\]\.case: /,
    },
    {
      name: 'phases-from-not-a-date',
      yamlText: watchlistText.replace("phasesFrom: '2025-10-09'", 'phasesFrom: soon'),
      line: watchlistText.split('\n').findIndex((l) => l.startsWith('phasesFrom:')) + 1,
      expected: /phasesFrom: date: YYYY-MM-DD/,
    },
    {
      name: 'duplicate-key',
      yamlText: 'version: 1\nversion: 1\n',
      expected: /line 2: /,
    },
  ])('$name', ({ yamlText, expected, line }) => {
    const error = errorOf(yamlText);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.stage).toBe('config');
    expect(error.culprit).toBe(file);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(expected);
    if (line !== undefined) expect(error.message).toContain(`line ${line}:`);
  });

  it('reads offices, short names and dated phase names', () => {
    const fidan = watchlist.actors.find((a) => a.id === 'hakan-fidan');
    expect(fidan?.offices[0]).toMatchObject({ from: '2023-06-04' });
    expect(fidan?.offices[0]?.to).toBeUndefined();
    expect(watchlist.actors.find((a) => a.id === 'israel-katz')?.afterFullName).toEqual(['Katz']);
    expect(watchlist.phases.find((p) => p.id === 'phase-2')?.datedNames[0]?.publishedFrom).toBe('2025-10-09');
  });

  it('accepts the shipped file and fills defaults', () => {
    const parsed = parseWatchlist(watchlistText, 'gaza-ceasefire.yaml');
    const phase3 = parsed.phases.find((p) => p.id === 'phase-3');
    expect(phase3?.elements).toEqual([]);
    expect(parsed.relevance.minShare).toBeCloseTo(0.33);
  });
});
