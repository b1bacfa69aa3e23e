/** What every alert channel shows of an article, chosen once so that Slack and email agree. */
import type { TaggedArticle } from '../model.ts';

/** The article URL when it is a web link; anything else (javascript:, relative, garbage) is shown, not linked. */
export function webUrl(url: string): URL | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : null;
  } catch {
    return null;
  }
}

/** The evidence sentence: the first mention in reading order (title first), else the first tag's evidence. */
export function firstEvidence(article: TaggedArticle): string | null {
  const mentions = [...article.tags.mentions].sort((a, b) =>
    a.field === b.field ? a.start - b.start : a.field === 'title' ? -1 : 1,
  );
  const sentence =
    mentions[0]?.sentence ?? article.tags.actors[0]?.evidence ?? article.tags.phases[0]?.evidence ?? '';
  return sentence.trim() === '' ? null : sentence.trim();
}
