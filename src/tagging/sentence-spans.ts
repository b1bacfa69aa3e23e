/**
 * The sentences of a text as the tagger cuts them (src/tagging/split-sentences.ts), with their
 * offsets into the original string: what an alert quotes when a keyword, not a tag, made it fire.
 */
import { foldText, originalRange } from './fold-text.ts';
import { splitSentences } from './split-sentences.ts';
import { tokenizeText } from './tokenize-text.ts';

export interface SentenceSpan {
  /** UTF-16 offsets into the original text. */
  start: number;
  end: number;
  /** The sentence as written, trimmed, with its closing quote or bracket. */
  text: string;
}

/**
 * @example
 * sentenceSpans('Hamas spoke. Qatar replied.').map((s) => s.text); // ['Hamas spoke.', 'Qatar replied.']
 */
export function sentenceSpans(original: string): SentenceSpan[] {
  const folded = foldText(original);
  const tokens = tokenizeText(folded.text);
  const sentences = splitSentences(folded.text, tokens);
  const spans: SentenceSpan[] = [];
  for (let i = 0; i < sentences.firstToken.length; i++) {
    const first = sentences.firstToken[i] as number;
    const endToken = sentences.endToken[i] as number;
    if (endToken <= first) continue;
    const [start, end] = originalRange(
      folded,
      tokens.start[first] as number,
      tokens.end[endToken - 1] as number,
    );
    let open = start;
    let stop = end;
    // Quotes and brackets around a sentence belong to it (the tokenizer skips them): an opening one
    // before it, a closing one after it.
    while (open > 0 && /["'“‘([«]/.test(original[open - 1] as string)) open--;
    while (stop < original.length && /["'”’)\]»]/.test(original[stop] as string)) stop++;
    spans.push({ start: open, end: stop, text: original.slice(open, stop).trim() });
  }
  return spans;
}
