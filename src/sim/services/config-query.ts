/**
 * The subset of AWS Config's advanced-query SQL that the sample account understands, as pure
 * functions (services/config.ts serves it):
 *
 *   SELECT <prop>[, <prop>...] [WHERE <cond> [AND <cond>...]]
 *
 * - Keywords (SELECT, WHERE, AND, IN) are case-insensitive; property names are case-sensitive.
 * - <prop> is a dotted identifier path, e.g. supplementaryConfiguration.BucketVersioningConfiguration.status.
 * - <cond> is `<prop> = '<string>'` or `<prop> IN ('a', 'b', ...)`; a quote inside a string is doubled ('').
 * - Anything else (OR, NOT, LIKE, BETWEEN, comparison operators other than =, *, aggregates, GROUP BY,
 *   ORDER BY, FROM, ...) is a ConfigQueryError naming what is not supported.
 *
 * Evaluation over a configuration item (a JSON object): a path through an array looks into each of its
 * elements (`tags.key = 'env'` matches when any tag has key "env"); a condition matches when any value
 * found at its path equals one of its strings (numbers and booleans compare by their text). Selection
 * keeps only the selected properties, nested by their paths; a selected object comes whole; a property
 * with no value (absent or null) is left out.
 */

export class ConfigQueryError extends Error {
  override name = 'ConfigQueryError';
}

export interface ConfigCondition {
  /** Dotted property path, as written. */
  path: string;
  /** `=` has one value; IN one or more. */
  values: string[];
}

export interface ConfigQuery {
  /** Select-list entries, as written. */
  select: string[];
  /** Every condition must hold (AND). */
  where: ConfigCondition[];
}

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'punct'; text: string; at: number }
  | { kind: 'end'; text: ''; at: number };

/** Keywords that AWS Config's SQL has and this subset does not. */
const UNSUPPORTED_KEYWORDS = new Set([
  'OR',
  'NOT',
  'LIKE',
  'BETWEEN',
  'IS',
  'NULL',
  'FROM',
  'AS',
  'DISTINCT',
  'GROUP',
  'ORDER',
  'BY',
  'HAVING',
  'LIMIT',
  'COUNT',
  'SUM',
  'MIN',
  'MAX',
  'AVG',
  'ASC',
  'DESC',
]);
const KEYWORDS = new Set(['SELECT', 'WHERE', 'AND', 'IN']);
const SUPPORTED_PUNCTUATION = new Set([',', '(', ')', '=']);

const WORD = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === ',' || c === '(' || c === ')' || c === '=') {
      tokens.push({ kind: 'punct', text: c, at: i });
      i++;
      continue;
    }
    if (c === "'") {
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= expression.length) throw new ConfigQueryError(`Unterminated string literal at position ${i + 1}.`);
        const d = expression[j] as string;
        if (d === "'") {
          if (expression[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += d;
        j++;
      }
      tokens.push({ kind: 'string', text, at: i });
      i = j + 1;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(expression);
    if (word) {
      if (word[0].endsWith('.') || expression[WORD.lastIndex] === '.')
        throw new ConfigQueryError(`Invalid property name at position ${i + 1}.`);
      tokens.push({ kind: 'word', text: word[0], at: i });
      i = WORD.lastIndex;
      continue;
    }
    const operator = /^(<>|!=|<=|>=|<|>|\*|\|\||[-+/%])/.exec(expression.slice(i));
    if (operator) {
      // Reported by the parser, so that an unsupported keyword before it is named first.
      tokens.push({ kind: 'punct', text: operator[1] as string, at: i });
      i += (operator[1] as string).length;
      continue;
    }
    if (c === '"')
      throw new ConfigQueryError(`Double-quoted text is not supported: strings use single quotes (position ${i + 1}).`);
    if (/[0-9]/.test(c))
      throw new ConfigQueryError(`Numeric literals are not supported: compare with a quoted string (position ${i + 1}).`);
    throw new ConfigQueryError(`Unexpected character '${c}' at position ${i + 1}.`);
  }
  tokens.push({ kind: 'end', text: '', at: expression.length });
  return tokens;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return `the string '${token.text}'`;
    default:
      return `'${token.text}'`;
  }
}

function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === 'word' && token.text.toUpperCase() === keyword;
}

/** Parse an expression; throws ConfigQueryError for anything outside the subset. */
export function parseConfigQuery(expression: string): ConfigQuery {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = (): Token => tokens[pos] as Token;
  const next = (): Token => tokens[pos++] as Token;

  const unsupported = (token: Token): ConfigQueryError | undefined => {
    if (token.kind === 'punct' && !SUPPORTED_PUNCTUATION.has(token.text))
      return new ConfigQueryError(`The operator '${token.text}' is not supported (position ${token.at + 1}).`);
    if (token.kind !== 'word') return undefined;
    const upper = token.text.toUpperCase();
    if (UNSUPPORTED_KEYWORDS.has(upper))
      return new ConfigQueryError(`The keyword ${upper} is not supported (position ${token.at + 1}).`);
    return undefined;
  };

  const property = (after: string): string => {
    const token = next();
    const bad = unsupported(token);
    if (bad) throw bad;
    if (token.kind === 'punct' && token.text === '(')
      throw new ConfigQueryError(`Functions and parenthesised expressions are not supported (position ${token.at + 1}).`);
    if (token.kind !== 'word' || KEYWORDS.has(token.text.toUpperCase()))
      throw new ConfigQueryError(`Expected a property name after ${after}, found ${describe(token)}.`);
    if (peek().kind === 'punct' && peek().text === '(')
      throw new ConfigQueryError(`The function ${token.text}() is not supported (position ${token.at + 1}).`);
    return token.text;
  };

  const first = next();
  if (!isKeyword(first, 'SELECT'))
    throw unsupported(first) ?? new ConfigQueryError(`The expression must start with SELECT, found ${describe(first)}.`);
  const select = [property('SELECT')];
  while (peek().kind === 'punct' && peek().text === ',') {
    next();
    select.push(property(','));
  }

  const where: ConfigCondition[] = [];
  if (isKeyword(peek(), 'WHERE')) {
    next();
    for (;;) {
      const path = property(where.length === 0 ? 'WHERE' : 'AND');
      const op = next();
      if (op.kind === 'punct' && op.text === '=') {
        const value = next();
        if (value.kind !== 'string')
          throw unsupported(value) ?? new ConfigQueryError(`Expected a quoted string after ${path} =, found ${describe(value)}.`);
        where.push({ path, values: [value.text] });
      } else if (isKeyword(op, 'IN')) {
        const open = next();
        if (open.kind !== 'punct' || open.text !== '(')
          throw new ConfigQueryError(`Expected '(' after ${path} IN, found ${describe(open)}.`);
        const values: string[] = [];
        for (;;) {
          const value = next();
          if (value.kind !== 'string')
            throw new ConfigQueryError(`Expected a quoted string in the IN list of ${path}, found ${describe(value)}.`);
          values.push(value.text);
          const sep = next();
          if (sep.kind === 'punct' && sep.text === ',') continue;
          if (sep.kind === 'punct' && sep.text === ')') break;
          throw new ConfigQueryError(`Expected ',' or ')' in the IN list of ${path}, found ${describe(sep)}.`);
        }
        where.push({ path, values });
      } else {
        throw (
          unsupported(op) ??
          new ConfigQueryError(`Expected = or IN after ${path}, found ${describe(op)}: only = and IN conditions are supported.`)
        );
      }
      if (!isKeyword(peek(), 'AND')) break;
      next();
    }
  }

  const rest = peek();
  if (rest.kind !== 'end')
    throw unsupported(rest) ?? new ConfigQueryError(`Unexpected ${describe(rest)} at position ${rest.at + 1}.`);
  return { select, where };
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every value at a dotted path (looking into each element of arrays on the way), nulls left out. */
export function valuesAt(item: unknown, path: string): unknown[] {
  let current: unknown[] = [item];
  for (const segment of path.split('.')) {
    const found: unknown[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) for (const v of value) visit(v);
      else if (isRecord(value) && Object.hasOwn(value, segment)) found.push(value[segment]);
    };
    for (const value of current) visit(value);
    current = found;
  }
  return current.flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : [v])).filter((v) => v !== null && v !== undefined);
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Whether an item satisfies every condition of a query. */
export function matchesQuery(item: unknown, query: Pick<ConfigQuery, 'where'>): boolean {
  return query.where.every((condition) =>
    valuesAt(item, condition.path).some((value) => {
      const text = textOf(value);
      return text !== undefined && condition.values.includes(text);
    }),
  );
}

function pick(value: unknown, segments: readonly string[]): unknown {
  if (value === undefined || value === null) return undefined;
  if (segments.length === 0) return value;
  if (Array.isArray(value)) {
    const picked = value.map((v) => pick(v, segments));
    if (picked.every((v) => v === undefined)) return undefined;
    // Keep positions, so projections of the same array merge element by element.
    return picked.map((v) => v ?? {});
  }
  if (!isRecord(value)) return undefined;
  const [head, ...rest] = segments as [string, ...string[]];
  if (!Object.hasOwn(value, head)) return undefined;
  const inner = pick(value[head], rest);
  return inner === undefined ? undefined : { [head]: inner };
}

function merge(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.map((v, i) => merge(v, b[i]));
  return b;
}

/** The selected properties of an item, nested by their paths ({} when none has a value). */
export function projectItem(item: unknown, select: readonly string[]): Record<string, Json> {
  let out: unknown = {};
  for (const path of select) out = merge(out, pick(item, path.split('.')));
  return out as Record<string, Json>;
}
