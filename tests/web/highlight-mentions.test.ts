import { describe, expect, it } from 'vitest';
import type { Mention } from '../../src/model.ts';
import { highlightMentions } from '../../src/web/highlight-mentions.ts';

const text = 'Steve Witkoff met Qatar and Egypt on the second phase.';
const at = (kind: Mention['kind'], id: string, words: string, field: Mention['field'] = 'text'): Mention => {
  const start = text.indexOf(words);
  return { kind, id, field, start, end: start + words.length, text: words, sentence: text };
};

describe('highlightMentions', () => {
  it('cuts the text at each mention, in order, whatever order they come in', () => {
    expect(
      highlightMentions(
        text,
        [at('phase', 'phase-two', 'second phase'), at('actor', 'steve-witkoff', 'Steve Witkoff')],
        'text',
      ),
    ).toEqual([
      { text: 'Steve Witkoff', mention: { kind: 'actor', id: 'steve-witkoff' } },
      { text: ' met Qatar and Egypt on the ' },
      { text: 'second phase', mention: { kind: 'phase', id: 'phase-two' } },
      { text: '.' },
    ]);
  });

  it('keeps the longer of two mentions that overlap, and never nests them', () => {
    const pieces = highlightMentions(
      text,
      [at('actor', 'witkoff', 'Witkoff'), at('actor', 'steve-witkoff', 'Steve Witkoff')],
      'text',
    );
    expect(pieces.filter((p) => 'mention' in p)).toEqual([
      { text: 'Steve Witkoff', mention: { kind: 'actor', id: 'steve-witkoff' } },
    ]);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
  });

  it('leaves out mentions of the other field and offsets outside the text', () => {
    const title = at('actor', 'qatar', 'Qatar', 'title');
    const stale: Mention = { ...at('actor', 'egypt', 'Egypt'), start: 50, end: 90 };
    expect(highlightMentions(text, [title, stale], 'text')).toEqual([{ text }]);
    expect(highlightMentions('', [], 'text')).toEqual([]);
  });
});
