import { Knex } from 'knex';

/*
 * String comparisons of MLflow's search grammar, the same on SQLite and
 * PostgreSQL: LIKE is case-sensitive and ILIKE is not, as MLflow documents
 * them (SQLite's own LIKE ignores ASCII case, so it becomes GLOB there).
 */

/** A comparator that applies to text. */
export type TextComparator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'ILIKE'
  | 'IN'
  | 'NOT IN';

/** SQL LIKE's `%` and `_` as GLOB's `*` and `?`, GLOB's own specials made literal. */
export function likeToGlob(pattern: string): string {
  let glob = '';
  for (const c of pattern) {
    if (c === '%') glob += '*';
    else if (c === '_') glob += '?';
    else if (c === '*' || c === '?' || c === '[') glob += `[${c}]`;
    else glob += c;
  }
  return glob;
}

/**
 * The value of one key of a JSON tags column (experiments, models and
 * versions keep their tags as a JSON object), NULL when the key is absent.
 */
export function jsonTagValue(
  db: Knex,
  column: string,
  key: string,
  sqlite: boolean,
): Knex.Raw {
  return sqlite
    ? db.raw('(select j.value from json_each(??) as j where j.key = ?)', [
        column,
        key,
      ])
    : db.raw('(??::jsonb ->> ?)', [column, key]);
}

/**
 * Adds `column <op> value` to `query`, for a column name or an expression;
 * IN and NOT IN take a list. A row whose value is NULL matches no
 * comparison, as in MLflow.
 */
export function compareText(
  query: Knex.QueryBuilder,
  column: string | Knex.Raw,
  op: TextComparator,
  value: string | string[],
  sqlite: boolean,
): Knex.QueryBuilder {
  const list = Array.isArray(value) ? value : [value];
  const one = list[0] ?? '';
  // `??` quotes a column name; an expression is embedded as a binding.
  const ref = typeof column === 'string' ? '??' : '?';
  if (list.length === 0 && (op === 'IN' || op === 'NOT IN')) {
    return op === 'IN'
      ? query.whereRaw('1 = 0')
      : query.whereRaw(`${ref} is not null`, [column]);
  }
  switch (op) {
    case 'IN':
      return query.whereRaw(`${ref} in (${list.map(() => '?').join(', ')})`, [
        column,
        ...list,
      ]);
    case 'NOT IN':
      return query.whereRaw(
        `${ref} not in (${list.map(() => '?').join(', ')})`,
        [column, ...list],
      );
    case 'LIKE':
      return sqlite
        ? query.whereRaw(`${ref} glob ?`, [column, likeToGlob(one)])
        : query.whereRaw(`${ref} like ?`, [column, one]);
    case 'ILIKE':
      return sqlite
        ? query.whereRaw(`lower(${ref}) like lower(?)`, [column, one])
        : query.whereRaw(`${ref} ilike ?`, [column, one]);
    case '!=':
      return query.whereRaw(`${ref} <> ?`, [column, one]);
    default:
      return query.whereRaw(`${ref} ${op} ?`, [column, one]);
  }
}
