/**
 * Dashboard response times over the database months of monitoring leave: `--articles` stored articles
 * (default 10,000) over 20 feeds and a year of days, made from the 40 real articles of
 * ../shared/datasets/tagging, each copy made unique (its lower-case words outside the tagged mentions
 * swapped by a shift that depends on the copy, so copies do not all cluster into 40 stories; every
 * third one is a second feed's copy of the one before, as syndication makes) and tagged
 * by the real tagger with the shipped watchlist; one sent alert delivery per fifth relevant article.
 * Then each page and API call is loaded by autocannon (`--connections`, `--seconds` each), on PGlite
 * and on a fresh schema of the local PostgreSQL, and its latency percentiles and rate are printed.
 *
 *   npm run bench:dashboard
 *   npm run bench:dashboard -- --articles 20000 --store pglite --seconds 10 --connections 8
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Table from 'cli-table3';
import type { TaggedArticle } from '../src/model.ts';
import { loadWatchlist } from '../src/pipeline/open-context.ts';
import { upsertArticle } from '../src/store/articles.ts';
import { openDb, type Db } from '../src/store/db.ts';
import { claimDelivery, markDeliverySent } from '../src/store/deliveries.ts';
import { upsertFeeds } from '../src/store/feeds.ts';
import { migrate } from '../src/store/migrations.ts';
import { assignStory } from '../src/store/stories.ts';
import { textSignature } from '../src/stories/text-signature.ts';
import { compileWatchlist } from '../src/tagging/compile-watchlist.ts';
import { tagArticle } from '../src/tagging/tag-article.ts';
import { createDashboard } from '../src/web/dashboard-server.ts';

const DATASET = '../shared/datasets/tagging/dev.jsonl';
const WATCHLIST = 'config/watchlists/gaza-ceasefire.yaml';
const FEEDS = Array.from({ length: 20 }, (_, i) => `feed-${String(i + 1).padStart(2, '0')}`);
const DAY_MS = 86_400_000;

const { values: args } = parseArgs({
  options: {
    articles: { type: 'string', default: '10000' },
    store: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '4' },
    /** Keep the PostgreSQL schema afterwards (its name is printed), to EXPLAIN a slow page's queries. */
    keep: { type: 'boolean', default: false },
    /** Measure over a schema an earlier `--keep` run left (PostgreSQL only), without storing again. */
    schema: { type: 'string' },
    'database-url': {
      type: 'string',
      default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
  },
});
const ARTICLES = Number(args.articles);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);

interface DevArticle {
  id: string;
  title: string;
  text: string;
}

const dev = readFileSync(DATASET, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as DevArticle);
const matcher = compileWatchlist(await loadWatchlist(WATCHLIST));
const names: Record<string, string> = {};
const words = [...new Set(dev.flatMap((a) => a.text.match(/\b[a-z]{4,}\b/g) ?? []))].sort();
/** Each dev article's tagged mention spans in its text: words there are kept, so the tags survive. */
const kept = dev.map((a) =>
  tagArticle({ title: a.title, text: a.text }, matcher)
    .mentions.filter((m) => m.field === 'text')
    .map((m) => [m.start, m.end] as const),
);

/** Copy `n`: dev article n mod 40, its lower-case words outside mentions shifted by an n-dependent step. */
function copyText(n: number): { base: DevArticle; text: string } {
  const index = n % dev.length;
  const base = dev[index] as DevArticle;
  const spans = kept[index] ?? [];
  const shift = 1 + ((n * 7919) % (words.length - 1));
  const text = base.text.replace(/\b[a-z]{4,}\b/g, (word, at: number) => {
    if (spans.some(([start, end]) => at < end && at + word.length > start)) return word;
    const i = words.indexOf(word);
    return i < 0 ? word : (words[(i + shift) % words.length] ?? word);
  });
  return { base, text };
}

async function seed(db: Db): Promise<{ relevant: number; stories: number; seconds: number }> {
  const started = performance.now();
  await upsertFeeds(
    db,
    FEEDS.map((id) => ({ id, url: `https://${id}.example/rss`, intervalMinutes: 15, labels: [] })),
  );
  const today = Date.parse(new Date().toISOString().slice(0, 10));
  let relevant = 0;
  for (let n = 0; n < ARTICLES; n++) {
    // Every third article is another feed's copy of the one before (syndication): one story, two copies.
    const { base, text } = copyText(n % 3 === 2 ? n - 1 : n);
    const published = new Date(today - (n % 365) * DAY_MS + (n % 24) * 3_600_000).toISOString();
    const title = `${base.title} (${n})`;
    const tags = tagArticle({ title, text, published }, matcher);
    const feedId = FEEDS[n % FEEDS.length] as string;
    const url = `https://${feedId}.example/${base.id}/${n}`;
    const article: TaggedArticle = {
      feedId,
      url,
      canonicalUrl: url,
      title,
      byline: null,
      lang: 'en',
      text,
      published,
      fetchedAt: published,
      source: 'page',
      tags,
    };
    const { articleId } = await upsertArticle(db, article);
    const story = await assignStory(db, {
      articleId,
      title,
      signature: textSignature(`${title}\n${text}`),
      at: published,
    });
    if (tags.relevant && relevant++ % 5 === 0) {
      for (const channel of ['slack', 'email'] as const) {
        const claim = await claimDelivery(
          db,
          {
            ruleId: tags.phases[0] ? 'phase-watch' : 'mediators',
            articleId,
            channel,
            storyId: story.storyId,
          },
          { at: published, leaseMs: 60_000 },
        );
        if (claim.state === 'claimed') await markDeliverySent(db, claim.deliveryId, published);
      }
    }
    if ((n + 1) % 2_000 === 0) process.stderr.write(`  stored ${n + 1} articles\n`);
  }
  const stories = await db.query<{ n: number }>('select count(*)::int as n from stories');
  return { relevant, stories: stories[0]?.n ?? 0, seconds: (performance.now() - started) / 1000 };
}

/** What a person and an API client ask for most; the day bar a tracker click opens. */
function endpoints(articleId: number): [string, string][] {
  const day = new Date(Date.now() - 3 * DAY_MS).toISOString().slice(0, 10);
  return [
    ['stories, first page', '/'],
    ['stories, actor filter', '/?actor=steve-witkoff'],
    ['stories, phase + relevant', '/?phase=phase-2&relevant=true'],
    ['search "ceasefire"', '/?q=ceasefire'],
    ['search "second phase" -Lebanon', '/?q=%22second+phase%22+-Lebanon'],
    ['search, rare word', '/?q=Abdelatty'],
    ['API stories, search', '/api/stories?q=hostages&limit=50'],
    ['tracker, 30 days', '/tracker'],
    ['tracker, 366 days', `/tracker?from=${new Date(Date.now() - 365 * DAY_MS).toISOString().slice(0, 10)}`],
    ['tracker day click', `/?phase=phase-2&from=${day}&to=${day}`],
    ['article page', `/articles/${articleId}`],
    ['feeds', '/feeds'],
    ['alert log', '/alerts'],
  ];
}

interface Row {
  store: string;
  name: string;
  p50: number;
  p97_5: number;
  p99: number;
  rate: number;
  errors: number;
}

async function load(base: string, store: string, name: string, route: string): Promise<Row> {
  const result = await autocannon({ url: `${base}${route}`, connections: CONNECTIONS, duration: SECONDS });
  return {
    store,
    name,
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    rate: result.requests.average,
    errors: result.errors + result.non2xx,
  };
}

async function benchStore(store: 'pglite' | 'postgres'): Promise<Row[]> {
  const reused = store === 'postgres' ? args.schema : undefined;
  const schema = reused ?? `cw_bench_dash_${process.pid}`;
  const dataDir = store === 'pglite' ? mkdtempSync(path.join(tmpdir(), 'cw-bench-dash-')) : undefined;
  const db = await openDb(store === 'pglite' ? { dataDir } : { databaseUrl: args['database-url'], schema });
  try {
    await migrate(db);
    if (!reused) {
      process.stderr.write(`${store}: storing ${ARTICLES} articles\n`);
      const seeded = await seed(db);
      process.stderr.write(
        `${store}: ${ARTICLES} articles in ${seeded.stories} stories (${seeded.relevant} relevant) stored in ${seeded.seconds.toFixed(0)} s\n`,
      );
    }
    const app = createDashboard({
      db,
      settings: { HOST: '127.0.0.1', DASHBOARD_TOKEN: undefined },
      names: () => names,
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const rows: Row[] = [];
    try {
      const [first] = await db.query<{ id: number }>('select min(id)::int as id from articles');
      for (const [name, route] of endpoints(first?.id ?? 1)) {
        rows.push(await load(base, store, name, route));
        process.stderr.write(`  ${name}\n`);
      }
    } finally {
      await app.close();
    }
    return rows;
  } finally {
    if (store === 'postgres' && !args.keep && !reused)
      await db.exec(`drop schema if exists ${schema} cascade`);
    if (store === 'postgres' && args.keep) process.stderr.write(`kept schema ${schema}\n`);
    await db.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

const stores = args.store === 'both' ? (['pglite', 'postgres'] as const) : ([args.store] as const);
const rows: Row[] = [];
for (const store of stores) {
  if (store !== 'pglite' && store !== 'postgres')
    throw new Error(`--store: pglite, postgres or both, not ${store}`);
  rows.push(...(await benchStore(store)));
}
const table = new Table({
  head: ['store', 'request', 'p50 ms', 'p97.5 ms', 'p99 ms', 'req/s', 'errors'],
});
for (const r of rows) table.push([r.store, r.name, r.p50, r.p97_5, r.p99, r.rate.toFixed(1), r.errors]);
process.stdout.write(
  `Dashboard over ${ARTICLES} articles, ${CONNECTIONS} connections, ${SECONDS} s a request (autocannon)\n${table.toString()}\n`,
);
