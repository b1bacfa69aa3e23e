/**
 * The per-rule Atom feeds (`GET /alerts/<rule-id>.atom`): the web server of src/web fed from the
 * alert deliveries in the database, so that any feed reader can subscribe to a rule.
 */
import type { Server } from 'node:http';
import { listSentAlerts } from '../store/deliveries.ts';
import { createAlertFeedServer } from '../web/serve-alert-feeds.ts';
import type { PipelineContext } from './steps.ts';

/** Entries per feed: a reader polling hourly never misses one at the alert volumes rules produce. */
export const ALERT_FEED_ENTRIES = 100;

export function createRuleFeedServer(ctx: PipelineContext): Server {
  const rules = ctx.alerts.rules;
  return createAlertFeedServer({
    rules: rules.map((r) => r.id),
    descriptions: Object.fromEntries(rules.flatMap((r) => (r.description ? [[r.id, r.description]] : []))),
    listAlerts: async (ruleId) =>
      (await listSentAlerts(ctx.db, ruleId, ALERT_FEED_ENTRIES)).map((a) => ({ ...a, reasons: [] })),
    onError: (error, ruleId) => ctx.log.error({ rule_id: ruleId, err: String(error) }, 'alert feed failed'),
  });
}
