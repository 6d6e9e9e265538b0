import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  compareText,
  jsonTagValue,
  TextComparator,
} from '../database/textComparison';
import { ObjectReadScope } from '../permissions/MlopsObjectReadAccess';
import {
  decodeOffset,
  encodeOffset,
  searchFingerprint,
} from '../database/pageTokens';
import { RUN_TABLES } from './runRows';

/*
 * Experiment search in SQL (MLflow's experiments/search): name, creation
 * and update time and tags filtered in the query, ordered in the query and
 * paged with LIMIT and OFFSET, so a page never loads every experiment.
 */

/** One clause: an attribute (name, creation_time, last_update_time) or a tag. */
export interface ExperimentSearchClause {
  entity: 'attribute' | 'tag';
  key: string;
  op: TextComparator | 'IS NULL' | 'IS NOT NULL';
  value?: string | number | string[];
}

/** One sort key. */
export interface ExperimentSearchOrder {
  key: 'name' | 'experiment_id' | 'creation_time' | 'last_update_time';
  direction: 'asc' | 'desc';
}

/** A validated experiment search. */
export interface ExperimentSearch {
  filter: ExperimentSearchClause[];
  /** MLflow's default when empty: newest first, then by id. */
  orderBy: ExperimentSearchOrder[];
  lifecycle: 'active' | 'deleted' | 'all';
  pageSize: number;
  pageToken?: string;
}

const COLUMNS: Record<string, string> = {
  name: 'e.name',
  experiment_id: 'e.id',
  creation_time: 'e.created_at',
  last_update_time: 'e.updated_at',
};

/** The rows of a page of matching experiments, in order, and the next token. */
export async function searchExperimentIds(
  db: Knex,
  search: ExperimentSearch,
  scope: ObjectReadScope,
): Promise<{ rows: any[]; nextPageToken?: string }> {
  const sqlite = String(db.client.config.client).includes('sqlite');
  const fingerprint = searchFingerprint([
    search.filter,
    search.orderBy,
    search.lifecycle,
  ]);
  const offset = search.pageToken
    ? decodeOffset(search.pageToken, fingerprint)
    : 0;
  const query = db(`${RUN_TABLES.EXPERIMENTS} as e`).select('e.*');
  if (search.lifecycle !== 'all') {
    query.where('e.lifecycle_stage', search.lifecycle);
  }
  scope.restrict(query, 'experiment', 'e.name');
  for (const clause of search.filter) {
    const { op } = clause;
    if (clause.entity === 'tag') {
      const value = jsonTagValue(db, 'e.tags', clause.key, sqlite);
      if (op === 'IS NULL') query.whereRaw('? is null', [value]);
      else if (op === 'IS NOT NULL') query.whereRaw('? is not null', [value]);
      else compareText(query, value, op, clause.value as string, sqlite);
    } else if (clause.key === 'name') {
      compareText(
        query,
        'e.name',
        op as TextComparator,
        clause.value as string,
        sqlite,
      );
    } else {
      const column = COLUMNS[clause.key];
      if (!column || typeof clause.value !== 'number') {
        throw new InputError(`Cannot search experiments by ${clause.key}`);
      }
      query.where(column, op === '!=' ? '<>' : op, new Date(clause.value));
    }
  }
  const orders: ExperimentSearchOrder[] =
    search.orderBy.length > 0
      ? search.orderBy
      : [{ key: 'creation_time', direction: 'desc' }];
  for (const order of orders) {
    query.orderBy(COLUMNS[order.key], order.direction);
  }
  query.orderBy('e.id', 'asc');
  const rows = await query.offset(offset).limit(search.pageSize + 1);
  return {
    rows: rows.slice(0, search.pageSize),
    ...(rows.length > search.pageSize
      ? { nextPageToken: encodeOffset(fingerprint, offset + search.pageSize) }
      : {}),
  };
}
