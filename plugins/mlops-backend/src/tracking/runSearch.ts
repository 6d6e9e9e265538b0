import {
  Run,
  RunOrderBy,
  SearchRunsResponse,
} from '@backstage-mlops/plugin-mlops-common';
import { InputError } from '@backstage/errors';
import { createHash } from 'crypto';
import { Knex } from 'knex';
import { ObjectReadScope } from '../permissions/MlopsObjectReadAccess';
import { RUN_TABLES } from './runRows';
import { matchingRuns, RunSearchClause, SortDriver } from './runFilters';

export { RUN_NAME_TAG } from './runFilters';
export type { RunSearchClause, RunTextAttribute } from './runFilters';

/*
 * Run search in SQL: the filter clauses become joins and conditions
 * (runFilters.ts), the order becomes ORDER BY, and a page is read with
 * LIMIT, on SQLite and PostgreSQL alike. One sort key of the kinds the
 * indexes cover (a metric, a param, start time, end time, name) is read by
 * keyset: the database walks the index and stops at the page size. Other
 * orders (tags, several keys, other attributes) are one ORDER BY over the
 * matches, paged by offset.
 */

const { PARAMS, TAGS, LATEST } = RUN_TABLES;

/** One sort key of a run search. */
export type RunSearchOrder =
  | RunOrderBy
  | { type: 'tag'; key: string; direction?: 'asc' | 'desc' }
  | {
      type: 'attribute';
      key: 'status' | 'user_id' | 'run_id' | 'experiment_id';
      direction?: 'asc' | 'desc';
    };

/** A validated run search. */
export interface RunSearch {
  experimentIds?: string[];
  experimentNames?: string[];
  filter: RunSearchClause[];
  /** One key, or several in priority order; newest start time first when left out. */
  orderBy?: RunSearchOrder | RunSearchOrder[];
  pageSize: number;
  pageToken?: string;
  includeDeleted: boolean;
  /** Only deleted runs (MLflow's DELETED_ONLY); implies includeDeleted. */
  deletedOnly?: boolean;
}

interface KeysetCursor {
  /** Fingerprint of the search the token was issued for. */
  f: string;
  /** 1 when the last run had no sort value, else 0. */
  m: 0 | 1;
  /** The sort value of the last run. */
  v: string | number | null;
  /** The id of the last run. */
  id: string;
}

interface OffsetCursor {
  f: string;
  /** Runs already returned. */
  o: number;
}

const ATTRIBUTE_ORDER_COLUMNS: Record<string, string> = {
  start_time: 'r.start_time',
  end_time: 'r.end_time',
  name: 'r.name',
  status: 'r.status',
  user_id: 'r.user_id',
  run_id: 'r.id',
  experiment_id: 'r.experiment_id',
};

function isKeysetOrder(order: RunSearchOrder): order is RunOrderBy {
  return (
    order.type === 'metric' ||
    order.type === 'param' ||
    (order.type === 'attribute' &&
      ['start_time', 'end_time', 'name'].includes(order.key))
  );
}

/**
 * Runs matching `search`, only in experiments `scope` lets the caller read;
 * `loadRuns` turns the page's ids into runs, in order.
 */
export async function searchRuns(
  db: Knex,
  search: RunSearch,
  scope: ObjectReadScope,
  loadRuns: (ids: string[]) => Promise<Run[]>,
): Promise<SearchRunsResponse> {
  let orders: RunSearchOrder[] = [];
  if (Array.isArray(search.orderBy)) {
    orders = search.orderBy;
  } else if (search.orderBy) {
    orders = [search.orderBy];
  }
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        search.experimentIds,
        search.experimentNames,
        search.filter,
        orders,
        search.includeDeleted,
        search.deletedOnly ?? false,
      ]),
    )
    .digest('base64url')
    .slice(0, 16);
  const sqlite = String(db.client.config.client).includes('sqlite');
  const cursor = search.pageToken
    ? decodeCursor(search.pageToken, fingerprint)
    : undefined;

  const [first] = orders;
  const keyset =
    orders.length === 0 || (orders.length === 1 && isKeysetOrder(first));
  const rows = keyset
    ? await keysetPage(
        db,
        sqlite,
        search,
        scope,
        first as RunOrderBy | undefined,
        fingerprint,
        cursor,
      )
    : await offsetPage(db, sqlite, search, scope, orders, fingerprint, cursor);
  return {
    runs: await loadRuns(rows.ids),
    ...(rows.nextPageToken ? { nextPageToken: rows.nextPageToken } : {}),
  };
}

interface PageIds {
  ids: string[];
  nextPageToken?: string;
}

/**
 * Runs with a sort value come first, ordered by (value, id) in the requested
 * direction; this order is the order of the indexes (key, is_nan, value,
 * run_id) and (experiment_id, start_time, id), so the database walks an
 * index and stops at the page size instead of sorting every match. Runs
 * without a sort value (missing metric or param, NaN, no end time) follow,
 * by id.
 */
async function keysetPage(
  db: Knex,
  sqlite: boolean,
  search: RunSearch,
  scope: ObjectReadScope,
  requested: RunOrderBy | undefined,
  fingerprint: string,
  cursor: KeysetCursor | OffsetCursor | undefined,
): Promise<PageIds> {
  if (cursor && !('m' in cursor)) {
    throw badToken();
  }
  const orderBy: RunOrderBy = requested ?? {
    type: 'attribute',
    key: 'start_time',
    direction: 'desc',
  };
  const direction = orderBy.direction === 'asc' ? 'asc' : 'desc';
  const matching = (driver?: SortDriver) =>
    matchingRuns(db, sqlite, search, scope, driver);
  let withValue: () => Knex.QueryBuilder;
  let withoutValue: (() => Knex.QueryBuilder) | undefined;
  let valueColumn: string;
  let idColumn: string;
  let numeric = true;
  if (orderBy.type === 'metric' || orderBy.type === 'param') {
    const table = orderBy.type === 'metric' ? LATEST : PARAMS;
    const isMetric = orderBy.type === 'metric';
    const sortKey = orderBy.key;
    const present = (join: Knex.JoinClause) => {
      join.on('o.run_id', 'r.id').andOnVal('o.key', sortKey);
      if (isMetric) {
        join.andOnVal('o.is_nan', false);
      }
      return join;
    };
    withValue = () =>
      matching({
        table,
        present,
        where: query => {
          query.where('o.key', sortKey);
          if (isMetric) {
            query.where('o.is_nan', false);
          }
        },
      });
    withoutValue = () =>
      matching().whereNotExists(function missing() {
        this.select(db.raw('1'))
          .from(`${table} as o`)
          .whereRaw('o.run_id = r.id')
          .andWhere('o.key', sortKey);
        if (isMetric) {
          this.andWhere('o.is_nan', false);
        }
      });
    valueColumn = 'o.value';
    idColumn = 'o.run_id';
    numeric = isMetric;
  } else {
    const column = ATTRIBUTE_ORDER_COLUMNS[orderBy.key];
    if (!column) {
      throw new InputError(`Cannot order runs by attribute "${orderBy.key}"`);
    }
    numeric = orderBy.key !== 'name';
    valueColumn = column;
    idColumn = 'r.id';
    if (orderBy.key === 'start_time') {
      withValue = () => matching();
    } else {
      withValue = () => matching().whereNotNull(column);
      withoutValue = () => matching().whereNull(column);
    }
  }

  const limit = search.pageSize + 1;
  type Row = { id: string; sort_value: unknown; missing: 0 | 1 };
  const rows: Row[] = [];
  const keyset = cursor as KeysetCursor | undefined;
  if (!keyset || keyset.m === 0) {
    const query = withValue().select(
      `${idColumn} as id`,
      `${valueColumn} as sort_value`,
    );
    if (keyset) {
      const after = direction === 'asc' ? '>' : '<';
      query.where(inner =>
        inner
          .where(valueColumn, after, keyset.v as any)
          .orWhere(tie =>
            tie
              .where(valueColumn, keyset.v as any)
              .andWhere(idColumn, after, keyset.id),
          ),
      );
    }
    const found: Array<{ id: string; sort_value: unknown }> = await query
      .orderBy([
        { column: valueColumn, order: direction },
        { column: idColumn, order: direction },
      ])
      .limit(limit);
    rows.push(...found.map(row => ({ ...row, missing: 0 as const })));
  }
  if (rows.length < limit && withoutValue) {
    const query = withoutValue().select('r.id as id');
    if (keyset?.m === 1) {
      query.where('r.id', '>', keyset.id);
    }
    const found: Array<{ id: string }> = await query
      .orderBy('r.id', 'asc')
      .limit(limit - rows.length);
    rows.push(
      ...found.map(row => ({
        id: row.id,
        sort_value: null,
        missing: 1 as const,
      })),
    );
  }

  const page = rows.slice(0, search.pageSize);
  if (rows.length <= search.pageSize) {
    return { ids: page.map(row => row.id) };
  }
  const last = page[page.length - 1];
  let value: string | number | null = null;
  if (last.missing === 0) {
    value = numeric ? Number(last.sort_value) : String(last.sort_value);
  }
  return {
    ids: page.map(row => row.id),
    nextPageToken: encodeCursor({
      f: fingerprint,
      m: last.missing,
      v: value,
      id: last.id,
    }),
  };
}

/**
 * Any order MLflow accepts, as one ORDER BY: each key's missing values last
 * in either direction (as MLflow sorts them), then MLflow's own tie-breakers,
 * newest start time and run id.
 */
async function offsetPage(
  db: Knex,
  sqlite: boolean,
  search: RunSearch,
  scope: ObjectReadScope,
  orders: RunSearchOrder[],
  fingerprint: string,
  cursor: KeysetCursor | OffsetCursor | undefined,
): Promise<PageIds> {
  if (cursor && !('o' in cursor)) {
    throw badToken();
  }
  const offset = cursor ? cursor.o : 0;
  const query = matchingRuns(db, sqlite, search, scope).select('r.id as id');
  orders.forEach((order, i) => {
    const alias = `s${i}`;
    let column: string;
    if (order.type === 'attribute') {
      column = ATTRIBUTE_ORDER_COLUMNS[order.key];
      if (!column) {
        throw new InputError(`Cannot order runs by attribute "${order.key}"`);
      }
    } else {
      const table = { metric: LATEST, param: PARAMS, tag: TAGS }[order.type];
      query.leftJoin(`${table} as ${alias}`, join => {
        join.on(`${alias}.run_id`, 'r.id').andOnVal(`${alias}.key`, order.key);
        if (order.type === 'metric') join.andOnVal(`${alias}.is_nan`, false);
      });
      column = `${alias}.value`;
    }
    query
      .orderByRaw(`case when ?? is null then 1 else 0 end`, [column])
      .orderBy(column, order.direction === 'desc' ? 'desc' : 'asc');
  });
  const rows: Array<{ id: string }> = await query
    .orderBy('r.start_time', 'desc')
    .orderBy('r.id', 'asc')
    .offset(offset)
    .limit(search.pageSize + 1);
  const ids = rows.slice(0, search.pageSize).map(row => row.id);
  return {
    ids,
    ...(rows.length > search.pageSize
      ? {
          nextPageToken: encodeCursor({
            f: fingerprint,
            o: offset + search.pageSize,
          }),
        }
      : {}),
  };
}

function badToken() {
  return new InputError('The page token is not one this server issued');
}

function encodeCursor(cursor: KeysetCursor | OffsetCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(
  token: string,
  fingerprint: string,
): KeysetCursor | OffsetCursor {
  let cursor: any;
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badToken();
  }
  const keyset =
    cursor &&
    (cursor.m === 0 || cursor.m === 1) &&
    typeof cursor.id === 'string' &&
    (cursor.v === null || ['string', 'number'].includes(typeof cursor.v));
  const offset = cursor && Number.isSafeInteger(cursor.o) && cursor.o >= 0;
  if (!cursor || typeof cursor.f !== 'string' || (!keyset && !offset)) {
    throw badToken();
  }
  if (cursor.f !== fingerprint) {
    throw new InputError(
      'The page token belongs to a different search; start again without it',
    );
  }
  return cursor;
}
