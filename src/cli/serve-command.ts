/**
 * `cli serve`: the dashboard and its API over the configured database (the embedded one by default),
 * for `run --once` users who have no service running; until Ctrl-C. `npm start` serves the same
 * dashboard from its own process.
 */
import type { Command } from 'commander';
import { describeError } from '../errors.ts';
import { addFeedAndSync } from '../pipeline/add-feed.ts';
import { openContext } from '../pipeline/open-context.ts';
import { explainArticle } from '../tagging/explain-article.ts';
import { createDashboard } from '../web/dashboard-server.ts';
import { problem, type CliDeps } from './cli-io.ts';

export interface ServeCommandDeps extends CliDeps {
  /** Resolves when the server should stop. @defaultValue the first SIGINT or SIGTERM */
  stopSignal?: () => Promise<void>;
}

function firstSignal(): Promise<void> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
}

export function registerServeCommand(program: Command, deps: ServeCommandDeps): Command {
  return program
    .command('serve')
    .description('serve the dashboard and its JSON API on HOST:PORT (default 127.0.0.1:3000) until Ctrl-C')
    .action(async () => {
      const settings = deps.loadSettings();
      if (settings.PORT === 0) return problem(deps.io, 'serve: PORT is 0, which turns the dashboard off');
      const ctx = await openContext({ settings, log: deps.log });
      const app = createDashboard({
        db: ctx.db,
        settings,
        names: () => ctx.names,
        explain: (article) => explainArticle(article, ctx.matcher()),
        rules: () => ctx.alerts.rules,
        addFeed: (url, opts) => addFeedAndSync(ctx, url, opts),
      });
      try {
        await app.listen({ port: settings.PORT, host: settings.HOST });
        const host = settings.HOST.includes(':') ? `[${settings.HOST}]` : settings.HOST;
        deps.io.stdout.write(`dashboard on http://${host}:${settings.PORT}/ (Ctrl-C stops it)\n`);
        await (deps.stopSignal ?? firstSignal)();
      } catch (error) {
        problem(deps.io, `serve: ${settings.HOST}:${settings.PORT}: ${describeError(error)}`);
      } finally {
        await app.close();
        await ctx.close();
      }
    });
}
