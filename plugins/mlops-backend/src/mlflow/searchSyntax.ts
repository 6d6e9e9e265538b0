import { MlflowError } from './errors';

/*
 * MLflow's search grammar (mlflow/utils/search_utils.py), shared by the
 * searches of runs, experiments, registered models and model versions:
 *
 *   metrics.rmse < 0.8 and params.model LIKE 'tree%' and tags.`team name` != 'x'
 *   attributes.run_id IN ('a1…', 'b2…') and tags.owner IS NOT NULL
 *
 * Clauses are joined with AND (MLflow has no OR). Keys may be quoted with
 * backticks or double quotes when they contain spaces or dots; a key without
 * a prefix is an attribute, as in MLflow. Each search declares which
 * prefixes, attributes and comparators it has ({@link SearchGrammar}); what
 * it lacks is an INVALID_PARAMETER_VALUE naming the valid choices, never a
 * silently different result.
 */

/** A comparator of MLflow's grammar. */
export type SearchComparator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL';

/** What a clause compares: MLflow's entity types. */
export type SearchEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

/** One parsed clause; `value` is absent for IS NULL and IS NOT NULL. */
export interface SearchClause {
  entity: SearchEntity;
  key: string;
  op: SearchComparator;
  value?: string | number | string[];
}

/** One parsed `order_by` entry. */
export interface SearchOrder {
  entity: SearchEntity;
  key: string;
  direction: 'asc' | 'desc';
}

/** Which parts of the grammar one search has. */
export interface SearchGrammar {
  /** What is searched, for messages ("runs"). */
  what: string;
  /** Entity types this search filters on, with the comparators of each. */
  entities: Partial<
    Record<Exclude<SearchEntity, 'attribute'>, SearchComparator[]>
  >;
  /** Attributes compared as strings, with their comparators. */
  stringAttributes: Record<string, SearchComparator[]>;
  /** Attributes compared as numbers (=, !=, <, <=, >, >=). */
  numericAttributes: string[];
  /** Other names MLflow accepts for attributes ("created" for start_time). */
  attributeAliases?: Record<string, string>;
  /** Keys `order_by` accepts per entity type; attributes listed by name. */
  orderable: Partial<Record<SearchEntity, true | string[]>>;
}

type Token =
  | { type: 'identifier'; text: string }
  | { type: 'string'; text: string }
  | { type: 'number'; value: number; text: string }
  | { type: 'operator'; text: SearchComparator }
  | { type: 'list'; values: string[] }
  | { type: 'and' };

const PREFIXES: Record<string, SearchEntity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** The numeric comparators; metrics and numeric attributes take these. */
export const NUMERIC_COMPARATORS: SearchComparator[] = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
];

/**
 * Marks where a quoted part of an identifier began and ended, so a dot inside
 * quotes is not read as the prefix separator.
 */
const QUOTED = '\u0000';

function invalid(message: string): MlflowError {
  return new MlflowError('INVALID_PARAMETER_VALUE', message);
}

function plain(identifier: string): string {
  return identifier.split(QUOTED).join('');
}

function readQuoted(
  text: string,
  start: number,
): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      value += text[i + 1];
      i += 2;
      continue;
    }
    if (c === quote) {
      // SQL's doubled quote ('it''s') is one quote, as sqlparse reads it.
      if (quote === "'" && text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += c;
    i += 1;
  }
  throw invalid(
    `Unterminated quoted text starting at position ${start} of the search filter`,
  );
}

const KEYWORD_OPERATORS: Array<[RegExp, SearchComparator]> = [
  [/^not\s+in\b/i, 'NOT IN'],
  [/^is\s+not\s+null\b/i, 'IS NOT NULL'],
  [/^is\s+null\b/i, 'IS NULL'],
  [/^ilike\b/i, 'ILIKE'],
  [/^like\b/i, 'LIKE'],
  [/^in\b/i, 'IN'],
];

function readList(
  text: string,
  start: number,
): { values: string[]; end: number } {
  const values: string[] = [];
  let i = start + 1;
  for (;;) {
    while (/\s/.test(text[i] ?? '')) i += 1;
    if (text[i] === ')' && values.length === 0) {
      throw invalid('An IN list must name at least one quoted value');
    }
    if (text[i] !== "'" && text[i] !== '"') {
      throw invalid(
        `Expected a quoted string in the list at position ${i} of the search filter, e.g. ('a', 'b')`,
      );
    }
    const { value, end } = readQuoted(text, i);
    values.push(value);
    i = end;
    while (/\s/.test(text[i] ?? '')) i += 1;
    if (text[i] === ',') {
      i += 1;
      continue;
    }
    if (text[i] === ')') {
      return { values, end: i + 1 };
    }
    throw invalid('An IN list must be closed with )');
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const afterOperator = () =>
    tokens.length > 0 && tokens[tokens.length - 1].type === 'operator';
  const afterIdentifier = () =>
    tokens.length > 0 && tokens[tokens.length - 1].type === 'identifier';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === "'" || (c === '"' && afterOperator())) {
      const { value, end } = readQuoted(text, i);
      tokens.push({ type: 'string', text: value });
      i = end;
      continue;
    }
    if (c === '(' && afterOperator()) {
      const { values, end } = readList(text, i);
      tokens.push({ type: 'list', values });
      i = end;
      continue;
    }
    const symbol = /^(!=|<=|>=|=|<|>)/.exec(text.slice(i));
    if (symbol) {
      tokens.push({ type: 'operator', text: symbol[1] as SearchComparator });
      i += symbol[1].length;
      continue;
    }
    if (afterIdentifier()) {
      const rest = text.slice(i);
      const keyword = KEYWORD_OPERATORS.find(([pattern]) => pattern.test(rest));
      if (keyword) {
        tokens.push({ type: 'operator', text: keyword[1] });
        i += keyword[0].exec(rest)![0].length;
        continue;
      }
    }
    const number = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i));
    if (number && (tokens.length === 0 || afterOperator())) {
      tokens.push({
        type: 'number',
        value: Number(number[0]),
        text: number[0],
      });
      i += number[0].length;
      continue;
    }
    let identifier = '';
    while (i < text.length && !/[\s!=<>'(),]/.test(text[i])) {
      if (text[i] === '`' || text[i] === '"') {
        const { value, end } = readQuoted(text, i);
        identifier += `${QUOTED}${value}${QUOTED}`;
        i = end;
      } else {
        identifier += text[i];
        i += 1;
      }
    }
    if (!identifier) {
      throw invalid(
        `Unexpected character '${c}' at position ${i} of the search filter`,
      );
    }
    if (identifier.toLowerCase() === 'and') {
      tokens.push({ type: 'and' });
    } else if (identifier.toLowerCase() === 'or') {
      throw invalid(
        'Search clauses must be joined with AND (OR is not part of MLflow search syntax)',
      );
    } else {
      tokens.push({ type: 'identifier', text: identifier });
    }
  }
  return tokens;
}

function validAttributes(grammar: SearchGrammar): string[] {
  return [
    ...Object.keys(grammar.stringAttributes),
    ...grammar.numericAttributes,
  ].sort();
}

/** Splits `prefix.key`; a key without a prefix is an attribute, as in MLflow. */
function splitIdentifier(
  raw: string,
  grammar: SearchGrammar,
  forOrder: boolean,
): { entity: SearchEntity; key: string } {
  const dot = raw.indexOf('.');
  const hasPrefix = dot > 0 && !raw.slice(0, dot).includes(QUOTED);
  const prefix = hasPrefix ? plain(raw.slice(0, dot)).toLowerCase() : undefined;
  const entity = prefix === undefined ? 'attribute' : PREFIXES[prefix];
  const allowed = forOrder
    ? Object.keys(grammar.orderable)
    : ['attribute', ...Object.keys(grammar.entities)];
  if (!entity || !allowed.includes(entity)) {
    throw invalid(
      `Invalid entity type '${prefix}' in the ${
        grammar.what
      } search: expected one of ${allowed
        .map(e => `${e === 'param' ? 'params' : `${e}s`}.<key>`)
        .join(', ')}`,
    );
  }
  let key = plain(hasPrefix ? raw.slice(dot + 1) : raw);
  if (!key) {
    throw invalid(`The search identifier '${plain(raw)}' has no key`);
  }
  if (entity === 'attribute') {
    key = grammar.attributeAliases?.[key] ?? key;
    const valid = forOrder
      ? (grammar.orderable.attribute as string[] | undefined) ?? []
      : validAttributes(grammar);
    if (!valid.includes(key)) {
      throw invalid(
        `Invalid attribute key '${key}' in the ${
          grammar.what
        } search; valid keys are ${valid.join(', ')}`,
      );
    }
  }
  if (entity === 'dataset' && !['name', 'digest', 'context'].includes(key)) {
    throw invalid(
      `Invalid dataset key '${key}'; valid keys are name, digest, context`,
    );
  }
  return { entity, key };
}

function comparatorsOf(
  grammar: SearchGrammar,
  entity: SearchEntity,
  key: string,
): SearchComparator[] {
  if (entity === 'attribute') {
    return grammar.numericAttributes.includes(key)
      ? NUMERIC_COMPARATORS
      : grammar.stringAttributes[key] ?? [];
  }
  return grammar.entities[entity] ?? [];
}

/**
 * Parses a `filter` of MLflow's grammar for one search. An empty or blank
 * filter matches everything.
 */
export function parseSearchFilter(
  filter: string | undefined,
  grammar: SearchGrammar,
): SearchClause[] {
  if (!filter || !filter.trim()) {
    return [];
  }
  const tokens = tokenize(filter);
  const clauses: SearchClause[] = [];
  let i = 0;
  while (i < tokens.length) {
    const identifier = tokens[i];
    const operator = tokens[i + 1];
    if (identifier?.type !== 'identifier') {
      throw invalid(
        `Each clause of the ${
          grammar.what
        } search must start with an identifier such as ${
          grammar.entities.metric ? 'metrics.rmse' : 'name'
        }`,
      );
    }
    if (operator?.type !== 'operator') {
      throw invalid(`Expected a comparator after '${plain(identifier.text)}'`);
    }
    const { entity, key } = splitIdentifier(identifier.text, grammar, false);
    const op = operator.text;
    const allowed = comparatorsOf(grammar, entity, key);
    const shown = entity === 'attribute' ? key : `${entity}s.${key}`;
    if (!allowed.includes(op)) {
      throw invalid(
        `Invalid comparator '${op}' for ${shown} in the ${
          grammar.what
        } search; expected one of ${allowed.join(', ')}`,
      );
    }
    if (op === 'IS NULL' || op === 'IS NOT NULL') {
      clauses.push({ entity, key, op });
      i += 2;
    } else {
      const value = tokens[i + 2];
      if (!value || !['string', 'number', 'list'].includes(value.type)) {
        throw invalid(`Expected a value after '${op}'`);
      }
      const numeric =
        entity === 'metric' ||
        (entity === 'attribute' && grammar.numericAttributes.includes(key));
      if (op === 'IN' || op === 'NOT IN') {
        if (value.type !== 'list') {
          throw invalid(
            `${op} takes a list of quoted strings, e.g. ${shown} ${op} ('a', 'b')`,
          );
        }
        clauses.push({ entity, key, op, value: value.values });
      } else if (numeric) {
        if (value.type !== 'number') {
          throw invalid(
            `${shown} must be compared with a number, not '${
              value.type === 'string' ? value.text : '(…)'
            }'`,
          );
        }
        clauses.push({ entity, key, op, value: value.value });
      } else {
        if (value.type !== 'string') {
          throw invalid(
            `${shown} must be compared with a quoted string, e.g. '${
              value.type === 'number' ? value.text : 'value'
            }'`,
          );
        }
        clauses.push({ entity, key, op, value: value.text });
      }
      i += 3;
    }
    if (i < tokens.length) {
      if (tokens[i].type !== 'and') {
        throw invalid(
          'Search clauses must be joined with AND (OR is not part of MLflow search syntax)',
        );
      }
      i += 1;
      if (i === tokens.length) {
        throw invalid('The search filter ends with a dangling AND');
      }
    }
  }
  return clauses;
}

/** Parses MLflow's `order_by` list ("metrics.auc DESC", "name"), in order. */
export function parseSearchOrderBy(
  orderBy: string[] | undefined,
  grammar: SearchGrammar,
): SearchOrder[] {
  return (orderBy ?? []).map(entry => {
    const match = /^\s*(.+?)(?:\s+(asc|desc))?\s*$/i.exec(entry);
    const tokens = match ? tokenize(match[1]) : [];
    if (!match || tokens.length !== 1 || tokens[0].type !== 'identifier') {
      throw invalid(`Invalid order_by clause '${entry}'`);
    }
    const { entity, key } = splitIdentifier(tokens[0].text, grammar, true);
    const keys = grammar.orderable[entity];
    if (Array.isArray(keys) && !keys.includes(key)) {
      throw invalid(
        `Invalid order_by key '${entry.trim()}' in the ${
          grammar.what
        } search; valid keys are ${keys.join(', ')}`,
      );
    }
    return {
      entity,
      key,
      direction: (match[2]?.toLowerCase() ?? 'asc') as 'asc' | 'desc',
    };
  });
}
