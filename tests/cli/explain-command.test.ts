/** `explain` as a person runs it: the real program (in-process) reading JSON lines on stdin. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInProcess } from '../helpers/run-cli.ts';
import { projectRoot } from '../tagging/shipped-watchlist.ts';

const watchlist = path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml');
const devPath = path.resolve(projectRoot, '../shared/datasets/tagging/dev.jsonl');

const cli = (args: string[], input: string) => cliInProcess(args, { input });

let dir: string;
let dev: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'explain-command-'));
  dev = await readFile(devPath, 'utf8');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('cli explain', () => {
  it('prints a readable report for one article', async () => {
    const { code, stdout } = await cli(['explain', '--watchlist', watchlist, '--id', 't023'], dev);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^article t023: not relevant — \d+\/\d+ text sentences on topic/);
    expect(lines).toContainEqual(expect.stringMatching(/^\+ actor israel {2}"Israel" \(alias\)/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^- actor united-states {2}refused: "U\.S\." before "credit"/),
    );
    expect(stdout).not.toContain('article t001');
  });

  it('prints one JSON explanation per line with --json', async () => {
    const input = [
      JSON.stringify({ id: 'a', title: '', text: 'Talks resumed in Cairo on Monday.' }),
      JSON.stringify({
        id: 'b',
        title: '',
        text: "Turkey's foreign minister arrived.",
        published: '2025-12-01',
      }),
    ].join('\n');
    const { code, stdout } = await cli(['explain', '--watchlist', watchlist, '--json'], input);
    expect(code).toBe(0);
    const [a, b] = stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            tags: { id: string; given: boolean; refused: { reason: string }[] }[];
          },
      );
    expect(a?.tags.find((t) => t.id === 'egypt')).toMatchObject({ given: false });
    expect(a?.tags.find((t) => t.id === 'egypt')?.refused[0]?.reason).toMatch(/is a place/);
    expect(b?.tags.find((t) => t.id === 'hakan-fidan')?.given).toBe(true);
  });

  it.each([
    {
      name: 'unknown-id',
      args: ['--id', 'nope'],
      input: JSON.stringify({ id: 'x', title: '', text: 'Hamas said.' }),
      stderr: /no article with id "nope"/,
    },
    { name: 'not-json', args: [], input: '{oops', stderr: /stdin line 1: not JSON/ },
    {
      name: 'no-text',
      args: [],
      input: JSON.stringify({ id: 'x', title: 't' }),
      stderr: /stdin line 1: needs/,
    },
  ])('reports a problem and exits 1: $name', async ({ args, input, stderr }) => {
    const result = await cli(['explain', '--watchlist', watchlist, ...args], input);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(stderr);
  });

  it('names the file and line of a broken watchlist', async () => {
    const broken = path.join(dir, 'broken.yaml');
    await writeFile(broken, 'version: 1\nid: Not A Slug\n');
    const result = await cli(['explain', '--watchlist', broken], '');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(broken);
    expect(result.stderr).toMatch(/line 2: id: /);
  });
});
