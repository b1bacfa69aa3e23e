/**
 * Reads the files of `config/` from disk and validates them; with reloading-file.ts, the only config
 * code that does I/O.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { configInvalid, describeError, type PipelineError } from '../errors.ts';
import { AlertsFileSchema, FeedsFileSchema, type AlertsFile, type FeedsFile } from './schemas.ts';
import { parseYamlConfig } from './parse-yaml-config.ts';
import type { Settings } from './settings.ts';

export type ConfigFileKind = 'feeds' | 'alerts' | 'watchlist';

/** What to do about a missing file: the way to make one differs per file. */
const HOW_TO_CREATE: Record<ConfigFileKind, string> = {
  feeds:
    'create it with `npm run cli -- feeds add <feed URL>`, or set CONFIG_DIR to a directory that has one (the repository ships config/feeds.yaml)',
  alerts:
    'create it with the line `rules: []` (rules: README "Alert rules"), or set CONFIG_DIR to a directory that has one (the repository ships config/alerts.yaml)',
  watchlist:
    'set WATCHLIST to a watchlist YAML, relative to CONFIG_DIR or absolute (the repository ships config/watchlists/gaza-ceasefire.yaml)',
};

/**
 * A config file that cannot be read, as one line naming it and, when it is missing, how to create it
 * (never node's `ENOENT: no such file or directory, stat …`).
 *
 * @example
 * unreadableConfigFile('config/feeds.yaml', 'feeds', enoent).message;
 * // 'config: config/feeds.yaml: not found; create it with `npm run cli -- feeds add <feed URL>`, or …'
 */
export function unreadableConfigFile(file: string, kind: ConfigFileKind, cause: unknown): PipelineError {
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  const detail =
    code === 'ENOENT' || code === 'ENOTDIR'
      ? `not found; ${HOW_TO_CREATE[kind]}`
      : code === 'EISDIR'
        ? 'is a directory, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read: permission denied'
          : `cannot be read (${code ?? describeError(cause)})`;
  return configInvalid(file, detail, cause);
}

async function readConfigFile(file: string, kind: ConfigFileKind): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw unreadableConfigFile(file, kind, cause);
  }
}

/** The same for the synchronous readers (reloadingFile). */
export function readConfigFileSync(file: string, kind: ConfigFileKind): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw unreadableConfigFile(file, kind, cause);
  }
}

/** Parses feeds.yaml text: each feed valid, no unknown key, each id once (they key each feed's history). */
export function parseFeedsFile(text: string, file: string): FeedsFile {
  return parseYamlConfig(text, file, FeedsFileSchema);
}

export async function loadFeedsFile(file: string): Promise<FeedsFile> {
  return parseFeedsFile(await readConfigFile(file, 'feeds'), file);
}

/**
 * Parses alerts.yaml text: the rules (ids once each) and the digest settings. Whether the actors,
 * phases and feeds the rules name exist is checkConfigReferences's question: it needs the other files.
 */
export function parseAlertsFile(text: string, file: string): AlertsFile {
  return parseYamlConfig(text, file, AlertsFileSchema);
}

export async function loadAlertsFile(file: string): Promise<AlertsFile> {
  return parseAlertsFile(await readConfigFile(file, 'alerts'), file);
}

/** A config file's text, for parsers that live elsewhere (the watchlist's, in src/tagging). */
export async function loadTextFile(file: string, kind: ConfigFileKind): Promise<string> {
  return readConfigFile(file, kind);
}

export interface ConfigPaths {
  feeds: string;
  alerts: string;
  watchlist: string;
}

export function configPaths(settings: Settings): ConfigPaths {
  return {
    feeds: path.join(settings.CONFIG_DIR, 'feeds.yaml'),
    alerts: path.join(settings.CONFIG_DIR, 'alerts.yaml'),
    watchlist: path.resolve(settings.CONFIG_DIR, settings.WATCHLIST),
  };
}
