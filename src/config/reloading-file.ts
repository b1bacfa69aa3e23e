/**
 * A config file that is re-read when it changes on disk, so that a feed added with `cli feeds add`
 * or an edited watchlist is picked up by running workers without a restart. The check is a `stat`
 * at most once per `minCheckMs`; a file that stops parsing keeps the last good version and says why
 * once, because a half-saved edit must not take the service down. A file that cannot be read (deleted,
 * moved, permissions) is said the same way as at start: one line naming it and what to do.
 */
import { statSync } from 'node:fs';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { readConfigFileSync, unreadableConfigFile, type ConfigFileKind } from './load-config.ts';

export interface ReloadingFile<T> {
  /** The current parsed contents. */
  current(): T;
  /** Bumped on every successful reload: lets callers cache what they derive from the contents. */
  version(): number;
  /** Checks the file now, whatever the time since the last check. */
  check(): void;
}

/** One stat per second is negligible next to a feed poll, and a second is quick enough for a person. */
export const DEFAULT_MIN_CHECK_MS = 1_000;

/**
 * Reads and parses `file` now (throwing the one-line error of a missing, unreadable or invalid file)
 * and again whenever it changes.
 *
 * @example
 * const feeds = reloadingFile('config/feeds.yaml', parseFeedsFile, { kind: 'feeds', log });
 * feeds.current().feeds; // the last good version
 */
export function reloadingFile<T>(
  file: string,
  parse: (text: string, file: string) => T,
  opts: { kind: ConfigFileKind; log: Logger; minCheckMs?: number; now?: () => number },
): ReloadingFile<T> {
  const now = opts.now ?? Date.now;
  const minCheckMs = opts.minCheckMs ?? DEFAULT_MIN_CHECK_MS;
  const stamp = () => {
    try {
      const st = statSync(file);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (cause) {
      throw unreadableConfigFile(file, opts.kind, cause);
    }
  };
  const read = () => readConfigFileSync(file, opts.kind);
  let seen = stamp();
  let value = parse(read(), file);
  let version = 1;
  let checkedAt = now();
  let reportedBad: string | null = null;

  const refresh = (force = false) => {
    if (!force && now() - checkedAt < minCheckMs) return;
    checkedAt = now();
    let current: string;
    try {
      current = stamp();
    } catch (error) {
      if (reportedBad !== 'missing')
        opts.log.error(
          { file, err: describeError(error) },
          'config file unreadable; keeping the last good version',
        );
      reportedBad = 'missing';
      return;
    }
    if (current === seen) return;
    try {
      value = parse(read(), file);
      seen = current;
      version++;
      reportedBad = null;
      opts.log.info({ file, version }, 'config file reloaded');
    } catch (error) {
      if (reportedBad !== current)
        opts.log.error(
          { file, err: describeError(error) },
          'config file invalid; keeping the last good version',
        );
      reportedBad = current;
    }
  };

  return {
    current() {
      refresh();
      return value;
    },
    version() {
      refresh();
      return version;
    },
    check() {
      refresh(true);
    },
  };
}
