/**
 * Once per `vitest run`: an embedded PGlite database with every migration applied, kept as a
 * template directory that tests copy instead of creating a database each time. Creating one costs
 * 3–7 s on two cores (PGlite runs initdb); copying the 40 MB directory and opening it, under 1 s.
 * The template is keyed by the migrations, so a new migration makes a new template; a copy still runs
 * migrate() when opened, so a stale one could only cost time, never correctness.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDb } from '../src/store/db.ts';
import { migrate, migrations } from '../src/store/migrations.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite data directory to copy (see tests/helpers/pglite-template.ts). */
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const key = createHash('sha256').update(JSON.stringify(migrations)).digest('hex').slice(0, 16);
  const template = path.join(os.tmpdir(), `cw-pglite-template-${key}`);
  if (!existsSync(template)) {
    // Built beside, then renamed into place: a run interrupted halfway never leaves half a template.
    const building = mkdtempSync(`${template}-building-`);
    const db = await openDb({ dataDir: path.join(building, 'pglite') });
    await migrate(db);
    await db.close();
    try {
      renameSync(building, template);
    } catch {
      // Another run made it meanwhile: use theirs.
      rmSync(building, { recursive: true, force: true });
    }
  }
  project.provide('pgliteTemplate', path.join(template, 'pglite'));
}
