/**
 * The login form: a browser gives the dashboard token once and gets a session cookie (session.ts), so
 * the feed forms and bull-board's buttons work without JavaScript or a bearer header.
 */
import type { FastifyInstance } from 'fastify';
import { html } from './html.ts';
import { sendPage } from './replies.ts';
import { authOf, CLEARED_SESSION_COOKIE, localPath, sameSecret, sessionCookie } from './session.ts';

/** Slows guessing down: each wrong token waits this long before its answer. */
const WRONG_TOKEN_DELAY_MS = 500;

function loginForm(next: string, message?: { error?: string; info?: string }) {
  return html`${message?.error ? html`<p class="error" role="alert">${message.error}</p>` : ''}
${message?.info ? html`<p class="notice" role="status">${message.info}</p>` : ''}
<form method="post" action="/login" class="filters login">
  <input type="hidden" name="next" value="${next}">
  <label>Dashboard token <input type="password" name="token" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>
<p class="count">The token is the service's <code>DASHBOARD_TOKEN</code>. Adding, pausing and resuming feeds, and the queue actions, need it.</p>`;
}

export function registerLoginRoutes(app: FastifyInstance, token: string | undefined): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.get('/login', async (request, reply) => {
    const next = localPath((request.query as { next?: unknown }).next);
    const page = !token
      ? html`<p class="error">Writes are off: the service has no <code>DASHBOARD_TOKEN</code>. Set one (16 characters or more) and restart it.</p>`
      : authOf(request, token)
        ? html`<p class="notice">You are logged in.</p>
<form method="post" action="/logout" class="inline"><button type="submit">Log out</button></form>`
        : loginForm(next);
    return sendPage(reply, 'Log in', page);
  });

  app.post('/login', async (request, reply) => {
    const body = (request.body ?? {}) as { token?: unknown; next?: unknown };
    const next = localPath(body.next);
    const given = typeof body.token === 'string' ? body.token : '';
    if (!token || !sameSecret(given, token)) {
      await new Promise((resolve) => setTimeout(resolve, WRONG_TOKEN_DELAY_MS));
      reply.code(token ? 401 : 403);
      const error = token ? 'That is not the dashboard token.' : 'Writes are off: no DASHBOARD_TOKEN is set.';
      return sendPage(reply, 'Log in', loginForm(next, { error }));
    }
    const secure = request.protocol === 'https';
    return reply.header('set-cookie', sessionCookie(token, secure)).redirect(next, 303);
  });

  app.post('/logout', async (_request, reply) =>
    reply.header('set-cookie', CLEARED_SESSION_COOKIE).redirect('/', 303),
  );
}
