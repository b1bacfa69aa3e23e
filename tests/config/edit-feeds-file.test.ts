import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addFeedsToFile, feedIdFor } from '../../src/config/edit-feeds-file.ts';
import { loadFeedsFile } from '../../src/config/load-config.ts';
import { PipelineError } from '../../src/errors.ts';
import { projectRoot } from '../helpers/pipeline-setup.ts';

let dir: string;
let file: string;
let shipped: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cw-edit-feeds-'));
  file = path.join(dir, 'feeds.yaml');
  shipped = await readFile(path.join(projectRoot, 'config/feeds.yaml'), 'utf8');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('addFeedsToFile', () => {
  it('appends-to-the-shipped-file-keeping-comments-and-formatting', async () => {
    await writeFile(file, shipped);
    const result = await addFeedsToFile(file, [
      { url: 'https://www.972mag.com/feed/', title: '+972 Magazine', labels: ['israel', 'palestine'] },
      { url: 'https://www.reuters.com/world/middle-east/rss.xml', intervalMinutes: 30 },
    ]);
    expect(result).toEqual({ added: ['972mag-com-feed', 'reuters-com-world-middle-east-rss'], skipped: [] });
    const text = await readFile(file, 'utf8');
    // Everything a person wrote is still there, character for character, with the new entries after it.
    expect(text.startsWith(shipped)).toBe(true);
    expect(text.slice(shipped.length)).toBe(
      [
        '  - id: 972mag-com-feed',
        '    title: +972 Magazine',
        '    url: https://www.972mag.com/feed/',
        '    labels: [israel, palestine]',
        '  - id: reuters-com-world-middle-east-rss',
        '    url: https://www.reuters.com/world/middle-east/rss.xml',
        '    intervalMinutes: 30',
        '',
      ].join('\n'),
    );
    const loaded = await loadFeedsFile(file);
    expect(loaded.feeds.at(-1)).toEqual({
      id: 'reuters-com-world-middle-east-rss',
      url: 'https://www.reuters.com/world/middle-east/rss.xml',
      intervalMinutes: 30,
      labels: [],
    });
  });

  it.each([
    { name: 'same-url', url: 'https://www.aljazeera.com/xml/rss/all.xml' },
    { name: 'upper-case-host-and-fragment', url: 'HTTPS://WWW.ALJAZEERA.COM/xml/rss/all.xml#top' },
    { name: 'tracking-parameters', url: 'https://www.aljazeera.com/xml/rss/all.xml?utm_source=x' },
  ])('skips-a-url-already-present-$name', async ({ url }) => {
    await writeFile(file, shipped);
    expect(await addFeedsToFile(file, [{ url }])).toEqual({ added: [], skipped: [url] });
    expect(await readFile(file, 'utf8')).toBe(shipped);
  });

  it('makes-generated-ids-unique-and-skips-duplicates-within-the-batch', async () => {
    await writeFile(file, 'feeds:\n  - id: example-org-rss\n    url: https://example.org/other\n');
    const result = await addFeedsToFile(file, [
      { url: 'https://example.org/rss' },
      { url: 'https://www.example.org/rss.xml' },
      { url: 'https://example.org/rss#again' },
    ]);
    expect(result).toEqual({
      added: ['example-org-rss-2', 'example-org-rss-3'],
      skipped: ['https://example.org/rss#again'],
    });
  });

  it('creates-a-missing-file', async () => {
    const result = await addFeedsToFile(file, [{ url: 'https://example.org/feed/', id: 'example' }]);
    expect(result.added).toEqual(['example']);
    expect((await loadFeedsFile(file)).feeds).toEqual([
      { id: 'example', url: 'https://example.org/feed/', intervalMinutes: 15, labels: [] },
    ]);
    expect(await readFile(file, 'utf8')).toMatch(/^# Feeds to poll/);
  });

  it.each([
    { name: 'comments-only', text: '# my feeds, one day\n' },
    { name: 'empty-list', text: '# my feeds\nfeeds: []\n' },
    { name: 'null-list', text: '# my feeds\nfeeds:\n' },
  ])('fills-a-file-with-no-feeds-$name', async ({ text }) => {
    await writeFile(file, text);
    await addFeedsToFile(file, [{ url: 'https://example.org/feed/' }]);
    const written = await readFile(file, 'utf8');
    expect(written).toMatch(/^# my feeds/);
    expect(written).toContain('feeds:\n  - id: example-org-feed\n    url: https://example.org/feed/\n');
    expect((await loadFeedsFile(file)).feeds).toHaveLength(1);
  });

  it.each([
    {
      name: 'taken-id',
      feed: { url: 'https://example.org/new', id: 'aljazeera-all' },
      message: /feed id "aljazeera-all" is already taken/,
    },
    {
      name: 'bad-id',
      feed: { url: 'https://example.org/new', id: 'Bad Id' },
      message: /id: feed id: lowercase/,
    },
    { name: 'bad-url', feed: { url: 'not a url' }, message: /not a url: url: / },
    {
      name: 'bad-interval',
      feed: { url: 'https://example.org/new', intervalMinutes: 0 },
      message: /intervalMinutes/,
    },
  ])('refuses-a-$name-and-leaves-the-file-alone', async ({ feed, message }) => {
    await writeFile(file, shipped);
    const error = await addFeedsToFile(file, [feed]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as Error).message).toMatch(message);
    expect(await readFile(file, 'utf8')).toBe(shipped);
    expect(await readdir(dir)).toEqual(['feeds.yaml']);
  });

  it('names-the-line-of-a-yaml-syntax-error', async () => {
    await writeFile(file, 'feeds:\n  - id: a\n    url: [unclosed\n');
    await expect(addFeedsToFile(file, [{ url: 'https://example.org/x' }])).rejects.toThrow(
      /feeds\.yaml:\d+: YAML syntax/,
    );
  });
});

describe('feedIdFor', () => {
  it.each([
    {
      name: 'host-and-path-without-www-and-extension',
      url: 'https://www.aljazeera.com/xml/rss/all.xml',
      taken: [],
      expected: 'aljazeera-com-xml-rss-all',
    },
    {
      name: 'trailing-slash',
      url: 'https://www.timesofisrael.com/feed/',
      taken: [],
      expected: 'timesofisrael-com-feed',
    },
    { name: 'root-path', url: 'https://example.org/', taken: [], expected: 'example-org' },
    { name: 'query-ignored', url: 'https://example.org/?feed=rss2', taken: [], expected: 'example-org' },
    {
      name: 'taken-gets-a-number',
      url: 'https://example.org/rss',
      taken: ['example-org-rss', 'example-org-rss-2'],
      expected: 'example-org-rss-3',
    },
    {
      name: 'long-path-cut-without-trailing-dash',
      url: 'https://news.un.org/feed/subscribe/en/news/region/middle-east/feed/rss.xml',
      taken: [],
      expected: 'news-un-org-feed-subscribe-en-news-region-middle',
    },
    {
      name: 'unicode-host',
      url: 'https://bücher.example/feed',
      taken: [],
      expected: 'xn-bcher-kva-example-feed',
    },
  ])('$name', ({ url, taken, expected }) => {
    const id = feedIdFor(url, new Set(taken));
    expect(id).toBe(expected);
    expect(id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
  });
});
