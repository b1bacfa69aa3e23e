/**
 * Who may write: the dashboard token, given as `Authorization: Bearer <token>` (API clients) or once
 * in the login form, which sets a session cookie (browsers, which cannot send a bearer header from a
 * plain form). The cookie holds an HMAC of a fixed label keyed by the token, never the token itself:
 * changing DASHBOARD_TOKEN logs every browser out, and a leaked cookie does not give the token away.
 * SameSite=Strict keeps other sites' forms from riding on it; writes also check Origin when sent.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'cw_session';
/** A week: someone who pauses feeds now and then should not log in every morning. */
const SESSION_MAX_AGE_S = 7 * 24 * 3600;

/** Constant-time comparison of two strings of any length (hashed first, so lengths do not leak). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function sessionValue(token: string): string {
  return createHmac('sha256', token).update('ceasefire-watch dashboard session').digest('base64url');
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return null;
}

/** The one cookie this server sets; its value is base64url, so no quoting or decoding is involved. */
function sessionCookieOf(request: FastifyRequest): string | null {
  const match = /(?:^|;\s*)cw_session=([A-Za-z0-9_-]+)/.exec(request.headers.cookie ?? '');
  return match?.[1] ?? null;
}

/** How a request proved it holds the token, if it did. */
export function authOf(request: FastifyRequest, token: string | undefined): 'bearer' | 'cookie' | null {
  if (!token) return null;
  const bearer = bearerOf(request);
  if (bearer !== null && sameSecret(bearer, token)) return 'bearer';
  const cookie = sessionCookieOf(request);
  if (cookie !== null && sameSecret(cookie, sessionValue(token))) return 'cookie';
  return null;
}

/**
 * A cookie-borne write from another site is refused: SameSite=Strict already stops browsers that
 * honour it, and this stops the rest. Browsers say where a request comes from in Sec-Fetch-Site
 * ('same-origin' for our own forms, 'none' for one a person typed); without it, Origin is compared
 * with Host. An `Origin: null` (a sandboxed frame, or a page whose referrer policy hides it) is
 * not ours to trust. Neither header (curl, older browsers) passes: the cookie still had to be there.
 */
export function crossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return origin === 'null' || new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_S}${secure ? '; Secure' : ''}`;
}

export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

/** Where to go after logging in: a path on this site only, never `//elsewhere` or a full URL. */
export function localPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}
