/**
 * The answers every dashboard route module gives alike: a page in the layout, a 400 naming the query
 * parameter at fault, and a one-line error message as a page.
 */
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';

/** A full page in the dashboard's layout; `head` adds links to the head (an Atom feed's alternate). */
export function sendPage(reply: FastifyReply, title: string, body: SafeHtml, head: SafeHtml | null = null) {
  return reply.type('text/html; charset=utf-8').send(layout(title, body, head));
}

export function errorMessage(message: string): SafeHtml {
  return html`<p class="error">${message}</p>`;
}

/** A 400 naming the query parameter at fault, as JSON or as a page. */
export function badQuery(reply: FastifyReply, error: z.ZodError, asJson: boolean) {
  const issue = error.issues[0];
  const message = `query parameter ${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}`;
  reply.code(400);
  return asJson ? { error: message } : sendPage(reply, 'Bad request', errorMessage(message));
}
