import { describe, expect, it } from 'vitest';
import {
  formatRuleExpression,
  MAX_NEAR_DISTANCE,
  parseRuleExpression,
  RuleExpressionError,
} from '../../src/alerts/rule-expression.ts';
import { PipelineError } from '../../src/errors.ts';

describe('parseRuleExpression', () => {
  it.each([
    { name: 'single-word', source: 'talks', expected: 'talks' },
    { name: 'actor-term', source: 'actor:steve-witkoff', expected: 'actor:steve-witkoff' },
    { name: 'field-prefix-any-case', source: 'Phase:phase-2', expected: 'phase:phase-2' },
    { name: 'implicit-and', source: 'actor:qatar talks Miami', expected: 'actor:qatar AND talks AND Miami' },
    { name: 'and-binds-tighter-than-or', source: 'a OR b AND c', expected: 'a OR (b AND c)' },
    { name: 'implicit-and-binds-tighter-than-or', source: 'a b or c', expected: '(a AND b) OR c' },
    { name: 'not-binds-tightest', source: 'NOT a AND b', expected: 'NOT a AND b' },
    { name: 'not-of-group', source: 'not (a or b) c', expected: 'NOT (a OR b) AND c' },
    { name: 'double-not', source: 'NOT NOT a', expected: 'NOT NOT a' },
    { name: 'parentheses-override', source: '(a OR b) AND c', expected: '(a OR b) AND c' },
    { name: 'operators-case-insensitive', source: 'a and b Or c', expected: '(a AND b) OR c' },
    { name: 'near-binds-tighter-than-and', source: 'x a NEAR/3 b', expected: 'x AND a NEAR/3 b' },
    { name: 'near-binds-tighter-than-or', source: 'a NEAR/2 b OR c', expected: 'a NEAR/2 b OR c' },
    { name: 'near-lower-case', source: 'a near/0 b', expected: 'a NEAR/0 b' },
    {
      name: 'near-with-phrases',
      source: '"Rafah crossing" NEAR/5 reopen',
      expected: '"Rafah crossing" NEAR/5 reopen',
    },
    {
      name: 'curly-quoted-phrase',
      source: '\u201CBoard of Peace\u201D feed:reuters',
      expected: '"Board of Peace" AND feed:reuters',
    },
    {
      name: 'phrase-next-to-parenthesis',
      source: '("Miami summit")talks',
      expected: '"Miami summit" AND talks',
    },
    { name: 'quoted-operator-is-keyword', source: '"not" "or"', expected: '"not" AND "or"' },
    { name: 'or-chain-is-flat', source: 'a OR b OR c', expected: 'a OR b OR c' },
  ])('groups-$name', ({ source, expected }) => {
    expect(formatRuleExpression(parseRuleExpression(source, 'r'))).toBe(expected);
  });

  it('keeps-columns-of-every-node', () => {
    expect(parseRuleExpression('actor:steve-witkoff talks NEAR/5 "Miami  summit"', 'r')).toEqual({
      kind: 'and',
      column: 1,
      operands: [
        { kind: 'actor', id: 'steve-witkoff', column: 1 },
        {
          kind: 'near',
          distance: 5,
          column: 21,
          left: { kind: 'keyword', text: 'talks', quoted: false, column: 21 },
          right: { kind: 'keyword', text: 'Miami  summit', quoted: true, column: 34 },
        },
      ],
    });
  });

  it.each([
    { name: 'empty', source: '', column: 1, problem: 'empty expression' },
    { name: 'only-spaces', source: '   ', column: 1, problem: 'empty expression' },
    {
      name: 'double-ampersand',
      source: 'talks && Miami',
      column: 7,
      problem: 'unknown operator "&&": write AND',
    },
    { name: 'pipe', source: 'a | b', column: 3, problem: 'unknown operator "|": write OR' },
    { name: 'bang', source: 'a ! b', column: 3, problem: 'unknown operator "!": write NOT' },
    {
      name: 'minus-prefix',
      source: 'gaza -hamas',
      column: 6,
      problem: 'unknown operator "-" before "hamas": write NOT hamas',
    },
    {
      name: 'misspelt-near',
      source: 'a NAER/3 b',
      column: 3,
      problem: 'unknown operator "NAER/3": the proximity operator is NEAR/n',
    },
    {
      name: 'near-without-number',
      source: 'a NEAR b',
      column: 3,
      problem: 'NEAR: write NEAR/n with the number of words, e.g. NEAR/5',
    },
    {
      name: 'near-too-far',
      source: `a NEAR/${MAX_NEAR_DISTANCE + 1} b`,
      column: 3,
      problem: `NEAR/${MAX_NEAR_DISTANCE + 1}: the largest NEAR distance is ${MAX_NEAR_DISTANCE} words`,
    },
    {
      name: 'near-on-actor',
      source: 'talks NEAR/3 actor:qatar',
      column: 14,
      problem: 'NEAR/3 joins two keywords or quoted phrases, not actor:qatar',
    },
    {
      name: 'near-on-group',
      source: '(a OR b) NEAR/3 c',
      column: 2,
      problem: 'NEAR/3 joins two keywords or quoted phrases, not a OR b',
    },
    {
      name: 'near-chained',
      source: 'a NEAR/1 b NEAR/2 c',
      column: 12,
      problem: 'NEAR/n joins two keywords; use AND between two NEAR/n pairs',
    },
    {
      name: 'unknown-field',
      source: 'talks person:witkoff',
      column: 7,
      problem: 'unknown term "person:": use actor:, phase: or feed:, or quote the text',
    },
    {
      name: 'bad-id',
      source: 'actor:Steve_Witkoff',
      column: 1,
      problem: 'actor: needs an id of lowercase letters, digits and dashes, got "Steve_Witkoff"',
    },
    {
      name: 'empty-id',
      source: 'phase: phase-2',
      column: 1,
      problem: 'phase: needs an id of lowercase letters, digits and dashes, got ""',
    },
    {
      name: 'unterminated-phrase',
      source: 'a "Rafah crossing',
      column: 3,
      problem: 'unterminated quoted phrase',
    },
    { name: 'empty-phrase', source: 'a ""', column: 3, problem: 'empty quoted phrase' },
    { name: 'unclosed-parenthesis', source: 'a (b OR c', column: 3, problem: '"(" is never closed' },
    { name: 'unmatched-close', source: 'a OR b) c', column: 7, problem: 'unmatched ")"' },
    { name: 'empty-parentheses', source: 'a ()', column: 3, problem: 'empty parentheses' },
    {
      name: 'trailing-operator',
      source: 'a OR  ',
      column: 5,
      problem: 'expression ends after "OR": a term is missing',
    },
    { name: 'leading-operator', source: 'AND a', column: 1, problem: 'AND needs a term before it' },
    { name: 'two-operators', source: 'a OR AND b', column: 6, problem: 'AND needs a term before it' },
    {
      name: 'dangling-not',
      source: 'a NOT',
      column: 6,
      problem: 'expression ends after "NOT": a term is missing',
    },
  ])('rejects-$name', ({ source, column, problem }) => {
    const error = (() => {
      try {
        parseRuleExpression(source, 'mediators');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(RuleExpressionError);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({
      column,
      problem,
      stage: 'config',
      code: 'CONFIG_INVALID',
      permanent: true,
    });
    expect((error as Error).message).toBe(`config: rule mediators: when: column ${column}: ${problem}`);
  });
});
