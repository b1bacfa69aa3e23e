import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchRules } from '../../src/alerts/match-rules.ts';
import { AlertRuleSchema, TaggedArticleSchema } from '../../src/model.ts';
import type { AlertMatch, TaggedArticle } from '../../src/model.ts';

/** The seed article with the seed record's gold tags (see the fixture's `_source`). */
const seed: TaggedArticle = TaggedArticleSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/alerts/seed-tagged.json', import.meta.url), 'utf8')),
);

function article(patch: Partial<Omit<TaggedArticle, 'tags'>> & { relevant?: boolean } = {}): TaggedArticle {
  const { relevant, ...fields } = patch;
  return { ...seed, ...fields, tags: { ...seed.tags, relevant: relevant ?? seed.tags.relevant } };
}

/** A rule as config/alerts.yaml would give it: zod applies the defaults (empty lists, relevantOnly). */
function rule(fields: Record<string, unknown>) {
  return AlertRuleSchema.parse({ id: 'r', channels: ['slack'], ...fields });
}

describe('matchRules', () => {
  it.each<{
    name: string;
    rule: Record<string, unknown>;
    article?: TaggedArticle;
    expected: string[] | null;
  }>([
    { name: 'actor-listed', rule: { actors: ['steve-witkoff'] }, expected: ['actor: steve-witkoff'] },
    {
      name: 'actor-any-of',
      rule: { actors: ['benjamin-netanyahu', 'jared-kushner', 'hamas'] },
      expected: ['actor: jared-kushner', 'actor: hamas'],
    },
    { name: 'actor-absent', rule: { actors: ['benjamin-netanyahu'] }, expected: null },
    { name: 'phase-listed', rule: { phases: ['phase-2'] }, expected: ['phase: phase-2'] },
    { name: 'phase-absent', rule: { phases: ['phase-1', 'phase-3'] }, expected: null },
    {
      name: 'keyword-phrase-any-case',
      rule: { keywords: ['international STABILIZATION force'] },
      expected: ['keyword: "international STABILIZATION force"'],
    },
    { name: 'keyword-in-title', rule: { keywords: ['Witkoff'] }, expected: ['keyword: "Witkoff"'] },
    { name: 'keyword-part-of-word-ignored', rule: { keywords: ['Miam', 'ceasefir'] }, expected: null },
    {
      name: 'keyword-rafah-crossing-in-text',
      rule: { keywords: ['Rafah crossing'] },
      article: article({ text: 'Aid trucks waited at the Rafah Crossing on Sunday.' }),
      expected: ['keyword: "Rafah crossing"'],
    },
    {
      name: 'keyword-phrase-across-line-break',
      rule: { keywords: ['Rafah crossing'] },
      article: article({ text: 'Aid waited at Rafah\ncrossing.' }),
      expected: ['keyword: "Rafah crossing"'],
    },
    {
      name: 'keyword-non-ascii-edge-letter',
      rule: { keywords: ['Erdoğan'] },
      article: article({ text: "Erdoğan'ın açıklaması" }),
      expected: ['keyword: "Erdoğan"'],
    },
    {
      name: 'keyword-non-ascii-letter-continues-word',
      rule: { keywords: ['Erdoğan', 'Türk'] },
      article: article({ text: 'Erdoğanlar and Türkiye' }),
      expected: null,
    },
    {
      // ASCII \b finds no boundary next to Ö or ğ, so it would miss this name entirely.
      name: 'keyword-starts-and-ends-non-ascii',
      rule: { keywords: ['Ömer Çelik'] },
      article: article({ text: 'AKP spokesman Ömer Çelik said talks continue.' }),
      expected: ['keyword: "Ömer Çelik"'],
    },
    {
      name: 'keyword-non-ascii-followed-by-letter',
      rule: { keywords: ['Ömer Çelik'] },
      article: article({ text: 'Ömer Çelikten said nothing.' }),
      expected: null,
    },
    {
      name: 'keyword-decomposed-text',
      rule: { keywords: ['Türkiye'] },
      article: article({ text: 'Officials from Tu\u0308rkiye attended.' }),
      expected: ['keyword: "Türkiye"'],
    },
    {
      name: 'keyword-typographic-apostrophe',
      rule: { keywords: ["Trump's son-in-law"] },
      expected: ['keyword: "Trump\'s son-in-law"'],
    },
    {
      name: 'keyword-regex-characters-literal',
      rule: { keywords: ['U.S.', 'a+b'] },
      article: article({ title: 'USA', text: 'UxSx and aab' }),
      expected: null,
    },
    {
      name: 'keyword-with-dots',
      rule: { keywords: ['U.S.'] },
      article: article({ text: 'The U.S. envoy arrived.' }),
      expected: ['keyword: "U.S."'],
    },
    { name: 'blank-keyword-never-matches', rule: { keywords: ['  '] }, expected: null },
    {
      name: 'all-conditions-listed-reasons',
      rule: { actors: ['steve-witkoff'], phases: ['phase-2'], keywords: ['Miami summit', 'Rafah crossing'] },
      expected: ['actor: steve-witkoff', 'phase: phase-2', 'keyword: "Miami summit"'],
    },
    {
      name: 'one-failing-condition-blocks',
      rule: { actors: ['steve-witkoff'], phases: ['phase-1'] },
      expected: null,
    },
    { name: 'no-conditions-fires-on-relevant', rule: {}, expected: ['every relevant article'] },
    {
      name: 'no-conditions-skips-irrelevant',
      rule: {},
      article: article({ relevant: false }),
      expected: null,
    },
    {
      name: 'relevant-only-skips-irrelevant',
      rule: { actors: ['steve-witkoff'] },
      article: article({ relevant: false }),
      expected: null,
    },
    {
      name: 'relevant-only-false-fires-on-irrelevant',
      rule: { actors: ['steve-witkoff'], relevantOnly: false },
      article: article({ relevant: false }),
      expected: ['actor: steve-witkoff'],
    },
    {
      name: 'no-conditions-any-article',
      rule: { relevantOnly: false },
      article: article({ relevant: false }),
      expected: ['every article'],
    },
  ])('$name', ({ rule: fields, article: input, expected }) => {
    const matches = matchRules(input ?? seed, [rule(fields)]);
    expect(matches).toEqual(expected === null ? [] : [{ ruleId: 'r', reasons: expected }]);
  });

  it('keeps-rule-order-and-skips-misses', () => {
    const rules = [
      rule({ id: 'phase-two', phases: ['phase-2'] }),
      rule({ id: 'netanyahu', actors: ['benjamin-netanyahu'] }),
      rule({ id: 'mediators', actors: ['qatar', 'egypt'] }),
    ];
    expect(matchRules(seed, rules)).toEqual<AlertMatch[]>([
      { ruleId: 'phase-two', reasons: ['phase: phase-2'] },
      { ruleId: 'mediators', reasons: ['actor: qatar', 'actor: egypt'] },
    ]);
  });

  it('no-rules-no-matches', () => {
    expect(matchRules(seed, [])).toEqual([]);
  });
});
