/**
 * Fresh embedded databases for tests, copied from the migrated template that tests/global-setup.ts
 * makes once per run: a copy and an open take under a second where creating a PGlite database takes
 * several.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';

/** Puts a migrated database at `<dataDir>/pglite`, where openContext looks for it. */
export function seedDataDir(dataDir: string): string {
  const dir = path.join(dataDir, 'pglite');
  cpSync(inject('pgliteTemplate'), dir, { recursive: true });
  return dir;
}

/** A new PGlite data directory holding a migrated database (`public` schema). */
export function freshPgliteDir(): string {
  return seedDataDir(mkdtempSync(path.join(os.tmpdir(), 'cw-pglite-')));
}

/**
 * A new DATA_DIR whose `pglite/` is such a database: what openContext opens when DATABASE_URL is
 * unset, as `run --once` and the CLI do.
 */
export function freshDataDir(): string {
  return path.dirname(freshPgliteDir());
}
