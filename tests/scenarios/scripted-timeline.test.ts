/**
 * The timeline people live through, run through the service (real workers, Redis, PostgreSQL) and
 * through `run --once` (in-process, PGlite) against one local news site, each with its own Slack,
 * webhook and SMTP receivers. After every step both paths must have the same rows, the same messages
 * at their receivers and the same digest; each step also checks what a person expects of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectPaced, messagesAbout, stepBoth, type StepOutcome } from './compare-paths.ts';
import {
  ADDED_RULE,
  PACE_MS,
  startOncePath,
  startScenarioWorld,
  startServicePath,
  type PipelinePath,
  type ScenarioWorld,
} from './pipeline-paths.ts';
import { storyByKey } from './news-site.ts';

const QATAR_SENTENCE =
  "Qatar's Prime Minister Sheikh Mohammed bin Abdulrahman Al Thani urged both sides to hold to the truce.";

const count = (m: StepOutcome['newMessages']) => m.slack.length + m.webhook.length + m.email.length;
const articleRows = (o: StepOutcome) =>
  o.service.snapshot.articles.map((a) => JSON.parse(a) as Record<string, unknown>);

describe('one timeline, two paths', () => {
  let world: ScenarioWorld;
  let service: PipelinePath;
  let once: PipelinePath;
  let last: StepOutcome | null = null;
  const guids: Record<string, string> = {};

  beforeAll(async () => {
    world = await startScenarioWorld();
    [service, once] = await Promise.all([startServicePath(world), startOncePath(world)]);
  });

  afterAll(async () => {
    await Promise.all([service?.close(), once?.close()]);
    await world?.close();
  });

  const step = async (label: string) => {
    last = await stepBoth({ service, once }, label, last);
    return last;
  };

  it('new items: each stored once, relevant ones alerted per rule and channel', async () => {
    guids.t004 = world.site.publish('wire', 't004');
    guids.t017 = world.site.publish('wire', 't017');
    guids.t022 = world.site.publish('regional', 't022');
    guids.t027 = world.site.publish('aggregator', 't027');
    const outcome = await step('new items');
    expect(outcome.service.snapshot.articles).toHaveLength(4);
    // t017 names none of the rules' actors or phases; t027 (Ukraine talks) is not relevant.
    expect(messagesAbout(outcome.newMessages, storyByKey('t017').title)).toEqual([]);
    expect(messagesAbout(outcome.newMessages, storyByKey('t027').title)).toEqual([]);
    // t004: phase-two (Slack, email), mediators (Slack, webhook), witkoff (webhook).
    expect(messagesAbout(outcome.newMessages, storyByKey('t004').title)).toHaveLength(5);
  });

  it('the same story in two feeds: one message per rule and channel, naming the other copy', async () => {
    guids.seed = world.site.publish('wire', 'seed');
    guids.seedRegional = world.site.publish('regional', 'seed-regional');
    const outcome = await step('same story in two feeds');
    expect(outcome.service.snapshot.stories.filter((s) => s.includes('seed'))).toHaveLength(1);
    expect(outcome.service.snapshot.stories.find((s) => s.includes('seed'))?.split(' + ')).toHaveLength(2);
    expect(count(outcome.newMessages)).toBe(5);
    // The copy published first is featured; the other is named in a sentence.
    for (const slack of outcome.newMessages.slack) {
      expect(slack).toContain(storyByKey('seed').title);
      expect(slack).toContain('Also reported by Regional Daily.');
    }
  });

  it('the same story in three feeds: one message per rule and channel listing two others', async () => {
    guids.seedAggregator = world.site.publish('aggregator', 'seed-aggregator');
    for (const feed of ['wire', 'regional', 'aggregator']) world.site.publish(feed, 't036');
    const outcome = await step('same story in three feeds');
    const t036 = outcome.service.snapshot.stories.find((s) => s.includes('t036'));
    expect(t036?.split(' + ')).toHaveLength(3);
    const aboutT036 = messagesAbout(outcome.newMessages, storyByKey('t036').title);
    // phase-two (Slack, email), mediators (Slack, webhook), witkoff (webhook): once each.
    expect(aboutT036).toHaveLength(5);
    for (const m of outcome.newMessages.slack.filter((s) => s.includes(storyByKey('t036').title))) {
      expect(m).toContain('Also reported by Regional Daily and News Aggregator.');
    }
    // The seed story's third copy carries nothing new: no message about it.
    expect(messagesAbout(outcome.newMessages, storyByKey('seed').title)).toEqual([]);
  });

  it('an edit that adds an actor: the new version is stored and alerts the rule it now fires', async () => {
    world.site.addParagraph('wire', guids.t017 as string, QATAR_SENTENCE);
    const outcome = await step('edit adds an actor');
    const row = articleRows(outcome).find((a) => String(a.canonical_url).includes('t017'));
    expect(row?.text).toContain('urged both sides to hold to the truce');
    const tags = outcome.service.snapshot.tags.filter((t) => t.includes('t017'));
    expect(tags.some((t) => t.includes('"tag_id":"qatar"'))).toBe(true);
    // mediators (Slack, webhook) fires now; its evidence is the new sentence, not the headline.
    const about = messagesAbout(outcome.newMessages, storyByKey('t017').title);
    expect(about).toHaveLength(2);
    for (const m of about) expect(m).toContain('urged both sides to hold to the truce');
    expect(count(outcome.newMessages)).toBe(2);
  });

  it('an edit of wording only: the new text is stored, nobody is alerted again', async () => {
    world.site.reword('wire', guids.t004 as string);
    const outcome = await step('edit of wording only');
    const row = articleRows(outcome).find((a) => String(a.canonical_url).includes('t004'));
    expect(row?.text).toMatch(/stated|according to people familiar with the matter/);
    expect(count(outcome.newMessages)).toBe(0);
  });

  it('a URL change under the same guid: one article, moved; no second source, no message', async () => {
    const before = articleRows(last as StepOutcome).length;
    world.site.move('regional', guids.t022 as string);
    const outcome = await step('URL change, same guid');
    const rows = articleRows(outcome);
    expect(rows).toHaveLength(before);
    const t022 = rows.filter((a) => String(a.canonical_url).includes('t022'));
    expect(t022).toHaveLength(1);
    expect(String(t022[0]?.canonical_url)).toMatch(/-updated$/);
    expect(t022[0]?.feed_id).toBe('regional');
    expect(count(outcome.newMessages)).toBe(0);
    expect(outcome.service.digest.match(/t022-updated/g)).toHaveLength(1);
  });

  it('an item removed, then re-added: nothing processed again, nobody alerted', async () => {
    const rowsBefore = (last as StepOutcome).service.snapshot.articles;
    world.site.remove('wire', guids.t017 as string);
    const removed = await step('item removed');
    expect(count(removed.newMessages)).toBe(0);
    world.site.readd('wire', guids.t017 as string);
    const readded = await step('item re-added');
    expect(count(readded.newMessages)).toBe(0);
    expect(readded.service.snapshot.articles).toEqual(rowsBefore);
  });

  it('a feed outage: failing with its reason, one notice once it has failed long enough', async () => {
    world.site.setDown('regional', true);
    guids.t013 = world.site.publish('regional', 't013');
    let outcome = await step('outage, round 1');
    for (const round of [2, 3]) outcome = await step(`outage, round ${round}`);
    const regional = outcome.service.snapshot.feeds.find((f) => f.includes('"id":"regional"'));
    expect(regional).toMatch(/"status":"failing".*HTTP 503/);
    const notices = [
      ...outcome.service.snapshot.messages.slack,
      ...outcome.service.snapshot.messages.email,
    ].filter((m) => m.includes('Feed failing'));
    // Six soft failures (two tries a round): one Slack notice and one email.
    expect(notices).toHaveLength(2);
    expect(articleRows(outcome).some((a) => String(a.canonical_url).includes('t013'))).toBe(false);
  });

  it('the feed recovers: what it published meanwhile is stored and alerted', async () => {
    world.site.setDown('regional', false);
    const outcome = await step('recovery');
    expect(outcome.service.snapshot.feeds.find((f) => f.includes('"id":"regional"'))).toContain(
      '"status":"ok"',
    );
    expect(articleRows(outcome).some((a) => String(a.canonical_url).includes('t013'))).toBe(true);
    expect(messagesAbout(outcome.newMessages, storyByKey('t013').title).length).toBeGreaterThan(0);
  });

  it('a rule added while the service runs: it fires on new stories, not on the backlog', async () => {
    await world.addRule(ADDED_RULE);
    guids.t016 = world.site.publish('wire', 't016');
    const outcome = await step('rule added');
    const isf = [...outcome.newMessages.slack, ...outcome.newMessages.email].filter((m) =>
      m.includes('stabilization-force'),
    );
    // Slack and email, about t016 only (the seed and t036 carry the force too, but came before).
    expect(isf).toHaveLength(2);
    for (const m of isf) expect(m).toContain(storyByKey('t016').title);
  });

  it('a feed paused from the dashboard: nothing fetched while paused; on resume, stored and alerted', async () => {
    await Promise.all([service.setPaused(new Set(['aggregator'])), once.setPaused(new Set(['aggregator']))]);
    const hitsBefore = world.site.feedHits('aggregator');
    guids.t021 = world.site.publish('aggregator', 't021');
    const paused = await step('aggregator paused');
    expect(world.site.feedHits('aggregator')).toBe(hitsBefore);
    expect(count(paused.newMessages)).toBe(0);
    expect(articleRows(paused).some((a) => String(a.canonical_url).includes('t021'))).toBe(false);
    expect(paused.service.snapshot.feeds.find((f) => f.includes('"id":"aggregator"'))).toContain(
      '"paused":true',
    );

    await Promise.all([service.setPaused(new Set()), once.setPaused(new Set())]);
    const resumed = await step('aggregator resumed');
    expect(world.site.feedHits('aggregator')).toBe(hitsBefore + 2);
    expect(articleRows(resumed).filter((a) => String(a.canonical_url).includes('t021'))).toHaveLength(1);
    // t021 (the guarantors' declaration): mediators (Slack, webhook) and phase-two (Slack, email).
    const aboutT021 = messagesAbout(resumed.newMessages, storyByKey('t021').title);
    expect(aboutT021).toHaveLength(4);
    expect(aboutT021.filter((m) => m.includes('mediators'))).toHaveLength(2);
  });

  it('both paths kept the pace at their receivers', () => {
    const serviceGap = expectPaced('service', service.receivers, PACE_MS);
    const onceGap = expectPaced('run --once', once.receivers, PACE_MS);
    expect(Math.min(serviceGap, onceGap)).toBeGreaterThanOrEqual(PACE_MS - 2);
  });
});
