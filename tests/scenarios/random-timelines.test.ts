/**
 * Seeded random timelines (random-timeline.ts) through both paths, compared after every step as the
 * scripted one is. A few run in `npm test`; `npm run scenarios` runs fifty or more
 * (SCENARIO_TIMELINES, SCENARIO_STEPS, SCENARIO_SEED choose how many, how long and from which seed).
 */
import { describe, expect, it } from 'vitest';
import { expectPaced, stepBoth, type StepOutcome } from './compare-paths.ts';
import { PACE_MS, startOncePath, startScenarioWorld, startServicePath } from './pipeline-paths.ts';
import { initialState, prng, randomEvents } from './random-timeline.ts';

const TIMELINES = Number(process.env.SCENARIO_TIMELINES ?? 2);
const STEPS = Number(process.env.SCENARIO_STEPS ?? 3);
const FIRST_SEED = Number(process.env.SCENARIO_SEED ?? 1);
const seeds = Array.from({ length: TIMELINES }, (_, i) => FIRST_SEED + i);

/** Alerts (not feed notices) a path's receivers got. */
function alertMessages(outcome: StepOutcome): number {
  const { slack, webhook, email } = outcome.service.snapshot.messages;
  return [...slack, ...webhook, ...email].filter((m) => !m.includes('Feed failing')).length;
}

describe('random timelines, two paths', () => {
  it.each(seeds)(
    'seed %i',
    async (seed) => {
      const rng = prng(seed);
      const state = initialState(rng);
      const world = await startScenarioWorld();
      const [service, once] = await Promise.all([startServicePath(world), startOncePath(world)]);
      try {
        let last: StepOutcome | null = null;
        const history: string[] = [];
        for (let step = 1; step <= STEPS; step++) {
          history.push(`step ${step}: ${(await randomEvents(rng, world, state)).join('; ') || 'nothing'}`);
          await Promise.all([service.setPaused(state.paused), once.setPaused(state.paused)]);
          last = await stepBoth({ service, once }, `seed ${seed}, ${history.join(' | ')}`, last);
          // Every message is one delivery, and every sent delivery one message: nothing twice.
          const sent = last.service.snapshot.deliveries.filter((d) => d.includes('"status":"sent"')).length;
          expect(alertMessages(last), `seed ${seed}: messages vs sent deliveries`).toBe(sent);
          // Every version of every item a live, polled feed carries is the version stored.
          for (const [feedId, feed] of world.site.feeds) {
            if (feed.down || state.paused.has(feedId)) continue;
            for (const item of feed.items) {
              const url = `${world.site.base}${item.path}`;
              const row = last.service.snapshot.articles.find((a) => a.includes(`"canonical_url":"${url}"`));
              expect(row, `seed ${seed}: ${feedId} ${item.guid} stored at ${url}`).toBeDefined();
              expect(row).toContain(JSON.stringify(item.paragraphs.at(-1)).slice(1, -1));
            }
          }
        }
        expectPaced(`seed ${seed}: service`, service.receivers, PACE_MS);
        expectPaced(`seed ${seed}: run --once`, once.receivers, PACE_MS);
      } finally {
        await Promise.all([service.close(), once.close()]);
        await world.close();
      }
    },
    600_000,
  );
});
