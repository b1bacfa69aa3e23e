/**
 * The `when` expression of an alert rule: a tokenizer and a recursive-descent parser that turn
 * `actor:steve-witkoff (talks OR "Miami summit") NOT phase:phase-3` into a tree, every node keeping the
 * 1-based column it starts at so a mistake can be shown where it is. Pure: text in, tree (or error) out.
 *
 * Grammar (EBNF), precedence NOT > NEAR > AND > OR, all operators case-insensitive:
 *
 * ```
 * expression = or ;
 * or         = and , { "OR" , and } ;
 * and        = near , { [ "AND" ] , near } ;          (* adjacent terms are ANDed, as in Google Alerts *)
 * near       = unary , [ "NEAR/" , digits , unary ] ;  (* both sides must be keywords *)
 * unary      = "NOT" , unary | primary ;
 * primary    = "(" , or , ")" | term ;
 * term       = ( "actor:" | "phase:" | "feed:" ) , id | phrase | word ;
 * id         = lower-case letter or digit , { lower-case letter | digit | "-" } ;
 * phrase     = '"' , { any character but a quote } , '"' ;   (* straight or curly quotes *)
 * word       = any run of characters but space, quotes and parentheses, not an operator ;
 * ```
 */
import { PipelineError } from '../errors.ts';

/** A keyword: a bare word or a quoted phrase, matched as whole words in the title or text. */
export interface KeywordTerm {
  kind: 'keyword';
  text: string;
  quoted: boolean;
  column: number;
}

/** A tag or feed term: `actor:ID`, `phase:ID`, `feed:ID`. */
export interface IdTerm {
  kind: 'actor' | 'phase' | 'feed';
  id: string;
  column: number;
}

export type RuleExpression =
  | KeywordTerm
  | IdTerm
  | { kind: 'not'; operand: RuleExpression; column: number }
  | { kind: 'and' | 'or'; operands: RuleExpression[]; column: number }
  | { kind: 'near'; left: KeywordTerm; right: KeywordTerm; distance: number; column: number };

/**
 * A `when` that does not parse: a PipelineError (config, permanent) that also carries the column and
 * the bare problem, so the alerts.yaml validation can put them after the file, line and key path.
 */
export class RuleExpressionError extends PipelineError {
  readonly ruleId: string;
  readonly column: number;
  readonly problem: string;

  constructor(ruleId: string, column: number, problem: string) {
    super({
      code: 'CONFIG_INVALID',
      stage: 'config',
      culprit: `rule ${ruleId}`,
      detail: `when: column ${column}: ${problem}`,
      permanent: true,
    });
    this.name = 'RuleExpressionError';
    this.ruleId = ruleId;
    this.column = column;
    this.problem = problem;
  }
}

/**
 * The largest NEAR distance: a sentence rarely runs past fifty words, and beyond that "near" means
 * "in the same article", which plain AND already says.
 */
export const MAX_NEAR_DISTANCE = 50;

const ID = /^[a-z0-9][a-z0-9-]*$/;
const OPEN_QUOTES = new Set(['"', '\u201C', '\u201E', '\u00AB']);
const CLOSE_QUOTES = new Set(['"', '\u201D', '\u201C', '\u00BB']);
/** Operators of other query languages: an error saying what to write instead beats a silent keyword. */
const FOREIGN_OPERATORS: Record<string, string> = {
  '&': 'AND',
  '&&': 'AND',
  '|': 'OR',
  '||': 'OR',
  '!': 'NOT',
  '-': 'NOT',
};

type Token =
  | { type: 'and' | 'or' | 'not' | 'open' | 'close'; column: number; text: string }
  | { type: 'near'; distance: number; column: number; text: string }
  | { type: 'term'; term: KeywordTerm | IdTerm; column: number; text: string };

/** Thrown inside the parser; turned into a RuleExpressionError once the rule id is known. */
class Problem {
  constructor(
    readonly column: number,
    readonly message: string,
  ) {}
}

function classifyWord(text: string, column: number): Token {
  const upper = text.toUpperCase();
  if (upper === 'AND' || upper === 'OR' || upper === 'NOT') {
    return { type: upper === 'AND' ? 'and' : upper === 'OR' ? 'or' : 'not', column, text };
  }
  const near = /^NEAR\/(\d+)$/i.exec(text);
  if (near) {
    const distance = Number(near[1]);
    if (distance > MAX_NEAR_DISTANCE) {
      throw new Problem(column, `${text}: the largest NEAR distance is ${MAX_NEAR_DISTANCE} words`);
    }
    return { type: 'near', distance, column, text };
  }
  if (upper === 'NEAR' || upper.startsWith('NEAR/')) {
    throw new Problem(column, `${text}: write NEAR/n with the number of words, e.g. NEAR/5`);
  }
  const foreign = FOREIGN_OPERATORS[text];
  if (foreign !== undefined) throw new Problem(column, `unknown operator "${text}": write ${foreign}`);
  if (/^-[\p{L}\p{N}]/u.test(text)) {
    throw new Problem(column, `unknown operator "-" before "${text.slice(1)}": write NOT ${text.slice(1)}`);
  }
  // W/5, NAER/3, PRE/2: operator-shaped words from other search tools or typos of NEAR.
  if (/^[A-Za-z]+\/\d+$/.test(text)) {
    throw new Problem(column, `unknown operator "${text}": the proximity operator is NEAR/n`);
  }
  const field = /^([A-Za-z]+):(.*)$/.exec(text);
  if (field) {
    const kind = (field[1] ?? '').toLowerCase();
    const id = field[2] ?? '';
    if (kind !== 'actor' && kind !== 'phase' && kind !== 'feed') {
      throw new Problem(
        column,
        `unknown term "${field[1]}:": use actor:, phase: or feed:, or quote the text`,
      );
    }
    if (!ID.test(id)) {
      throw new Problem(column, `${kind}: needs an id of lowercase letters, digits and dashes, got "${id}"`);
    }
    return { type: 'term', term: { kind, id, column }, column, text };
  }
  return { type: 'term', term: { kind: 'keyword', text, quoted: false, column }, column, text };
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    const column = i + 1;
    if (/\s/u.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ type: ch === '(' ? 'open' : 'close', column, text: ch });
      i++;
    } else if (OPEN_QUOTES.has(ch) || CLOSE_QUOTES.has(ch)) {
      let end = i + 1;
      while (end < source.length && !CLOSE_QUOTES.has(source[end] as string)) end++;
      if (end >= source.length) throw new Problem(column, 'unterminated quoted phrase');
      const text = source.slice(i + 1, end).trim();
      if (text === '') throw new Problem(column, 'empty quoted phrase');
      tokens.push({ type: 'term', term: { kind: 'keyword', text, quoted: true, column }, column, text });
      i = end + 1;
    } else {
      let end = i;
      while (end < source.length) {
        const c = source[end] as string;
        if (/\s/u.test(c) || c === '(' || c === ')' || OPEN_QUOTES.has(c) || CLOSE_QUOTES.has(c)) break;
        end++;
      }
      tokens.push(classifyWord(source.slice(i, end), column));
      i = end;
    }
  }
  return tokens;
}

class Parser {
  private at = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly endColumn: number,
  ) {}

  parse(): RuleExpression {
    if (this.tokens.length === 0) throw new Problem(1, 'empty expression');
    const expression = this.or();
    const extra = this.peek();
    if (extra) {
      throw new Problem(
        extra.column,
        extra.type === 'close' ? 'unmatched ")"' : `unexpected "${extra.text}"`,
      );
    }
    return expression;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private or(): RuleExpression {
    const first = this.and();
    const operands = [first];
    while (this.peek()?.type === 'or') {
      this.at++;
      operands.push(this.and());
    }
    return operands.length === 1 ? first : { kind: 'or', operands, column: first.column };
  }

  private and(): RuleExpression {
    const first = this.near();
    const operands = [first];
    for (;;) {
      const next = this.peek();
      if (next?.type === 'and') {
        this.at++;
        operands.push(this.near());
      } else if (next?.type === 'term' || next?.type === 'open' || next?.type === 'not') {
        operands.push(this.near()); // implicit AND between adjacent terms
      } else {
        break;
      }
    }
    return operands.length === 1 ? first : { kind: 'and', operands, column: first.column };
  }

  private near(): RuleExpression {
    const left = this.unary();
    const op = this.peek();
    if (op?.type !== 'near') return left;
    this.at++;
    const right = this.unary();
    if (left.kind !== 'keyword') {
      throw new Problem(
        left.column,
        `${op.text} joins two keywords or quoted phrases, not ${describe(left)}`,
      );
    }
    if (right.kind !== 'keyword') {
      throw new Problem(
        right.column,
        `${op.text} joins two keywords or quoted phrases, not ${describe(right)}`,
      );
    }
    const chained = this.peek();
    if (chained?.type === 'near') {
      throw new Problem(chained.column, 'NEAR/n joins two keywords; use AND between two NEAR/n pairs');
    }
    return { kind: 'near', left, right, distance: op.distance, column: left.column };
  }

  private unary(): RuleExpression {
    const token = this.peek();
    if (token?.type === 'not') {
      this.at++;
      return { kind: 'not', operand: this.unary(), column: token.column };
    }
    return this.primary();
  }

  private primary(): RuleExpression {
    const token = this.peek();
    if (!token) {
      const previous = this.tokens[this.at - 1];
      throw new Problem(this.endColumn, `expression ends after "${previous?.text ?? ''}": a term is missing`);
    }
    if (token.type === 'term') {
      this.at++;
      return token.term;
    }
    if (token.type === 'open') {
      this.at++;
      if (this.peek()?.type === 'close') throw new Problem(token.column, 'empty parentheses');
      const inner = this.or();
      if (this.peek()?.type !== 'close') throw new Problem(token.column, '"(" is never closed');
      this.at++;
      return inner;
    }
    if (token.type === 'close') throw new Problem(token.column, 'unmatched ")"');
    throw new Problem(token.column, `${token.text.toUpperCase()} needs a term before it`);
  }
}

function describe(expression: RuleExpression): string {
  switch (expression.kind) {
    case 'actor':
    case 'phase':
    case 'feed':
      return `${expression.kind}:${expression.id}`;
    case 'not':
      return 'a NOT';
    default:
      return `${formatRuleExpression(expression)}`;
  }
}

/**
 * Parses a rule's `when` expression into a tree whose nodes carry their 1-based columns.
 * Throws a {@link RuleExpressionError} (a PipelineError naming the rule and the column) when the text is
 * not an expression.
 *
 * @example
 * parseRuleExpression('actor:steve-witkoff talks NEAR/5 Miami', 'mediators');
 * // → { kind: 'and', column: 1, operands: [
 * //      { kind: 'actor', id: 'steve-witkoff', column: 1 },
 * //      { kind: 'near', distance: 5, column: 21,
 * //        left: { kind: 'keyword', text: 'talks', quoted: false, column: 21 },
 * //        right: { kind: 'keyword', text: 'Miami', quoted: false, column: 35 } } ] }
 * parseRuleExpression('talks && Miami', 'mediators');
 * // throws "config: rule mediators: when: column 7: unknown operator "&&": write AND"
 */
export function parseRuleExpression(source: string, ruleId: string): RuleExpression {
  try {
    return new Parser(tokenize(source), source.trimEnd().length + 1).parse();
  } catch (error) {
    if (error instanceof Problem) throw new RuleExpressionError(ruleId, error.column, error.message);
    throw error;
  }
}

/**
 * The expression written back in canonical form (operators upper-case, groups parenthesised), used in
 * the reasons shown to people and to check the parser's grouping.
 *
 * @example
 * formatRuleExpression(parseRuleExpression('a or b and not c', 'r')) // 'a OR (b AND NOT c)'
 */
export function formatRuleExpression(expression: RuleExpression): string {
  const group = (inner: RuleExpression) =>
    inner.kind === 'and' || inner.kind === 'or'
      ? `(${formatRuleExpression(inner)})`
      : formatRuleExpression(inner);
  switch (expression.kind) {
    case 'keyword':
      return expression.quoted || /\s/u.test(expression.text) ? `"${expression.text}"` : expression.text;
    case 'actor':
    case 'phase':
    case 'feed':
      return `${expression.kind}:${expression.id}`;
    case 'not':
      return `NOT ${group(expression.operand)}`;
    case 'near':
      return `${formatRuleExpression(expression.left)} NEAR/${expression.distance} ${formatRuleExpression(expression.right)}`;
    case 'and':
    case 'or':
      return expression.operands.map(group).join(expression.kind === 'and' ? ' AND ' : ' OR ');
  }
}
