import { describe, expect, it } from 'vitest';
import { foldText } from '../../src/tagging/fold-text.ts';
import { sentenceSpans } from '../../src/tagging/sentence-spans.ts';

/**
 * The opening of story t003 (turkiyetoday.com) of the tagging dev set (shared/datasets/tagging/dev.jsonl),
 * written as some pages deliver it: ü decomposed (u + U+0308, as text pasted from macOS arrives) and a
 * soft hyphen. Folding drops both, so folded offsets run behind the original ones.
 */
const FIDAN_NFC =
  'Foreign Minister Hakan Fidan told Al Jazeera on Thursday that Türkiye stands ready to do whatever it takes to support the road to peace in the Gaza Strip, and that this includes sending forces if they are needed.\n\nHe emphasised that Ankara is willing to take on every responsibility required to help settle the Palestinian issue by peaceful means. Türkiye wants the agreement to keep moving, he said, and does not want to see it stall.';
const FIDAN_FOLD_CHANGES_LENGTH = FIDAN_NFC.normalize('NFD').replace(
  'responsibility',
  'responsi\u00ADbility',
);

describe('sentenceSpans', () => {
  it.each<{ name: string; text: string; expected: string[] }>([
    { name: 'empty', text: '', expected: [] },
    { name: 'blank', text: ' \n ', expected: [] },
    {
      name: 'two-sentences',
      text: 'Hamas spoke. Qatar replied.',
      expected: ['Hamas spoke.', 'Qatar replied.'],
    },
    {
      name: 'us-abbreviation-mid-sentence',
      text: 'The U.S. envoy met the mediators in Miami. Qatar replied.',
      expected: ['The U.S. envoy met the mediators in Miami.', 'Qatar replied.'],
    },
    {
      // t016 (anewz.tv), verbatim.
      name: 'us-abbreviation-opens-sentence',
      text: "U.S. officials and reporting by Politico say that Indonesia, Azerbaijan and Pakistan are holding preliminary discussions about supplying troops to an international stabilization force in the Gaza Strip.\n\nSuch a deployment is a core part of U.S. President Donald Trump's 20-point peace plan, which seeks a durable end to the war between Israel and Hamas.",
      expected: [
        'U.S. officials and reporting by Politico say that Indonesia, Azerbaijan and Pakistan are holding preliminary discussions about supplying troops to an international stabilization force in the Gaza Strip.',
        "Such a deployment is a core part of U.S. President Donald Trump's 20-point peace plan, which seeks a durable end to the war between Israel and Hamas.",
      ],
    },
    {
      name: 'initials-in-place-name',
      text: 'Washington D.C. – US President Donald Trump’s special envoy Steve Witkoff will hold crucial talks in Miami on Friday. A White House official confirmed it.',
      expected: [
        'Washington D.C. – US President Donald Trump’s special envoy Steve Witkoff will hold crucial talks in Miami on Friday.',
        'A White House official confirmed it.',
      ],
    },
    {
      // t036 (gdnonline.com), verbatim: the straight closing quote after the full stop stays.
      name: 'closing-straight-quote-kept',
      text: 'More consultations are planned over the next few weeks, he added, with the aim to "advance the implementation of the second phase."\n\nThe statement was issued after a summit in Miami.',
      expected: [
        'More consultations are planned over the next few weeks, he added, with the aim to "advance the implementation of the second phase."',
        'The statement was issued after a summit in Miami.',
      ],
    },
    {
      // The seed article, verbatim: the curly closing quote after the full stop stays.
      name: 'closing-curly-quote-kept',
      text: 'President Trump said in a televised address to the nation on Wednesday that the Gaza ceasefire had brought peace to the Middle East “for the first time in 3,000 years.” While this characterization represents significant rhetorical optimism, it also reflects the administration’s determination.',
      expected: [
        'President Trump said in a televised address to the nation on Wednesday that the Gaza ceasefire had brought peace to the Middle East “for the first time in 3,000 years.”',
        'While this characterization represents significant rhetorical optimism, it also reflects the administration’s determination.',
      ],
    },
    {
      name: 'closing-bracket-kept',
      text: 'Indonesia and Azerbaijan lie outside the area covered by U.S. Central Command (CENTCOM.) Coordination is harder.',
      expected: [
        'Indonesia and Azerbaijan lie outside the area covered by U.S. Central Command (CENTCOM.)',
        'Coordination is harder.',
      ],
    },
    {
      // A subhead has no full stop: the line break ends it.
      name: 'subhead-line-is-its-own-sentence',
      text: 'Key Players in Gaza Ceasefire Negotiations\nThe Miami summit will bring together critical regional stakeholders.',
      expected: [
        'Key Players in Gaza Ceasefire Negotiations',
        'The Miami summit will bring together critical regional stakeholders.',
      ],
    },
    {
      name: 'diacritics-kept-as-written',
      text: FIDAN_FOLD_CHANGES_LENGTH,
      expected: [
        FIDAN_FOLD_CHANGES_LENGTH.slice(0, FIDAN_FOLD_CHANGES_LENGTH.indexOf('\n')),
        'He emphasised that Ankara is willing to take on every responsi\u00ADbility required to help settle the Palestinian issue by peaceful means.',
        'Tu\u0308rkiye wants the agreement to keep moving, he said, and does not want to see it stall.',
      ],
    },
  ])('$name', ({ text, expected }) => {
    const spans = sentenceSpans(text);
    expect(spans.map((s) => s.text)).toEqual(expected);
    let previousEnd = 0;
    for (const span of spans) {
      // Offsets point into the original string, whatever folding did to its length.
      expect(text.slice(span.start, span.end).trim()).toBe(span.text);
      expect(span.start).toBeGreaterThanOrEqual(previousEnd);
      expect(span.end).toBeGreaterThan(span.start);
      previousEnd = span.end;
    }
  });

  it('folding-changes-length-offsets-still-original', () => {
    // The premise: folding this text shortens it, so folded offsets would point elsewhere.
    expect(foldText(FIDAN_FOLD_CHANGES_LENGTH).text.length).toBeLessThan(FIDAN_FOLD_CHANGES_LENGTH.length);
    const [, second, third] = sentenceSpans(FIDAN_FOLD_CHANGES_LENGTH);
    expect(second?.start).toBe(FIDAN_FOLD_CHANGES_LENGTH.indexOf('He emphasised'));
    expect(third?.start).toBe(FIDAN_FOLD_CHANGES_LENGTH.lastIndexOf('Tu\u0308rkiye'));
    expect(third?.end).toBe(FIDAN_FOLD_CHANGES_LENGTH.length);
  });

  it('curly-quotes-and-dashes-keep-offsets', () => {
    const text = 'Washington D.C. – Trump’s envoy spoke. “Hamas must disarm,” Erdoğan’s adviser said.';
    const spans = sentenceSpans(text);
    expect(spans[0]).toEqual({ start: 0, end: 38, text: 'Washington D.C. – Trump’s envoy spoke.' });
    expect(text.slice(spans[1]?.start, spans[1]?.end)).toContain('Erdoğan’s adviser said.');
  });

  // Known defect (see the report on issue 9): the span starts at the first token, so an opening quote
  // or bracket is cut off while its closing one is kept: the seed's Erdogan quote is shown as
  // `Turkey will continue …, that justice is served,” Erdogan declared, …`. Flip to `it` once fixed.
  it('opening-quote-kept', () => {
    const text =
      'Turkish President Recep Tayyip Erdogan emphasized his nation’s dedication to the Gaza ceasefire during a speech on Wednesday. “Turkey will continue to fight determinedly on every front to ensure that what is happening in Gaza is not forgotten, that justice is served,” Erdogan declared.';
    expect(sentenceSpans(text)[1]?.text).toBe(
      '“Turkey will continue to fight determinedly on every front to ensure that what is happening in Gaza is not forgotten, that justice is served,” Erdogan declared.',
    );
  });
});
