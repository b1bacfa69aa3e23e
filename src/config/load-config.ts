/** Reads the files of `config/` from disk and validates them; the only config code that does I/O. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { configInvalid } from '../errors.ts';
import { AlertsFileSchema, FeedsFileSchema, type AlertsFile, type FeedsFile } from './schemas.ts';
import { parseYamlConfig } from './parse-yaml-config.ts';
import type { Settings } from './settings.ts';

async function readConfigFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw configInvalid(
      file,
      `cannot read: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      cause,
    );
  }
}

/** Parses feeds.yaml text: schema, then ids unique (they key each feed's history). */
export function parseFeedsFile(text: string, file: string): FeedsFile {
  const feeds = parseYamlConfig(text, file, FeedsFileSchema);
  const seen = new Set<string>();
  for (const feed of feeds.feeds) {
    if (seen.has(feed.id)) {
      throw configInvalid(file, `feed id "${feed.id}" appears twice`);
    }
    seen.add(feed.id);
  }
  return feeds;
}

export async function loadFeedsFile(file: string): Promise<FeedsFile> {
  return parseFeedsFile(await readConfigFile(file), file);
}

/** Parses alerts.yaml text: the rules and the digest settings. */
export function parseAlertsFile(text: string, file: string): AlertsFile {
  return parseYamlConfig(text, file, AlertsFileSchema);
}

export async function loadAlertsFile(file: string): Promise<AlertsFile> {
  return parseAlertsFile(await readConfigFile(file), file);
}

export async function loadTextFile(file: string): Promise<string> {
  return readConfigFile(file);
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
