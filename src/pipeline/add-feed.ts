/**
 * Adding a feed by URL, for `cli feeds add` and the dashboard's add form alike: one GET of the URL;
 * when the answer is a feed, that answer is parsed and appended to feeds.yaml (no second GET).
 * Otherwise the page's announced feeds, then the common paths, are fetched one by one until one
 * parses. Every GET goes through the SSRF-guarded fetcher, with the size and time limits of a poll.
 */
import { existsSync } from 'node:fs';
import { addFeedsToFile } from '../config/edit-feeds-file.ts';
import { configPaths, loadFeedsFile } from '../config/load-config.ts';
import type { Settings } from '../config/settings.ts';
import { describeError } from '../errors.ts';
import { decodePage } from '../extract/decode-page.ts';
import { canonicalUrl } from '../feeds/canonical-url.ts';
import { candidateFeedUrls, discoverFeeds, looksLikeFeed } from '../feeds/discover-feeds.ts';
import { parseFeed } from '../feeds/parse-feed.ts';
import { fetchUrl, type FetchResult } from '../http/fetch-url.ts';
import { syncFeeds, type PipelineContext } from './steps.ts';

/**
 * GETs a site may cost beyond the first one: the announced feeds and the common paths are tried in
 * order until one parses. Ten covers a page announcing a handful of feeds plus the seven common paths
 * without probing a site for minutes.
 */
export const MAX_FEED_PROBES = 10;

export type AddFeedOutcome =
  | { status: 'added'; id: string; url: string; title: string | null; items: number }
  | { status: 'present'; id: string | null; url: string };

const contentType = (res: FetchResult) => res.headers['content-type'];

/** True for an absolute http(s) URL. */
export function isWebUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Finds the feed behind `url` and appends it to feeds.yaml; throws with the reason when none is found.
 *
 * @example
 * await addFeedByUrl('https://www.timesofisrael.com/', {}, settings);
 * // { status: 'added', id: 'timesofisrael-com-feed', url: 'https://www.timesofisrael.com/feed/', … }
 */
export async function addFeedByUrl(
  url: string,
  opts: { id?: string; interval?: number },
  settings: Settings,
): Promise<AddFeedOutcome> {
  const file = configPaths(settings).feeds;
  if (!isWebUrl(url)) throw new Error('not an http(s) URL');
  const present = existsSync(file) ? (await loadFeedsFile(file)).feeds : [];
  const already = present.find((f) => canonicalUrl(f.url) === canonicalUrl(url));
  if (already) return { status: 'present', id: already.id, url };
  const get = (target: string, maxBytes: number) =>
    fetchUrl(target, {
      maxBytes,
      timeoutMs: settings.FETCH_TIMEOUT_MS,
      allowPrivateNetworks: settings.ALLOW_PRIVATE_NETWORKS,
    });

  // The first answer may be a page, which may be larger than any feed.
  const first = await get(url, Math.max(settings.PAGE_MAX_BYTES, settings.FEED_MAX_BYTES));
  let found: { url: string; feed: Awaited<ReturnType<typeof parseFeed>> } | null = null;
  if (looksLikeFeed(first.body, contentType(first))) {
    // Kept as given, not as redirected to: feed redirects are often temporary (FeedBurner, CDNs).
    found = { url, feed: await parseFeed(first.body, first.url, { contentType: contentType(first) }) };
  } else {
    const page = decodePage(first.body, contentType(first));
    const announced = discoverFeeds(page, first.url);
    const tried = new Set([canonicalUrl(url), canonicalUrl(first.url)]);
    const candidates = [...announced, ...candidateFeedUrls(first.url)].filter((c) => {
      const key = canonicalUrl(c);
      if (tried.has(key)) return false;
      tried.add(key);
      return true;
    });
    const reasons: string[] = [];
    for (const candidate of candidates.slice(0, MAX_FEED_PROBES)) {
      try {
        const res = await get(candidate, settings.FEED_MAX_BYTES);
        if (!looksLikeFeed(res.body, contentType(res))) {
          reasons.push(`${candidate}: not a feed`);
          continue;
        }
        found = {
          url: candidate,
          feed: await parseFeed(res.body, res.url, { contentType: contentType(res) }),
        };
        break;
      } catch (error) {
        reasons.push(describeError(error));
      }
    }
    if (!found) {
      const tries = Math.min(candidates.length, MAX_FEED_PROBES);
      const lead =
        announced.length > 0
          ? `the page announces ${announced.length} feed(s), none readable`
          : 'the page announces no feed';
      throw new Error(
        `no feed found: ${lead}; tried ${tries} URL(s); first problem: ${reasons[0] ?? 'none'}`,
      );
    }
  }

  const { added } = await addFeedsToFile(file, [
    { url: found.url, id: opts.id, title: found.feed.title || undefined, intervalMinutes: opts.interval },
  ]);
  const [id] = added;
  if (id === undefined) return { status: 'present', id: null, url: found.url };
  return {
    status: 'added',
    id,
    url: found.url,
    title: found.feed.title || null,
    items: found.feed.items.length,
  };
}

/**
 * {@link addFeedByUrl}, then the config re-read and the feeds table updated, so the feed shows at once
 * (the dashboard's feeds page) and the next poll or `run --once` takes it.
 */
export async function addFeedAndSync(
  ctx: PipelineContext,
  url: string,
  opts: { id?: string; interval?: number },
): Promise<AddFeedOutcome> {
  const outcome = await addFeedByUrl(url, opts, ctx.settings);
  if (outcome.status === 'added') await syncFeeds(ctx);
  return outcome;
}
