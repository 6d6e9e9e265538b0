import {
  RUN_STATUSES,
  RunFilterClause,
  RunFilterOperator,
  RunOrderBy,
  RunStatus,
} from '@backstage-mlops/plugin-mlops-common';
import { MlflowError } from './errors';

/*
 * MLflow's search syntax for runs (`filter` and `order_by` of
 * `runs/search`), translated into the tracking service's structured search:
 *
 *   metrics.rmse < 0.8 and params.model = "tree" and tags.`team name` != 'x'
 *   attributes.status = 'FINISHED'
 *
 * Clauses are joined with AND (MLflow has no OR). Keys may be quoted with
 * backticks or double quotes when they contain spaces or dots. What the
 * tracking search cannot answer exactly (LIKE, IN, other attributes) is an
 * INVALID_PARAMETER_VALUE rather than a silently different result.
 */

type Token =
  | { type: 'identifier'; text: string }
  | { type: 'string'; text: string }
  | { type: 'number'; value: number; text: string }
  | { type: 'operator'; text: string }
  | { type: 'and' };

const ENTITY_PREFIXES: Record<
  string,
  'metric' | 'param' | 'tag' | 'attribute'
> = {
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
};

/**
 * Marks where a quoted part of an identifier began and ended, so a dot inside
 * quotes is not read as the prefix separator.
 */
const QUOTED = '\u0000';

const OPERATORS: RunFilterOperator[] = ['=', '!=', '<', '<=', '>', '>='];

function invalid(message: string): MlflowError {
  return new MlflowError('INVALID_PARAMETER_VALUE', message);
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
      return { value, end: i + 1 };
    }
    value += c;
    i += 1;
  }
  throw invalid(
    `Unterminated quoted text starting at position ${start} of the search filter`,
  );
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === "'") {
      const { value, end } = readQuoted(text, i);
      tokens.push({ type: 'string', text: value });
      i = end;
      continue;
    }
    const operator = /^(!=|<=|>=|=|<|>)/.exec(text.slice(i));
    if (operator) {
      tokens.push({ type: 'operator', text: operator[1] });
      i += operator[1].length;
      continue;
    }
    const number = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i));
    if (
      number &&
      (tokens.length === 0 || tokens[tokens.length - 1].type === 'operator')
    ) {
      tokens.push({
        type: 'number',
        value: Number(number[0]),
        text: number[0],
      });
      i += number[0].length;
      continue;
    }
    // An identifier: prefix.key, where either part may be quoted with
    // backticks or double quotes; a double-quoted value after an operator is
    // a string, as MLflow allows.
    if (
      c === '"' &&
      tokens.length > 0 &&
      tokens[tokens.length - 1].type === 'operator'
    ) {
      const { value, end } = readQuoted(text, i);
      tokens.push({ type: 'string', text: value });
      i = end;
      continue;
    }
    let identifier = '';
    while (i < text.length && !/[\s!=<>']/.test(text[i])) {
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
    } else {
      tokens.push({ type: 'identifier', text: identifier });
    }
  }
  return tokens;
}

/** Splits `prefix.key`; the key may have been quoted (marked by {@link QUOTED}). */
function splitIdentifier(raw: string): {
  entity: 'metric' | 'param' | 'tag' | 'attribute';
  key: string;
} {
  const dot = raw.indexOf('.');
  if (dot <= 0) {
    throw invalid(
      `'${raw
        .split(QUOTED)
        .join(
          '',
        )}' is not a valid search identifier: expected metrics.<key>, params.<key>, tags.<key> or attributes.<name>`,
    );
  }
  const prefix = raw.slice(0, dot).toLowerCase();
  const entity = ENTITY_PREFIXES[prefix];
  if (!entity) {
    throw invalid(
      `Unknown search prefix '${prefix}': expected metrics, params, tags or attributes`,
    );
  }
  const key = raw
    .slice(dot + 1)
    .split(QUOTED)
    .join('');
  if (!key) {
    throw invalid(`The search identifier '${prefix}.' has no key`);
  }
  return { entity, key };
}

/**
 * Parses an MLflow run search filter into clauses of the tracking search.
 * An empty or blank filter matches every run.
 */
export function parseRunFilter(filter: string | undefined): RunFilterClause[] {
  if (!filter || !filter.trim()) {
    return [];
  }
  const tokens = tokenize(filter);
  const clauses: RunFilterClause[] = [];
  let i = 0;
  while (i < tokens.length) {
    const [identifier, operator, value] = tokens.slice(i, i + 3);
    if (identifier?.type !== 'identifier') {
      throw invalid(
        'Each search clause must start with an identifier such as metrics.rmse',
      );
    }
    if (operator?.type !== 'operator') {
      if (
        operator?.type === 'identifier' &&
        /^(i?like|in)$/i.test(operator.text)
      ) {
        throw invalid(
          `The ${operator.text.toUpperCase()} comparator is not supported by this server; use =, !=, <, <=, > or >=`,
        );
      }
      throw invalid(
        `Expected a comparator after '${identifier.text
          .split(QUOTED)
          .join('')}'`,
      );
    }
    if (!value || (value.type !== 'string' && value.type !== 'number')) {
      throw invalid(`Expected a value after '${operator.text}'`);
    }
    const op = operator.text as RunFilterOperator;
    if (!OPERATORS.includes(op)) {
      throw invalid(`Unknown comparator '${operator.text}'`);
    }
    const { entity, key } = splitIdentifier(identifier.text);
    if (entity === 'metric') {
      if (value.type !== 'number') {
        throw invalid(
          `metrics.${key} must be compared with a number, not '${value.text}'`,
        );
      }
      clauses.push({ type: 'metric', key, op, value: value.value });
    } else if (entity === 'param' || entity === 'tag') {
      if (value.type !== 'string') {
        throw invalid(
          `${
            entity === 'param' ? 'params' : 'tags'
          }.${key} must be compared with a quoted string, e.g. '${value.text}'`,
        );
      }
      clauses.push({ type: entity, key, op, value: value.text });
    } else {
      if (key !== 'status') {
        throw invalid(
          `Searching on attributes.${key} is not supported by this server; attributes.status is`,
        );
      }
      if (op !== '=' && op !== '!=') {
        throw invalid('attributes.status can only be compared with = or !=');
      }
      const status = String(value.type === 'string' ? value.text : value.value);
      if (!RUN_STATUSES.includes(status as RunStatus)) {
        throw invalid(
          `'${status}' is not a run status; expected one of ${RUN_STATUSES.join(
            ', ',
          )}`,
        );
      }
      clauses.push({ type: 'status', op, value: status as RunStatus });
    }
    i += 3;
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

const ORDER_ATTRIBUTES: Record<string, 'start_time' | 'end_time' | 'name'> = {
  start_time: 'start_time',
  end_time: 'end_time',
  run_name: 'name',
};

/**
 * Parses MLflow's `order_by` list. The tracking search orders by one key (ties
 * broken by run id), so a second key is refused rather than ignored.
 */
export function parseRunOrderBy(
  orderBy: string[] | undefined,
): RunOrderBy | undefined {
  if (!orderBy || orderBy.length === 0) {
    return undefined;
  }
  if (orderBy.length > 1) {
    throw invalid(
      'This server orders runs by one key; pass a single order_by entry',
    );
  }
  const match = /^\s*(.+?)(?:\s+(asc|desc))?\s*$/i.exec(orderBy[0]);
  if (!match) {
    throw invalid(`Invalid order_by entry '${orderBy[0]}'`);
  }
  const identifier = tokenize(match[1]);
  if (identifier.length !== 1 || identifier[0].type !== 'identifier') {
    throw invalid(`Invalid order_by entry '${orderBy[0]}'`);
  }
  const direction = (match[2]?.toLowerCase() ?? 'asc') as 'asc' | 'desc';
  const { entity, key } = splitIdentifier(identifier[0].text);
  if (entity === 'metric' || entity === 'param') {
    return { type: entity, key, direction };
  }
  const attribute = ORDER_ATTRIBUTES[key];
  if (entity === 'attribute' && attribute) {
    return { type: 'attribute', key: attribute, direction };
  }
  throw invalid(
    `Ordering by ${orderBy[0].trim()} is not supported; order by a metric, a param, attributes.start_time, attributes.end_time or attributes.run_name`,
  );
}
