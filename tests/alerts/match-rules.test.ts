import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchRules } from '../../src/alerts/match-rules.ts';
import { parseRuleExpression } from '../../src/alerts/rule-expression.ts';
import type { RuleExpression } from '../../src/alerts/rule-expression.ts';
import { loadAlertsFile } from '../../src/config/load-config.ts';
import { parseYamlConfig } from '../../src/config/parse-yaml-config.ts';
import { AlertsFileSchema } from '../../src/config/schemas.ts';
import { loadWatchlist } from '../../src/pipeline/open-context.ts';
import { projectRoot } from '../helpers/pipeline-setup.ts';
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

  it.each<{ name: string; rule: Record<string, unknown>; expected: string[] | null }>([
    {
      name: 'when-expression-fires-with-reasons',
      rule: { when: '"Miami summit" OR Jerusalem' },
      expected: ['keyword: "Miami summit" in text'],
    },
    { name: 'when-expression-blocks', rule: { when: 'NOT actor:steve-witkoff' }, expected: null },
    {
      name: 'when-with-lists',
      rule: { phases: ['phase-2'], when: 'Miami NEAR/1 talks' },
      expected: ['phase: phase-2', '"Miami" within 1 word of "talks" in title'],
    },
    { name: 'feeds-filter-own-feed', rule: { feeds: ['seed'] }, expected: ['feed: seed'] },
    { name: 'feeds-filter-other-feed', rule: { feeds: ['reuters'] }, expected: null },
    {
      name: 'feed-term',
      rule: { when: 'feed:seed Witkoff' },
      expected: ['feed: seed', 'keyword: "Witkoff" in title and text'],
    },
    // The seed's tags carry no inTitle/inLead: a salience rule cannot count them.
    {
      name: 'title-salience-without-flags',
      rule: { actors: ['steve-witkoff'], salience: 'title' },
      expected: null,
    },
  ])('$name', ({ rule: fields, expected }) => {
    expect(matchRules(seed, [rule(fields)])).toEqual(
      expected === null ? [] : [{ ruleId: 'r', reasons: expected }],
    );
  });
});

describe('alerts.yaml when', () => {
  const yaml = (when: string) =>
    [
      'rules:',
      '  - id: phase-two',
      '    phases: [phase-2]',
      '    channels: [slack]',
      '  - id: mediators',
      '    channels: [slack]',
      `    when: ${when}`,
    ].join('\n');

  it.each([
    {
      name: 'unknown-operator',
      when: "'actor:qatar && talks'",
      expected: 'rules.1.when: rule mediators: column 13: unknown operator "&&": write AND',
    },
    {
      name: 'empty-expression',
      when: "''",
      expected: 'rules.1.when: rule mediators: column 1: empty expression',
    },
    {
      name: 'unclosed-parenthesis',
      when: '(talks OR summit',
      expected: 'rules.1.when: rule mediators: column 1: "(" is never closed',
    },
  ])('error-names-file-line-key-rule-column-$name', ({ when, expected }) => {
    expect(() => parseYamlConfig(yaml(when), 'config/alerts.yaml', AlertsFileSchema)).toThrow(
      `config: config/alerts.yaml:7: ${expected}`,
    );
  });

  it('valid-when-is-kept-verbatim', () => {
    const file = parseYamlConfig(yaml('actor:qatar NEAR-ish'), 'config/alerts.yaml', AlertsFileSchema);
    expect(file.rules[1]?.when).toBe('actor:qatar NEAR-ish');
    expect(file.rules[0]?.when).toBeUndefined();
  });

  it('shipped-rules-name-known-actors-phases-and-feeds', async () => {
    const config = (file: string) => path.join(projectRoot, 'config', file);
    const alerts = await loadAlertsFile(config('alerts.yaml'));
    const watchlist = await loadWatchlist(config('watchlists/gaza-ceasefire.yaml'));
    const feedIds = new Set(
      [...readFileSync(config('feeds.yaml'), 'utf8').matchAll(/^\s*- id: (\S+)$/gm)].map((m) => m[1]),
    );
    const known = {
      actor: new Set(watchlist.actors.map((a) => a.id)),
      phase: new Set(watchlist.phases.map((p) => p.id)),
      feed: feedIds,
    };
    const ids = (e: RuleExpression): [string, string][] => {
      switch (e.kind) {
        case 'actor':
        case 'phase':
        case 'feed':
          return [[e.kind, e.id]];
        case 'not':
          return ids(e.operand);
        case 'and':
        case 'or':
          return e.operands.flatMap(ids);
        default:
          return [];
      }
    };
    const withWhen = alerts.rules.filter((r) => r.when !== undefined);
    expect(withWhen.length).toBeGreaterThan(0);
    for (const r of withWhen) {
      for (const [kind, id] of ids(parseRuleExpression(r.when ?? '', r.id))) {
        expect(known[kind as keyof typeof known], `${r.id}: ${kind}:${id}`).toContain(id);
      }
      for (const id of r.feeds ?? []) expect(feedIds, `${r.id}: feed ${id}`).toContain(id);
    }
  });
});
