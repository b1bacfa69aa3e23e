/**
 * The phase tracker's routes: `GET /tracker` (the page) and `GET /api/tracker` (the same numbers as
 * JSON, with each tag's display name). The range defaults to the last 30 days ending today, UTC.
 */
import type { FastifyInstance } from 'fastify';
import { phaseTimeline, timelineRangeSchema, type TimelineRange } from '../store/phase-timeline.ts';
import type { Db } from '../store/db.ts';
import { badQuery, sendPage } from './replies.ts';
import { trackerPage } from './tracker-page.ts';

/**
 * What the tracker needs of the dashboard's `DashboardDeps` (which satisfies it): declared here, as
 * feed-routes.ts does, because importing even the type would be a cycle for `madge --circular`.
 */
export interface TrackerRoutesDeps {
  db: Db;
  /** Display names of taxonomy ids (actors and phases). */
  names: () => Readonly<Record<string, string>>;
}

/** Today in UTC, the time zone the stories page's days are in. */
const today = () => new Date().toISOString().slice(0, 10);

/**
 * Adds the tracker's page and API to the dashboard.
 *
 * @example
 * registerTrackerRoutes(app, deps); // inside createDashboard, after the hooks
 */
export function registerTrackerRoutes(app: FastifyInstance, deps: TrackerRoutesDeps): void {
  const rangeOf = (query: unknown) => timelineRangeSchema(today()).safeParse(query);
  const timelineOf = (range: TimelineRange) => phaseTimeline(deps.db, range);

  app.get('/tracker', async (request, reply) => {
    const parsed = rangeOf(request.query);
    if (!parsed.success) return badQuery(reply, parsed.error, false);
    const body = trackerPage({ timeline: await timelineOf(parsed.data), names: deps.names() });
    return sendPage(reply, 'Phase tracker', body);
  });

  app.get('/api/tracker', async (request, reply) => {
    const parsed = rangeOf(request.query);
    if (!parsed.success) return badQuery(reply, parsed.error, true);
    const timeline = await timelineOf(parsed.data);
    const names = deps.names();
    return { ...timeline, series: timeline.series.map((s) => ({ ...s, name: names[s.id] ?? s.id })) };
  });
}
