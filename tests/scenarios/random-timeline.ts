/**
 * Seeded random timelines built from the scripted timeline's events: publish (to one, two or three
 * feeds at once), edits that add an actor or change only wording, URL moves, removals and returns,
 * outages and recoveries, a feed paused and resumed (as the dashboard does), and a rule added midway. The same seed always gives the same timeline, so a
 * failing seed can be run again alone (`SCENARIO_SEED=17 SCENARIO_TIMELINES=1 npm run scenarios`).
 */
import { ADDED_RULE, SCENARIO_FEEDS, type ScenarioWorld } from './pipeline-paths.ts';

/** mulberry32: a tiny, well-known 32-bit PRNG; enough to pick events reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Sentences an editor adds, each naming an actor the stories may lack (checked with the tagger). */
export const ACTOR_SENTENCES = [
  "Qatar's Prime Minister Sheikh Mohammed bin Abdulrahman Al Thani urged both sides to hold to the truce.",
  "Egypt's Foreign Minister Badr Abdelatty said Cairo was in contact with both sides to keep the ceasefire in place.",
  'Turkish Foreign Minister Hakan Fidan said Ankara was ready to help monitor the ceasefire.',
  'US special envoy Steve Witkoff said Washington expected the ceasefire to hold.',
  'The International Stabilization Force is expected to deploy once the second phase of the ceasefire begins.',
];

/** Syndicated copies of the seed story, one per feed: a wire original and how others ran it. */
const SEED_FAMILY = ['seed', 'seed-regional', 'seed-ap', 'seed-aggregator'];
/** Stories that never cluster with each other or with the seed (tests/fixtures/stories/README.md). */
const OTHER_STORIES = ['t004', 't013', 't016', 't017', 't018', 't021', 't022', 't024', 't027', 't036'];

export interface TimelineState {
  /** Stories not yet published anywhere, in a shuffled order. */
  unpublished: string[];
  edits: Map<string, Set<number>>;
  ruleAdded: boolean;
  /** Feeds an operator paused: each path is told before its next round (PipelinePath.setPaused). */
  paused: Set<string>;
}

function pick<T>(rng: () => number, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)] as T;
}

/** Fisher–Yates on a copy. */
function shuffle<T>(rng: () => number, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function initialState(rng: () => number): TimelineState {
  return {
    unpublished: shuffle(rng, ['seed', ...OTHER_STORIES]),
    edits: new Map(),
    ruleAdded: false,
    paused: new Set(),
  };
}

/**
 * Applies one to three random events to the site (and config); returns what was done, for the
 * failure message.
 */
export async function randomEvents(
  rng: () => number,
  world: ScenarioWorld,
  state: TimelineState,
): Promise<string[]> {
  const { site } = world;
  const done: string[] = [];
  const feeds = SCENARIO_FEEDS.map((f) => f.id);
  const live = () =>
    feeds.flatMap((feed) => (site.feeds.get(feed)?.items ?? []).map((item) => ({ feed, item })));
  const events = 1 + Math.floor(rng() * 3);
  for (let e = 0; e < events; e++) {
    const choices: [number, () => Promise<void> | void][] = [];
    if (state.unpublished.length > 0) {
      choices.push([
        4,
        () => {
          const story = state.unpublished.shift() as string;
          // One, two or three feeds carry it in this round: the same story syndicated.
          const count = 1 + Math.floor(rng() * 3);
          const targets = shuffle(rng, feeds).slice(0, count);
          targets.forEach((feed, i) => {
            site.publish(feed, story === 'seed' ? (SEED_FAMILY[i] as string) : story);
          });
          done.push(`publish ${story} to ${targets.join(', ')}`);
        },
      ]);
    }
    const items = live();
    if (items.length > 0) {
      choices.push([
        2,
        () => {
          const { feed, item } = pick(rng, items);
          const used = state.edits.get(item.guid) ?? new Set<number>();
          const free = ACTOR_SENTENCES.map((_, i) => i).filter((i) => !used.has(i));
          if (free.length === 0) return;
          const n = pick(rng, free);
          used.add(n);
          state.edits.set(item.guid, used);
          site.addParagraph(feed, item.guid, ACTOR_SENTENCES[n] as string);
          done.push(`edit ${item.guid}: add actor sentence ${n}`);
        },
      ]);
      choices.push([
        2,
        () => {
          const { feed, item } = pick(rng, items);
          site.reword(feed, item.guid);
          done.push(`reword ${item.guid}`);
        },
      ]);
      choices.push([
        1,
        () => {
          const { feed, item } = pick(rng, items);
          site.move(feed, item.guid);
          done.push(`move ${item.guid}`);
        },
      ]);
      choices.push([
        1,
        () => {
          const { feed, item } = pick(rng, items);
          site.remove(feed, item.guid);
          done.push(`remove ${item.guid}`);
        },
      ]);
    }
    const removed = feeds.flatMap((feed) =>
      (site.feeds.get(feed)?.removed ?? []).map((item) => ({ feed, item })),
    );
    if (removed.length > 0) {
      choices.push([
        2,
        () => {
          const { feed, item } = pick(rng, removed);
          site.readd(feed, item.guid);
          done.push(`re-add ${item.guid}`);
        },
      ]);
    }
    const down = feeds.filter((f) => site.feeds.get(f)?.down);
    if (down.length === 0) {
      choices.push([
        1,
        () => {
          const feed = pick(rng, feeds);
          site.setDown(feed, true);
          done.push(`outage ${feed}`);
        },
      ]);
    } else {
      choices.push([
        2,
        () => {
          const feed = pick(rng, down);
          site.setDown(feed, false);
          done.push(`recover ${feed}`);
        },
      ]);
    }
    const polled = feeds.filter((f) => !state.paused.has(f));
    if (state.paused.size === 0) {
      choices.push([
        1,
        () => {
          const feed = pick(rng, polled);
          state.paused.add(feed);
          done.push(`pause ${feed}`);
        },
      ]);
    } else {
      choices.push([
        2,
        () => {
          const feed = pick(rng, [...state.paused]);
          state.paused.delete(feed);
          done.push(`resume ${feed}`);
        },
      ]);
    }
    if (!state.ruleAdded) {
      choices.push([
        1,
        async () => {
          state.ruleAdded = true;
          await world.addRule(ADDED_RULE);
          done.push('add rule stabilization-force');
        },
      ]);
    }
    const total = choices.reduce((sum, [w]) => sum + w, 0);
    let roll = rng() * total;
    for (const [weight, apply] of choices) {
      roll -= weight;
      if (roll < 0) {
        await apply();
        break;
      }
    }
  }
  return done;
}
