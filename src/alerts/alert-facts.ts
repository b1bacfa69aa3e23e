/** What every alert channel links, decided once so that Slack, email, the digest and Atom agree. */

/** The article URL when it is a web link; anything else (javascript:, relative, garbage) is shown, not linked. */
export function webUrl(url: string): URL | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : null;
  } catch {
    return null;
  }
}
