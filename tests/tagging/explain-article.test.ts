import { describe, expect, it } from 'vitest';
import { explainArticle, formatExplanation } from '../../src/tagging/explain-article.ts';
import { tagArticle } from '../../src/tagging/tag-article.ts';
import { devRecords, matcher } from './shipped-watchlist.ts';

const gazaContext =
  'The Gaza ceasefire between Israel and Hamas is holding, mediators said in a statement on the deal.';

describe('explainArticle refusals', () => {
  it.each([
    {
      name: 'exclusion-israel-katz',
      text: 'Defence Minister Israel Katz spoke.',
      kind: 'actor',
      id: 'israel',
      reason: /is inside "Israel Katz", an exclusion/,
    },
    {
      name: 'demonym-without-government-noun',
      text: 'The talks start at 10am Turkish time.',
      kind: 'actor',
      id: 'turkey',
      reason: /is not followed by a government noun \("time"\)/,
    },
    {
      name: 'capital-as-a-place',
      text: 'Talks resumed in Cairo on Monday.',
      kind: 'actor',
      id: 'egypt',
      reason: /is a place, not the government \(after "in"\)/,
    },
    {
      name: 'office-not-held-on-date',
      text: "Turkey's foreign minister arrived.",
      published: '2022-01-10',
      kind: 'actor',
      id: 'hakan-fidan',
      reason: /office \(2023-06-04\.\.\) is not held on 2022-01-10/,
    },
    {
      name: 'surname-without-full-name',
      text: 'Katz said the army would respond.',
      kind: 'actor',
      id: 'israel-katz',
      reason: /no full name or title comes before it/,
    },
    {
      name: 'modifier-before-a-private-body',
      text: 'Fitch, a U.S. credit rating agency, kept the rating.',
      kind: 'actor',
      id: 'united-states',
      reason: /before "credit"/,
    },
    {
      name: 'confusable-emir-tamim',
      text: 'Emir Tamim bin Hamad Al Thani received the delegation.',
      kind: 'actor',
      id: 'mohammed-al-thani',
      reason: /is an exclusion/,
    },
    {
      name: 'phase-name-without-context',
      title: 'Gaza ceasefire talks',
      text: `${gazaContext} Weather was fine.\n\nNothing else happened.\n\nThe second phase begins soon.`,
      kind: 'phase',
      id: 'phase-2',
      reason: /no ceasefire context/,
    },
    {
      name: 'plural-next-phases',
      title: 'Gaza ceasefire talks',
      text: `They will discuss the next phases of the deal. ${gazaContext}`,
      kind: 'phase',
      id: 'phase-2',
      reason: /look-alike/,
    },
    {
      name: 'irrelevant-article-gets-no-phases',
      title: 'What Phase 2 means in drug trials',
      text: 'Phase 2 is the second stage of clinical trials under a research plan.',
      kind: 'phase',
      id: 'phase-2',
      reason: /counts only in a relevant article/,
    },
    {
      name: 'phase-cue-of-an-earlier-deal',
      title: 'Gaza ceasefire talks',
      text: `Talks on the second phase of the deal begin. ${gazaContext}`,
      published: '2025-02-10',
      kind: 'phase',
      id: 'phase-2',
      reason: /before 2025-10-09/,
    },
    {
      name: 'dating-clause',
      title: 'Gaza ceasefire talks',
      text: `Dozens died since the ceasefire took effect on October 10. ${gazaContext}`,
      kind: 'phase',
      id: 'phase-1',
      reason: /cancelled by a dating term/,
    },
  ])('$name', ({ title = '', text, published = null, kind, id, reason }) => {
    const explanation = explainArticle({ title, text, published }, matcher);
    const tag = explanation.tags.find((t) => t.kind === kind && t.id === id);
    expect(tag?.given).toBe(false);
    expect(tag?.refused.map((r) => r.reason).join(' | ')).toMatch(reason);
  });
});

describe('explainArticle given mentions', () => {
  it.each([
    { name: 'alias', text: 'Steve Witkoff flew in.', id: 'steve-witkoff', rule: 'alias', detail: null },
    {
      name: 'office-on-date',
      text: "Turkey's foreign minister arrived.",
      id: 'hakan-fidan',
      rule: 'office',
      detail: '2023-06-04..',
    },
    { name: 'demonym-and-noun', text: 'Qatari mediators met.', id: 'qatar', rule: 'demonym', detail: null },
    { name: 'capital-and-verb', text: 'Cairo said no.', id: 'egypt', rule: 'capital', detail: null },
    {
      name: 'surname-after-full-name',
      text: 'Israel Katz spoke. Katz left.',
      id: 'israel-katz',
      rule: 'surname-after-full-name',
      detail: null,
    },
  ])('$name', ({ text, id, rule, detail }) => {
    const explanation = explainArticle({ title: '', text, published: '2025-12-01' }, matcher);
    const tag = explanation.tags.find((t) => t.id === id);
    expect(tag?.given).toBe(true);
    const mention = tag?.mentions.find((m) => m.rule === rule);
    expect(mention?.detail).toBe(detail);
    expect(text.slice(mention?.start, mention?.end)).toBe(mention?.text);
  });

  it('names the implying actor of a phase', () => {
    const text = `The Board of Peace will meet. ${gazaContext}`;
    const phase2 = explainArticle({ title: 'Gaza', text }, matcher).tags.find((t) => t.id === 'phase-2');
    expect(phase2?.mentions.map((m) => [m.rule, m.detail])).toContainEqual([
      'implied-by-actor',
      'board-of-peace',
    ]);
  });

  it('reports the relevance numbers', () => {
    const explanation = explainArticle(
      {
        title: 'Egypt opens a museum',
        text: 'Egypt opened a museum. Tourists came. The halls are vast. Cairo helped broker the Gaza deal.',
      },
      matcher,
    );
    expect(explanation.relevance).toMatchObject({
      relevant: false,
      onTopicSentences: 1,
      textSentences: 4,
      share: 0.25,
      minShare: matcher.relevance.minShare,
      titleAnchor: false,
    });
  });
});

describe('explain and tag agree', () => {
  it.each(devRecords.map((r) => ({ name: r.id, record: r })))('$name', ({ record }) => {
    const tags = tagArticle(record, matcher);
    const explanation = explainArticle(record, matcher);
    const given = (kind: 'actor' | 'phase') =>
      explanation.tags
        .filter((t) => t.kind === kind && t.given)
        .map((t) => t.id)
        .sort();
    expect(given('actor')).toEqual(tags.actors.map((t) => t.id));
    expect(given('phase')).toEqual(tags.phases.map((t) => t.id));
    expect(explanation.relevant).toBe(tags.relevant);
    const explainedMentions = explanation.tags
      .flatMap((t) => t.mentions.map((m) => `${t.kind}:${t.id}:${m.field}:${m.start}:${m.end}`))
      .sort();
    const taggedMentions = tags.mentions
      .map((m) => `${m.kind}:${m.id}:${m.field}:${m.start}:${m.end}`)
      .sort();
    expect(explainedMentions).toEqual(taggedMentions);
    for (const t of explanation.tags.filter((x) => x.given)) {
      const tag = (t.kind === 'actor' ? tags.actors : tags.phases).find((x) => x.id === t.id);
      expect([t.count, t.inTitle, t.inLead]).toEqual([tag?.count, tag?.inTitle, tag?.inLead]);
    }
  });
});

describe('formatExplanation', () => {
  it('prints one line per tag, + for given and - for refused', () => {
    const text = 'Turkish Foreign Minister Hakan Fidan met Defence Minister Israel Katz in Cairo.';
    const report = formatExplanation(
      explainArticle({ title: '', text, published: '2025-12-01' }, matcher),
      'x1',
    );
    const lines = report.split('\n');
    expect(lines[0]).toMatch(/^article x1: not relevant — 0\/1 text sentences on topic/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^\+ actor hakan-fidan {2}"Turkish Foreign Minister".*\(office 2023-06-04\.\.\)/),
    );
    expect(lines).toContainEqual('- actor israel  refused: "Israel" is inside "Israel Katz", an exclusion');
    expect(lines).toContainEqual(expect.stringMatching(/^- actor egypt {2}refused: "Cairo" is a place/));
  });
});
