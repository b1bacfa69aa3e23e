/**
 * `cli serve` as a real process over an embedded database that `run --once` would have filled: it
 * serves the dashboard on the port it is given, and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.ts';
import { freePort } from '../helpers/local-servers.ts';
import { projectRoot } from '../helpers/pipeline-setup.ts';
import { seedDataDir } from '../helpers/pglite-template.ts';
import { cliInProcess } from '../helpers/run-cli.ts';
import { seedStories } from '../helpers/seed-stories.ts';

describe('cli serve', () => {
  let env: Record<string, string>;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cw-serve-'));
    const db = await openDb({ dataDir: seedDataDir(path.join(dir, 'data')) });
    await seedStories(db);
    await db.close();
    await writeFile(
      path.join(dir, 'feeds.yaml'),
      'feeds:\n  - id: wire\n    url: https://wire.example/rss\n',
    );
    await writeFile(path.join(dir, 'alerts.yaml'), 'rules: []\n');
    env = {
      CONFIG_DIR: dir,
      WATCHLIST: path.join(projectRoot, 'config/watchlists/gaza-ceasefire.yaml'),
      DATA_DIR: path.join(dir, 'data'),
      LOG_LEVEL: 'silent',
    };
  });

  const children: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('serves the stories of the embedded database until SIGTERM', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const child = spawn(path.join(projectRoot, 'node_modules/.bin/tsx'), ['src/cli.ts', 'serve'], {
      cwd: projectRoot,
      env: { ...process.env, ...env, PORT: String(port) },
    });
    children.push(child);
    let stdout = '';
    const listening = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('dashboard on')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening`)));
    });
    await listening;
    expect(stdout).toBe(`dashboard on http://127.0.0.1:${port}/ (Ctrl-C stops it)\n`);

    const page = await (await fetch(`http://127.0.0.1:${port}/?q=Rafah`)).text();
    expect(page).toContain('1 story, best match first');
    expect(page).toContain('Rafah crossing reopens &lt;img src=x onerror=alert(1)&gt;');
    // Names come from the configured watchlist.
    expect(page).toContain('Steve Witkoff (1)');

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('says in one line why it cannot serve', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const busy = await cliInProcess(['serve'], { env: { ...env, PORT: String(port) } });
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`^serve: 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\n$`));
    } finally {
      blocker.close();
    }
    const exposed = await cliInProcess(['serve'], { env: { ...env, HOST: '0.0.0.0' } });
    expect(exposed.code).not.toBe(0);
    expect(exposed.stderr).toMatch(/HOST: 0\.0\.0\.0 is not loopback: set DASHBOARD_TOKEN/);
  });
});
