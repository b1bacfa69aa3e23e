/**
 * The per-rule Atom feeds on their own (`docker compose` runs this as a service): reads the database,
 * needs no Redis. `npm start` serves the same feeds from its one process.
 */
import { loadSettings } from '../src/config/settings.ts';
import { describeError } from '../src/errors.ts';
import { log } from '../src/log.ts';
import { createRuleFeedServer } from '../src/pipeline/alert-feeds.ts';
import { openContext } from '../src/pipeline/open-context.ts';

try {
  const settings = loadSettings();
  const ctx = await openContext({ settings });
  const server = createRuleFeedServer(ctx);
  server.on('error', (err) => {
    process.stderr.write(`ceasefire-watch: alert feeds: ${err.message}\n`);
    process.exit(1);
  });
  server.listen(settings.ALERT_FEEDS_PORT, settings.ALERT_FEEDS_HOST, () =>
    log.info({ port: settings.ALERT_FEEDS_PORT }, 'alert feeds served'),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => server.close(() => void ctx.close().then(() => process.exit(0))));
  }
} catch (error) {
  process.stderr.write(`ceasefire-watch: ${describeError(error)}\n`);
  process.exit(1);
}
