/**
 * One step of a timeline on both paths at once, and the checks that hold after every step: the two
 * paths have the same rows, the same messages at their receivers and the same digest; both keep the
 * alert pace.
 */
import { expect } from 'vitest';
import type { PipelinePath, StepResult } from './pipeline-paths.ts';
import { arrivals, type Receivers, type Snapshot } from './snapshot.ts';

export interface BothPaths {
  service: PipelinePath;
  once: PipelinePath;
}

export interface StepOutcome {
  service: StepResult;
  once: StepResult;
  /** Messages each path's receivers got in this step (alerts and notices), same for both paths. */
  newMessages: Snapshot['messages'];
}

const ROWS = ['articles', 'stories', 'tags', 'mentions', 'items', 'feeds', 'deliveries'] as const;
const CHANNELS = ['slack', 'webhook', 'email'] as const;

/** The multiset difference `after − before`, sorted: what arrived during a step. */
function added(after: string[], before: string[]): string[] {
  const left = new Map<string, number>();
  for (const m of before) left.set(m, (left.get(m) ?? 0) + 1);
  return after.filter((m) => {
    const n = left.get(m) ?? 0;
    if (n === 0) return true;
    left.set(m, n - 1);
    return false;
  });
}

/** Asserts that two paths agree, field by field, so a failure names what differs. */
export function expectSamePaths(label: string, service: StepResult, once: StepResult): void {
  for (const key of ROWS) {
    expect(once.snapshot[key], `${label}: ${key} rows (run --once vs service)`).toEqual(
      service.snapshot[key],
    );
  }
  for (const channel of CHANNELS) {
    expect(
      once.snapshot.messages[channel],
      `${label}: messages at the ${channel} receiver (run --once vs service)`,
    ).toEqual(service.snapshot.messages[channel]);
  }
  expect(once.digest, `${label}: digest (run --once vs service)`).toBe(service.digest);
}

/**
 * Runs one round on both paths in parallel (they share the site, nothing else) and compares them.
 * `before` is the previous step's outcome, to tell what arrived in this one.
 */
export async function stepBoth(
  paths: BothPaths,
  label: string,
  before: StepOutcome | null,
): Promise<StepOutcome> {
  const [service, once] = await Promise.all([paths.service.step(), paths.once.step()]);
  expectSamePaths(label, service, once);
  const previous = before?.service.snapshot.messages ?? { slack: [], webhook: [], email: [] };
  return {
    service,
    once,
    newMessages: {
      slack: added(service.snapshot.messages.slack, previous.slack),
      webhook: added(service.snapshot.messages.webhook, previous.webhook),
      email: added(service.snapshot.messages.email, previous.email),
    },
  };
}

/**
 * The pace at the receivers: alerts go out one at a time, at most one start per `paceMs`. A message
 * arrives before its send finishes, and the next send starts after that and at least `paceMs` after
 * the previous start, so any two alerts two apart arrived at least `paceMs` apart, whatever the load
 * (consecutive ones may be closer when one send was slow). Returns the smallest such distance.
 */
export function expectPaced(label: string, receivers: Receivers, paceMs: number): number {
  const times = arrivals(receivers)
    .filter((a) => a.alert)
    .map((a) => a.at);
  let smallest = Infinity;
  for (let i = 0; i + 2 < times.length; i++) {
    smallest = Math.min(smallest, (times[i + 2] as number) - (times[i] as number));
  }
  // 2 ms for the millisecond clock rounding both ends.
  expect(smallest, `${label}: alerts two apart arrived closer than the pace`).toBeGreaterThanOrEqual(
    paceMs - 2,
  );
  return smallest;
}

/** The messages of one step that are about the article whose title contains `title`. */
export function messagesAbout(messages: Snapshot['messages'], title: string): string[] {
  return [...messages.slack, ...messages.webhook, ...messages.email].filter((m) => m.includes(title));
}
