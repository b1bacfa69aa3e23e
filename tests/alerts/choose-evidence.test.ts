import { describe, expect, it } from 'vitest';
import { chooseEvidence, MAX_QUOTE_CHARS, MAX_EVIDENCE_SENTENCES } from '../../src/alerts/choose-evidence.ts';
import type { EvidenceSentence, MatchedTerm } from '../../src/alerts/evaluate-rule.ts';

/** The seed article's headline and sentences (tests/fixtures/stories/seed--witkoff-miami-talks.txt). */
const TITLE = 'Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase of Gaza ceasefire';
const LEAD =
  'Washington D.C. – US President Donald Trump’s special envoy Steve Witkoff will hold crucial talks with senior officials from Qatar, Egypt, and Turkey in Miami on Friday to advance the next phase of the Gaza ceasefire deal.';
const MINISTERS =
  'Turkish Foreign Minister Hakan Fidan confirmed his attendance at the talks, while Qatari Prime Minister Mohammed bin Abdul Rahman al-Thani and Egyptian Foreign Minister Badr Abdelatty are also expected to participate.';
const MEDIATORS =
  'These nations have served as essential mediators between Israel and Hamas, working alongside Washington to establish and maintain the fragile peace agreement.';
const ENVOYS =
  'Steve Witkoff and Trump’s son-in-law Jared Kushner played pivotal roles in the shuttle diplomacy that led to the deal ending the Gaza war, which was sparked by Hamas’s October 2023 attack on Israel.';
const FORCE =
  'Additionally, an international stabilization force is scheduled for deployment to ensure security and prevent violations of the ceasefire terms.';
const NETANYAHU =
  'Israeli Prime Minister Benjamin Netanyahu is expected to meet Trump at his Mar-a-Lago resort in Florida on December 29, as the US president pushes for a longer-term deal that extends beyond the current Gaza ceasefire framework.';

const title = (start: number): EvidenceSentence => ({ field: 'title', start, sentence: TITLE });
const text = (start: number, sentence: string): EvidenceSentence => ({ field: 'text', start, sentence });
const actor = (id: string, ...evidence: EvidenceSentence[]): MatchedTerm => ({ kind: 'actor', id, evidence });
const keyword = (t: string, ...evidence: EvidenceSentence[]): MatchedTerm => ({
  kind: 'keyword',
  text: t,
  evidence,
});

describe('chooseEvidence', () => {
  it.each<{ name: string; terms: MatchedTerm[]; expected: string[] }>([
    { name: 'no-terms', terms: [], expected: [] },
    {
      name: 'terms-without-evidence',
      terms: [{ kind: 'feed', id: 'wire', evidence: [] }, actor('qatar')],
      expected: [],
    },
    {
      name: 'body-over-title',
      terms: [actor('qatar', title(33), text(131, LEAD), text(1119, MINISTERS))],
      expected: [LEAD],
    },
    {
      name: 'title-only-when-nowhere-else',
      terms: [keyword('hold Miami talks', title(0))],
      expected: [TITLE],
    },
    {
      name: 'title-for-the-condition-missing-from-the-body-only',
      terms: [actor('egypt', title(40), text(140, LEAD)), keyword('hold Miami talks', title(0))],
      expected: [TITLE, LEAD],
    },
    {
      name: 'one-sentence-holding-both-over-earlier-sentences',
      terms: [
        actor('steve-witkoff', title(0), text(93, LEAD), text(1430, ENVOYS)),
        actor('jared-kushner', text(1475, ENVOYS)),
      ],
      expected: [ENVOYS],
    },
    {
      name: 'one-sentence-covering-three-terms',
      terms: [
        actor('hakan-fidan', text(1119, MINISTERS)),
        actor('badr-abdelatty', text(1270, MINISTERS)),
        keyword('talks', text(131, LEAD), text(1119, MINISTERS)),
      ],
      expected: [MINISTERS],
    },
    {
      name: 'one-per-term-in-reading-order',
      terms: [actor('benjamin-netanyahu', text(4000, NETANYAHU)), actor('hamas', text(1300, MEDIATORS))],
      expected: [MEDIATORS, NETANYAHU],
    },
    {
      name: 'tie-takes-the-earliest',
      terms: [actor('israel', text(1600, ENVOYS), text(1300, MEDIATORS))],
      expected: [MEDIATORS],
    },
    {
      name: 'capped',
      terms: [
        actor('egypt', text(140, LEAD)),
        actor('hakan-fidan', text(1119, MINISTERS)),
        actor('hamas', text(1300, MEDIATORS)),
        actor('jared-kushner', text(1475, ENVOYS)),
        actor('international-stabilization-force', text(2200, FORCE)),
      ],
      expected: [LEAD, MINISTERS, MEDIATORS],
    },
    {
      name: 'same-sentence-from-two-terms-once',
      terms: [
        actor('international-stabilization-force', text(2215, FORCE)),
        keyword('stabilization force', text(2200, FORCE)),
      ],
      expected: [FORCE],
    },
    {
      name: 'same-sentence-twice-in-one-term-once',
      terms: [actor('israel', text(1360, MEDIATORS), text(1300, MEDIATORS))],
      expected: [MEDIATORS],
    },
    {
      // The tagger's sentence and the keyword's sentence differ only by a line break and padding.
      name: 'whitespace-differences-are-the-same-sentence',
      terms: [
        actor('egypt', text(140, ` ${LEAD.replace('Qatar, Egypt,', 'Qatar,\nEgypt,')} `)),
        keyword('Miami', text(0, LEAD)),
      ],
      expected: [LEAD],
    },
    {
      name: 'blank-sentence-skipped',
      terms: [actor('hamas', text(0, '  '), text(1300, MEDIATORS))],
      expected: [MEDIATORS],
    },
  ])('$name', ({ terms, expected }) => {
    expect(chooseEvidence(terms)).toEqual(expected);
  });

  it('never-more-than-the-cap', () => {
    const terms = Array.from({ length: 10 }, (_, i) => actor(`a${i}`, text(i * 10, `Sentence ${i}.`)));
    expect(chooseEvidence(terms)).toHaveLength(MAX_EVIDENCE_SENTENCES);
  });

  it('long-sentence-clipped', () => {
    const long = `${'The ceasefire talks continued. '.repeat(20).trim()}`;
    const [quoted] = chooseEvidence([keyword('ceasefire', text(0, long))]);
    expect(quoted?.length).toBeLessThanOrEqual(MAX_QUOTE_CHARS);
    expect(quoted?.length).toBeGreaterThan(MAX_QUOTE_CHARS - 10);
    expect(quoted).toMatch(/…$/);
    expect(long.startsWith((quoted ?? '').slice(0, -1))).toBe(true);
  });
});
