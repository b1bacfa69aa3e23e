import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { reloadingFile } from '../../src/config/reloading-file.ts';
import { parseFeedsFile } from '../../src/config/load-config.ts';

const feeds = (...ids: string[]) =>
  `feeds:\n${ids.map((id) => `  - id: ${id}\n    url: https://example.org/${id}.xml\n`).join('')}`;

describe('reloadingFile', () => {
  it('re-reads a changed file, keeps the last good version of a broken one, and recovers', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cw-reload-'));
    const file = path.join(dir, 'feeds.yaml');
    await writeFile(file, feeds('a'));
    let clock = 0;
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const watched = reloadingFile(file, parseFeedsFile, {
      kind: 'feeds',
      log,
      minCheckMs: 1_000,
      now: () => clock,
    });
    const ids = () => watched.current().feeds.map((f) => f.id);
    expect(ids()).toEqual(['a']);

    // Written the way editors and `cli feeds add` do: a new file renamed over the old one.
    await writeFile(`${file}.tmp`, feeds('a', 'b'));
    await rename(`${file}.tmp`, file);
    expect(ids()).toEqual(['a']); // not checked again within a second
    clock += 1_000;
    expect(ids()).toEqual(['a', 'b']);
    expect(watched.version()).toBe(2);

    await writeFile(file, 'feeds:\n  - id: Bad Id\n');
    clock += 1_000;
    expect(ids()).toEqual(['a', 'b']);
    clock += 1_000;
    expect(ids()).toEqual(['a', 'b']);
    const complaints = lines.filter((l) => l.includes('config file invalid'));
    expect(complaints).toHaveLength(1);
    expect(complaints[0]).toContain('feeds.yaml:2');

    await writeFile(file, feeds('c'));
    clock += 1_000;
    expect(ids()).toEqual(['c']);
    expect(watched.version()).toBe(3);
  });

  it('says-in-one-line-that-a-deleted-file-is-missing-and-how-to-create-it-keeping-the-last-version', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cw-reload-'));
    const file = path.join(dir, 'feeds.yaml');
    await writeFile(file, feeds('a'));
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const watched = reloadingFile(file, parseFeedsFile, { kind: 'feeds', log });

    await rm(file);
    watched.check();
    watched.check();
    expect(watched.current().feeds.map((f) => f.id)).toEqual(['a']);
    const complaints = lines.map((l) => JSON.parse(l) as { msg: string; err?: string }).filter((l) => l.err);
    expect(complaints).toHaveLength(1);
    expect(complaints[0]).toMatchObject({
      msg: 'config file unreadable; keeping the last good version',
      err: `config: ${file}: not found; create it with \`npm run cli -- feeds add <feed URL>\`, or set CONFIG_DIR to a directory that has one (the repository ships config/feeds.yaml)`,
    });
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses-a-missing-file-at-start-in-one-line', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cw-reload-'));
    const file = path.join(dir, 'alerts.yaml');
    const log = pino({ level: 'silent' });
    expect(() => reloadingFile(file, parseFeedsFile, { kind: 'alerts', log })).toThrow(
      `config: ${file}: not found; create it with the line \`rules: []\``,
    );
    await rm(dir, { recursive: true, force: true });
  });
});
