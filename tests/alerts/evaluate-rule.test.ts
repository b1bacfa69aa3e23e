import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  evaluateExpression,
  evaluateRule,
  MAX_EVIDENCE_CHARS,
  prepareArticle,
} from '../../src/alerts/evaluate-rule.ts';
import type { MatchedTerm, Salience } from '../../src/alerts/evaluate-rule.ts';
import { parseRuleExpression } from '../../src/alerts/rule-expression.ts';
import { AlertRuleSchema, TaggedArticleSchema } from '../../src/model.ts';
import type { Mention, TaggedArticle } from '../../src/model.ts';

const seed: TaggedArticle = TaggedArticleSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/alerts/seed-tagged.json', import.meta.url), 'utf8')),
);

const TITLE = 'Witkoff to hold Miami talks with Qatar, Egypt and Turkey on next phase of Gaza ceasefire';
const TEXT =
  'Egypt said the Rafah crossing would reopen on Sunday. ' +
  'Officials from Türkiye and Qatar will attend the summit in Miami. ' +
  '“Hamas must disarm,” Erdoğan’s adviser said of the International Stabilization Force.';

const mention = (
  kind: Mention['kind'],
  id: string,
  field: Mention['field'],
  start: number,
  sentence: string,
) => ({
  kind,
  id,
  field,
  start,
  end: start + 4,
  text: id,
  sentence,
});

/** Witkoff and Qatar in the title, Egypt in the lead, Hamas only further down; phase-2 in the title. */
const article: TaggedArticle = {
  ...seed,
  feedId: 'times-of-israel',
  title: TITLE,
  text: TEXT,
  tags: {
    relevant: true,
    actors: [
      { id: 'steve-witkoff', count: 1, evidence: TITLE, inTitle: true, inLead: false },
      { id: 'qatar', count: 2, evidence: TITLE, inTitle: true, inLead: false },
      { id: 'egypt', count: 2, evidence: 'tag evidence', inTitle: false, inLead: true },
      { id: 'hamas', count: 1, evidence: 'Hamas tag evidence.', inTitle: false, inLead: false },
    ],
    phases: [{ id: 'phase-2', count: 1, evidence: TITLE, inTitle: true }],
    mentions: [
      mention('actor', 'egypt', 'text', 200, 'A later Egypt sentence.'),
      mention('actor', 'egypt', 'text', 0, ' Egypt said the Rafah crossing\nwould reopen on Sunday. '),
      mention(
        'actor',
        'qatar',
        'text',
        60,
        'Officials from Türkiye and Qatar will attend the summit in Miami.',
      ),
      mention('actor', 'qatar', 'title', 33, TITLE),
    ],
  },
};
const prepared = prepareArticle(article);

function evaluate(when: string, salience: Salience = 'any') {
  return evaluateExpression(parseRuleExpression(when, 'r'), prepared, salience);
}

describe('evaluateExpression', () => {
  it.each<{ name: string; when: string; salience?: Salience; matched: boolean; reasons?: string[] }>([
    {
      name: 'actor-with-title-evidence-first',
      when: 'actor:qatar',
      matched: true,
      reasons: [`actor: qatar: "${TITLE}"`],
    },
    {
      name: 'actor-earliest-text-evidence',
      when: 'actor:egypt',
      matched: true,
      reasons: ['actor: egypt: "Egypt said the Rafah crossing would reopen on Sunday."'],
    },
    {
      name: 'actor-without-mentions-uses-tag-evidence',
      when: 'actor:hamas',
      matched: true,
      reasons: ['actor: hamas: "Hamas tag evidence."'],
    },
    { name: 'actor-absent', when: 'actor:benjamin-netanyahu', matched: false },
    { name: 'phase-present', when: 'phase:phase-2', matched: true, reasons: [`phase: phase-2: "${TITLE}"`] },
    { name: 'phase-absent', when: 'phase:phase-3', matched: false },
    // Salience
    { name: 'title-salience-title-tag', when: 'actor:qatar', salience: 'title', matched: true },
    { name: 'title-salience-lead-tag', when: 'actor:egypt', salience: 'title', matched: false },
    { name: 'lead-salience-lead-tag', when: 'actor:egypt', salience: 'lead', matched: true },
    { name: 'lead-salience-title-tag', when: 'actor:steve-witkoff', salience: 'lead', matched: true },
    { name: 'lead-salience-body-tag', when: 'actor:hamas', salience: 'lead', matched: false },
    { name: 'salience-ignores-keywords', when: 'Hamas', salience: 'title', matched: true },
    {
      name: 'salience-named-in-reason',
      when: 'phase:phase-2',
      salience: 'title',
      matched: true,
      reasons: [`phase: phase-2 (in the title): "${TITLE}"`],
    },
    // Keywords
    { name: 'keyword-in-title', when: 'Witkoff', matched: true, reasons: ['keyword: "Witkoff" in title'] },
    {
      name: 'keyword-in-both',
      when: 'Miami',
      matched: true,
      reasons: ['keyword: "Miami" in title and text'],
    },
    { name: 'keyword-case-insensitive', when: 'RAFAH', matched: true },
    { name: 'keyword-whole-word-only', when: 'Raf', matched: false },
    {
      name: 'phrase',
      when: '"rafah crossing"',
      matched: true,
      reasons: ['keyword: "rafah crossing" in text'],
    },
    { name: 'phrase-wrong-order', when: '"crossing Rafah"', matched: false },
    { name: 'curly-quoted-phrase', when: '\u201Cinternational stabilization force\u201D', matched: true },
    { name: 'phrase-diacritics-folded', when: '"Turkiye and Qatar"', matched: true },
    { name: 'keyword-with-diacritics-matches-plain', when: 'Erdogan’s', matched: true },
    { name: 'keyword-diacritic-in-query', when: 'Türkiye', matched: true },
    { name: 'typographic-apostrophe-in-text', when: "Erdoğan's", matched: true },
    { name: 'non-ascii-word-continues', when: 'Erdo', matched: false },
    // Boolean operators
    { name: 'implicit-and-both', when: 'Rafah Miami', matched: true },
    { name: 'implicit-and-one-missing', when: 'Rafah Jerusalem', matched: false },
    {
      name: 'or-one-present',
      when: 'Jerusalem OR Rafah',
      matched: true,
      reasons: ['keyword: "Rafah" in text'],
    },
    {
      name: 'or-collects-every-hit',
      when: 'Rafah OR Miami OR Jerusalem',
      matched: true,
      reasons: ['keyword: "Rafah" in text', 'keyword: "Miami" in title and text'],
    },
    {
      name: 'or-none-present',
      when: 'Jerusalem OR Beirut',
      matched: false,
      reasons: ['none of Jerusalem OR Beirut'],
    },
    { name: 'not-absent', when: 'NOT Jerusalem', matched: true, reasons: ['without Jerusalem'] },
    {
      name: 'not-present',
      when: 'NOT Rafah',
      matched: false,
      reasons: ['excluded by keyword: "Rafah" in text'],
    },
    { name: 'not-actor', when: 'actor:qatar NOT actor:hamas', matched: false },
    {
      name: 'not-binds-before-and',
      when: 'NOT Jerusalem AND Rafah',
      matched: true,
      reasons: ['without Jerusalem', 'keyword: "Rafah" in text'],
    },
    { name: 'and-before-or', when: 'Jerusalem AND Beirut OR Rafah', matched: true },
    { name: 'parentheses-change-grouping', when: 'Jerusalem AND (Beirut OR Rafah)', matched: false },
    { name: 'not-of-group', when: 'NOT (Jerusalem OR Rafah)', matched: false },
    // NEAR/n: at most n words strictly between (Rafah … Sunday has 4), either order, same field
    { name: 'near-adjacent-zero', when: 'Rafah NEAR/0 crossing', matched: true },
    { name: 'near-reverse-order', when: 'crossing NEAR/0 Rafah', matched: true },
    { name: 'near-exact-distance', when: 'Rafah NEAR/4 Sunday', matched: true },
    { name: 'near-more-than-enough', when: 'Rafah NEAR/5 Sunday', matched: true },
    { name: 'near-one-short', when: 'Rafah NEAR/3 Sunday', matched: false },
    { name: 'near-reverse-exact-distance', when: 'Sunday NEAR/4 Rafah', matched: true },
    { name: 'near-reverse-one-short', when: 'Sunday NEAR/3 Rafah', matched: false },
    {
      name: 'near-phrase',
      when: '"Rafah crossing" NEAR/2 reopen',
      matched: true,
      reasons: ['"Rafah crossing" within 2 words of "reopen" in text'],
    },
    { name: 'near-phrase-too-far', when: '"Rafah crossing" NEAR/0 reopen', matched: false },
    { name: 'near-across-sentences', when: 'Sunday NEAR/1 Officials', matched: true },
    { name: 'near-not-across-title-and-text', when: 'ceasefire NEAR/3 Egypt', matched: false },
    { name: 'near-with-folded-diacritics', when: 'Turkiye NEAR/1 Qatar', matched: true },
    { name: 'near-missing-term', when: 'Rafah NEAR/50 Jerusalem', matched: false },
    { name: 'near-within-not', when: 'NOT (Rafah NEAR/0 Sunday)', matched: true },
    // Feed term
    {
      name: 'feed-term-match',
      when: 'feed:times-of-israel',
      matched: true,
      reasons: ['feed: times-of-israel'],
    },
    { name: 'feed-term-other', when: 'feed:reuters', matched: false },
    { name: 'feed-or-feed', when: '(feed:reuters OR feed:times-of-israel) Rafah', matched: true },
  ])('$name', ({ when, salience, matched, reasons }) => {
    const result = evaluate(when, salience);
    expect(result.matched).toBe(matched);
    if (reasons) expect(result.reasons).toEqual(reasons);
    expect(result.reasons.length).toBeGreaterThan(0);
  });

  it('clips-long-evidence', () => {
    const long = `${'word '.repeat(100)}end.`;
    const withLong = prepareArticle({
      ...article,
      tags: { ...article.tags, mentions: [mention('actor', 'hamas', 'text', 5, long)] },
    });
    const [reason] = evaluateExpression(parseRuleExpression('actor:hamas', 'r'), withLong).reasons;
    expect(reason).toMatch(/…"$/);
    expect(reason?.length).toBeLessThan(MAX_EVIDENCE_CHARS + 'actor: hamas: ""'.length + 1);
  });
});

describe('evaluateExpression terms', () => {
  const RAFAH = 'Egypt said the Rafah crossing would reopen on Sunday.';
  const SUMMIT = 'Officials from Türkiye and Qatar will attend the summit in Miami.';
  const text = (sentence: string) => ({ field: 'text' as const, start: TEXT.indexOf(sentence), sentence });

  it.each<{ name: string; when: string; expected: MatchedTerm[] }>([
    {
      // The tagger's mention sentences, every one of them: choosing among them is chooseEvidence's job.
      name: 'actor-every-mention-sentence',
      when: 'actor:qatar',
      expected: [
        {
          kind: 'actor',
          id: 'qatar',
          evidence: [
            { field: 'text', start: 60, sentence: SUMMIT },
            { field: 'title', start: 33, sentence: TITLE },
          ],
        },
      ],
    },
    {
      name: 'phase-mention-less-tag-has-no-sentence',
      when: 'phase:phase-2',
      expected: [{ kind: 'phase', id: 'phase-2', evidence: [] }],
    },
    {
      name: 'keyword-sentence-cut-from-text',
      when: 'Rafah',
      expected: [{ kind: 'keyword', text: 'Rafah', evidence: [text(RAFAH)] }],
    },
    {
      name: 'keyword-in-title-and-text-both-listed',
      when: 'Miami',
      expected: [
        {
          kind: 'keyword',
          text: 'Miami',
          evidence: [{ field: 'title', start: 0, sentence: TITLE }, text(SUMMIT)],
        },
      ],
    },
    {
      name: 'keyword-folded-diacritics-sentence-as-written',
      when: 'Turkiye',
      expected: [{ kind: 'keyword', text: 'Turkiye', evidence: [text(SUMMIT)] }],
    },
    {
      name: 'near-sentence-holding-both',
      when: 'Turkiye NEAR/1 Qatar',
      expected: [{ kind: 'near', left: 'Turkiye', right: 'Qatar', distance: 1, evidence: [text(SUMMIT)] }],
    },
    {
      // No one sentence holds both words of a NEAR that spans a sentence break: each side's sentence.
      name: 'near-across-sentences-both-sentences',
      when: 'Sunday NEAR/1 Officials',
      expected: [
        {
          kind: 'near',
          left: 'Sunday',
          right: 'Officials',
          distance: 1,
          evidence: [text(RAFAH), text(SUMMIT)],
        },
      ],
    },
    {
      name: 'feed-has-no-sentence',
      when: 'feed:times-of-israel',
      expected: [{ kind: 'feed', id: 'times-of-israel', evidence: [] }],
    },
    {
      // A NOT that holds is a reason ("without …") with nothing to quote.
      name: 'not-that-holds-says-what-was-absent',
      when: 'NOT Jerusalem',
      expected: [
        {
          kind: 'without',
          operand: expect.objectContaining({ kind: 'keyword', text: 'Jerusalem' }),
          evidence: [],
        },
      ],
    },
    {
      name: 'or-only-the-operands-that-hold',
      when: 'Jerusalem OR Rafah',
      expected: [{ kind: 'keyword', text: 'Rafah', evidence: [text(RAFAH)] }],
    },
    {
      name: 'and-in-rule-order',
      when: 'Rafah AND NOT Jerusalem AND feed:times-of-israel',
      expected: [
        { kind: 'keyword', text: 'Rafah', evidence: [text(RAFAH)] },
        { kind: 'without', operand: expect.objectContaining({ text: 'Jerusalem' }), evidence: [] },
        { kind: 'feed', id: 'times-of-israel', evidence: [] },
      ],
    },
    { name: 'no-match-no-terms', when: 'Rafah AND Jerusalem', expected: [] },
    { name: 'excluded-no-terms', when: 'actor:qatar NOT Rafah', expected: [] },
  ])('$name', ({ when, expected }) => {
    expect(evaluate(when).terms).toEqual(expected);
  });
});

describe('evaluateRule', () => {
  const rule = (fields: Record<string, unknown>) =>
    AlertRuleSchema.parse({ id: 'r', channels: ['slack'], ...fields });

  it.each<{
    name: string;
    rule: Record<string, unknown>;
    input?: TaggedArticle;
    matched: boolean;
    reasons?: string[];
  }>([
    {
      name: 'feed-filter-listed',
      rule: { feeds: ['reuters', 'times-of-israel'] },
      matched: true,
      reasons: ['feed: times-of-israel'],
    },
    {
      name: 'feed-filter-not-listed',
      rule: { feeds: ['reuters'], when: 'Rafah' },
      matched: false,
      reasons: ['feed times-of-israel is not one of reuters'],
    },
    {
      name: 'empty-feed-filter-any-feed',
      rule: { feeds: [] },
      matched: true,
      reasons: ['every relevant article'],
    },
    {
      name: 'lists-and-when-both-hold',
      rule: { actors: ['qatar'], when: 'Rafah NOT Jerusalem' },
      matched: true,
      reasons: ['actor: qatar', 'keyword: "Rafah" in text', 'without Jerusalem'],
    },
    { name: 'lists-hold-when-fails', rule: { actors: ['qatar'], when: 'Jerusalem' }, matched: false },
    { name: 'when-holds-lists-fail', rule: { phases: ['phase-3'], when: 'Rafah' }, matched: false },
    { name: 'salience-applies-to-lists', rule: { actors: ['hamas'], salience: 'lead' }, matched: false },
    {
      name: 'salience-lead-list-match',
      rule: { actors: ['hamas', 'egypt'], salience: 'lead' },
      matched: true,
      reasons: ['actor: egypt'],
    },
    {
      name: 'relevant-only-blocks-when',
      rule: { when: 'Rafah' },
      input: { ...article, tags: { ...article.tags, relevant: false } },
      matched: false,
      reasons: ['the article is not relevant to the watchlist'],
    },
    {
      name: 'relevant-only-false-allows-when',
      rule: { when: 'Rafah', relevantOnly: false },
      input: { ...article, tags: { ...article.tags, relevant: false } },
      matched: true,
    },
  ])('$name', ({ rule: fields, input, matched, reasons }) => {
    const result = evaluateRule(input ?? article, rule(fields));
    expect(result.matched).toBe(matched);
    if (reasons) expect(result.reasons).toEqual(reasons);
  });

  it.each<{ name: string; rule: Record<string, unknown>; kinds: string[] }>([
    {
      name: 'feed-then-lists-then-when',
      rule: {
        feeds: ['times-of-israel'],
        actors: ['qatar'],
        keywords: ['Rafah', 'Jerusalem'],
        when: 'Miami',
      },
      kinds: ['feed:times-of-israel', 'actor:qatar', 'keyword:Rafah', 'keyword:Miami'],
    },
    {
      name: 'any-of-list-every-hit',
      rule: { actors: ['qatar', 'egypt', 'hamas'] },
      kinds: ['actor:qatar', 'actor:egypt', 'actor:hamas'],
    },
    { name: 'catch-all-no-terms', rule: {}, kinds: [] },
    { name: 'not-firing-no-terms', rule: { actors: ['qatar'], when: 'Jerusalem' }, kinds: [] },
  ])('terms-$name', ({ rule: fields, kinds }) => {
    const { terms } = evaluateRule(article, rule(fields));
    const label = (t: MatchedTerm) =>
      t.kind === 'without' ? 'not' : 'id' in t ? t.id : 'text' in t ? t.text : t.left;
    expect(terms.map((t) => `${t.kind}:${label(t)}`)).toEqual(kinds);
  });

  it('prepared-and-raw-article-agree', () => {
    const r = rule({ when: 'actor:egypt "Rafah crossing" NEAR/3 reopen' });
    expect(evaluateRule(prepared, r)).toEqual(evaluateRule(article, r));
  });

  it('rule-built-in-code-with-bad-when-throws-pipeline-error', () => {
    // The schema refuses it, so build the object by hand as code could.
    const bad = { ...rule({}), id: 'broken', when: 'a AND' };
    expect(() => evaluateRule(article, bad)).toThrow(
      'config: rule broken: when: column 6: expression ends after "AND"',
    );
  });
});
