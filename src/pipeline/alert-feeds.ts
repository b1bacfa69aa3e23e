/**
 * The per-rule Atom feeds (`GET /alerts/<rule-id>.atom`): the web server of src/web fed from the
 * alert deliveries in the database, so that any feed reader can subscribe to a rule.
 */
import type { Server } from 'node:http';
import type { AlertRule } from '../model.ts';
import type { Db } from '../store/db.ts';
import { listSentAlerts } from '../store/deliveries.ts';
import { createAlertFeedServer, type AlertFeedServerOptions } from '../web/serve-alert-feeds.ts';
import type { PipelineContext } from './steps.ts';

/** Entries per feed: a reader polling hourly never misses one at the alert volumes rules produce. */
export const ALERT_FEED_ENTRIES = 100;

/**
 * The feeds of these rules over the database: what the standalone server (ALERT_FEEDS_PORT) and the
 * dashboard's route (src/web/alert-routes.ts) both serve.
 *
 * @example
 * const answer = await answerAlertFeed(ruleFeedOptions(db, ctx.alerts.rules), request);
 */
export function ruleFeedOptions(
  db: Db,
  rules: readonly Pick<AlertRule, 'id' | 'description'>[],
  onError?: AlertFeedServerOptions['onError'],
): AlertFeedServerOptions {
  return {
    rules: rules.map((r) => r.id),
    descriptions: Object.fromEntries(rules.flatMap((r) => (r.description ? [[r.id, r.description]] : []))),
    listAlerts: async (ruleId) =>
      (await listSentAlerts(db, ruleId, ALERT_FEED_ENTRIES)).map((a) => ({ ...a, reasons: [] })),
    onError,
  };
}

export function createRuleFeedServer(ctx: PipelineContext): Server {
  return createAlertFeedServer(
    ruleFeedOptions(ctx.db, ctx.alerts.rules, (error, ruleId) =>
      ctx.log.error({ rule_id: ruleId, err: String(error) }, 'alert feed failed'),
    ),
  );
}
