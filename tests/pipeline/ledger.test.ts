/**
 * The database as the ledger, on `run --once` (PGlite) against the local site: work the queue lost or
 * gave up on is finished later, a permanent failure is told apart and listed, a sent alert is recorded
 * once though the database refuses the write for a while, and a 429 pauses every alert, not one.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/pipeline/open-context.ts';
import { runOnce } from '../../src/pipeline/run-once.ts';
import { refreshFeed, type PipelineContext } from '../../src/pipeline/steps.ts';
import { fixture, startPipelineWorld, type PipelineWorld } from '../helpers/pipeline-setup.ts';
import { cliInProcess } from '../helpers/run-cli.ts';

const count = async (ctx: PipelineContext, sql: string) =>
  Number((await ctx.db.query<{ n: number }>(sql))[0]?.n ?? -1);

/** A feed of one item with no text of its own: when its page fails, nothing can stand in. */
const oneItemFeed = (base: string, n: number) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Flaky</title><link>${base}/</link><description>x</description>
<item><title>Witkoff to hold Miami talks (${n})</title><link>${base}/flaky/${n}</link>
<guid isPermaLink="false">urn:flaky:${n}</guid><pubDate>Fri, 19 Dec 2025 10:0${n}:00 GMT</pubDate></item>
</channel></rss>`;

describe('the ledger on run --once', () => {
  let world: PipelineWorld;
  let ctx: PipelineContext & { close(): Promise<void> };
  let settings: PipelineWorld['settings'];
  /** The runs' clock: moved forward to make a re-drive due, rather than waiting for it. */
  let clock = Date.now();
  /**
   * `cli jobs …` as a person runs it between two runs. PGlite is one process's database: the test's
   * own handle is closed while the command has it, and opened again after.
   */
  const jobs = async (...args: string[]) => {
    await ctx.close();
    const env = {
      CONFIG_DIR: settings.CONFIG_DIR,
      WATCHLIST: settings.WATCHLIST,
      DATA_DIR: settings.DATA_DIR,
      DATABASE_URL: '',
    };
    const result = await cliInProcess(['jobs', ...args], { env });
    ctx = await openContext({ settings, now: () => new Date(clock) });
    expect(result.stderr).toBe('');
    return result.stdout;
  };

  let seedPage: Buffer;
  /**
   * Publishes item n in the flaky feed; its page answers `status`: the seed article when 200, or, with
   * `story`, another real Gaza story (tests/fixtures/stories), so that it is a story of its own.
   */
  const publish = (n: number, status: number, story?: { title: string; text: string }) => {
    world.site.set('/flaky/rss.xml', {
      contentType: 'application/rss+xml',
      body: oneItemFeed(world.site.base, n),
    });
    const paragraphs = (story?.text ?? '').split('\n').filter(Boolean);
    const page = story
      ? `<html><head><title>${story.title}</title></head><body><article><h1>${story.title}</h1>` +
        `${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`
      : seedPage;
    world.site.set(`/flaky/${n}`, status === 200 ? { body: page } : { status, body: 'not now' });
  };
  const story = async (id: string) => {
    const lines = (await readFile(fixture('stories/gaza-other-stories.jsonl'), 'utf8')).split('\n');
    const stories = lines
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; title: string; text: string });
    const picked = stories.find((s) => s.id === id);
    if (!picked) throw new Error(`no story ${id}`);
    return picked;
  };
  const slackAbout = (title: string) =>
    world.slack.received.filter((r) => JSON.stringify(r.body).includes(title.slice(0, 40)));

  beforeAll(async () => {
    seedPage = await readFile(fixture('pages/seed--witkoff-miami-talks-gaza-ceasefire.html'));
    world = await startPipelineWorld({
      extraFeeds: (base) =>
        ['  - id: flaky', `    url: ${base}/flaky/rss.xml`, '    intervalMinutes: 60'].join('\n'),
    });
  });

  afterAll(async () => {
    await ctx?.close();
    await world.close();
  });

  it('finishes items whose poll was recorded but whose jobs were lost', async () => {
    settings = world.settings;
    ctx = await openContext({ settings });
    // A poll commits the items and the feed's new validators, then the process dies: no job ran.
    const refresh = await refreshFeed(ctx, 'world-news');
    expect(refresh.newItems).toHaveLength(4);
    expect(await count(ctx, "select count(*) as n from feed_items where state = 'pending'")).toBe(4);

    // The next run finds the feed unchanged, and the ledger's four pending items.
    const summary = await runOnce(ctx);
    expect(summary.stored).toBe(4);
    expect(await count(ctx, 'select count(*) as n from articles')).toBe(4);
    expect(await count(ctx, "select count(*) as n from feed_items where state <> 'done'")).toBe(0);
    // Each records when it was stored: after it was first seen (seen-to-stored latency, issue 12).
    expect(
      await count(
        ctx,
        'select count(*) as n from feed_items where stored_at is not null and stored_at >= first_seen_at',
      ),
    ).toBe(4);
    expect(world.slack.received.length).toBeGreaterThan(0);
  });

  it('tries again an hour later an item whose retries were spent, and lists it meanwhile', async () => {
    await ctx.close();
    clock = Date.now();
    ctx = await openContext({ settings, now: () => new Date(clock) });
    publish(1, 503);
    const first = await runOnce(ctx);
    expect(first.failures.map((f) => f.culprit)).toContain(`${world.site.base}/flaky/1`);
    const listed = await jobs();
    expect(listed).toMatch(
      /^item {3}pending {2}flaky {2}.*\/flaky\/1 {2}tries 1, next try in \d+ min: .*HTTP 503/m,
    );
    expect(listed).toMatch(/1 item\(s\) and 0 alert\(s\) unfinished, 0 failed for good/);

    // Not due yet: a run now leaves it alone; once due, the next run stores it.
    publish(1, 200);
    expect((await runOnce(ctx)).stored).toBe(0);
    clock += 61 * 60_000;
    expect((await runOnce(ctx)).stored).toBe(1);
    expect(await jobs()).toMatch(/^0 item\(s\) and 0 alert\(s\)/m);
  });

  it('tells a permanent failure apart, lists it, and retries it when asked', async () => {
    publish(2, 404);
    const run = await runOnce(ctx);
    expect(run.failures.find((f) => f.culprit.endsWith('/flaky/2'))?.reason).toMatch(/HTTP 404/);
    expect(await jobs()).toMatch(
      /^item {3}failed {3}flaky .*\/flaky\/2 {2}tries 1, failed for good: .*HTTP 404/m,
    );
    // Without --failed a permanent failure stays as it is; with it, the next run takes it again.
    expect(await jobs('retry')).toMatch(/^0 item\(s\)/);
    publish(2, 200);
    expect((await runOnce(ctx)).stored).toBe(0);
    expect(await jobs('retry', '--failed')).toMatch(/^1 item\(s\)/);
    expect((await runOnce(ctx)).stored).toBe(1);
  });

  it('records a sent alert once though the database refuses the write for a while', async () => {
    // A real write error: a trigger refuses to mark deliveries sent for the next two seconds.
    await ctx.db.exec(`
      create table fault_until (t timestamptz);
      create function refuse_sent() returns trigger language plpgsql as $$
      begin
        if new.status = 'sent' and exists (select 1 from fault_until where t > clock_timestamp()) then
          raise exception 'injected write error';
        end if;
        return new;
      end $$;
      create trigger refuse_sent before update on alert_deliveries
        for each row execute function refuse_sent();`);
    await ctx.db.query(`insert into fault_until values (clock_timestamp() + interval '2 seconds')`);
    const t004 = await story('t004');
    publish(4, 200, t004);
    await runOnce(ctx);
    await ctx.db.exec('drop trigger refuse_sent on alert_deliveries');
    // phase-two and witkoff each went out once, and each is recorded sent once.
    expect(slackAbout(t004.title)).toHaveLength(2);
    const rows = await ctx.db.query<{ rule_id: string; status: string }>(
      `select d.rule_id, d.status from alert_deliveries d join articles a on a.id = d.article_id
       where a.canonical_url like '%/flaky/4' and d.channel = 'slack' order by d.rule_id`,
    );
    expect(rows).toEqual([
      { rule_id: 'phase-two', status: 'sent' },
      { rule_id: 'witkoff', status: 'sent' },
    ]);
  });

  it('pauses every alert, not only the one answered, when Slack says 429 and when to come back', async () => {
    const refusedUntil = Date.now() + 60_000;
    let firstRefusal = 0;
    world.slack.answer = () => {
      const now = Date.now();
      firstRefusal ||= now;
      // Slack answers 429 for 2.5 s from the first message, each time asking for a second's pause.
      return now < Math.min(refusedUntil, firstRefusal + 2_500)
        ? { status: 429, headers: { 'retry-after': '1' } }
        : { status: 200 };
    };
    const t013 = await story('t013');
    publish(5, 200, t013);
    await runOnce(ctx);
    world.slack.answer = undefined;
    expect(slackAbout(t013.title)).toHaveLength(2);
    // After each 429, nothing was posted until its Retry-After had passed: the whole stage waited.
    const requests = world.slack.requests.filter((r) => r.at >= firstRefusal);
    for (const [i, refusal] of requests.entries()) {
      if (refusal.status !== 429) continue;
      const next = requests[i + 1];
      if (next) expect(next.at - refusal.at).toBeGreaterThanOrEqual(1_000 - 5);
    }
    expect(requests.filter((r) => r.status === 429).length).toBeLessThanOrEqual(3);
  });
});
