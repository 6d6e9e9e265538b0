import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  decodeOffset,
  encodeOffset,
  searchFingerprint,
} from '../database/pageTokens';
import {
  compareText,
  jsonTagValue,
  TextComparator,
} from '../database/textComparison';
import { ObjectReadScope } from '../permissions/MlopsObjectReadAccess';

/*
 * Registered model and model version search in SQL (MLflow's
 * registered-models/search and model-versions/search): filters, order and
 * the page are all in the query, so a page never loads every model or
 * version. Prompts (MLflow 3 keeps them as models tagged
 * `mlflow.prompt.is_prompt = 'true'`) are left out unless the filter asks
 * for them, as MLflow's server does.
 */

const MODELS = 'mlops_registered_models';
const VERSIONS = 'mlops_model_versions';

/** The tag MLflow 3 marks prompts with. */
export const PROMPT_TAG = 'mlflow.prompt.is_prompt';

/** One clause: an attribute or a tag. */
export interface RegistrySearchClause {
  entity: 'attribute' | 'tag';
  /** Models: name. Versions: name, run_id, source_path, version_number. */
  key: string;
  op: TextComparator;
  value: string | number | string[];
}

/** One sort key. */
export interface RegistrySearchOrder {
  key:
    | 'name'
    | 'version_number'
    | 'creation_timestamp'
    | 'last_updated_timestamp';
  direction: 'asc' | 'desc';
}

/** A validated registry search. */
export interface RegistrySearch {
  filter: RegistrySearchClause[];
  orderBy: RegistrySearchOrder[];
  pageSize: number;
  pageToken?: string;
}

/** Rows of one page and the token of the next. */
export interface RegistryPage<T> {
  rows: T[];
  nextPageToken?: string;
}

/** True when the filter asks for prompts rather than models. */
function asksForPrompts(filter: RegistrySearchClause[]): boolean {
  const clause = filter.find(c => c.entity === 'tag' && c.key === PROMPT_TAG);
  if (!clause) return false;
  const value = String(clause.value).toLowerCase();
  return (
    (clause.op === '=' && value === 'true') ||
    (clause.op === '!=' && value === 'false')
  );
}

function applyFilter(
  db: Knex,
  query: Knex.QueryBuilder,
  filter: RegistrySearchClause[],
  columns: Record<string, string>,
  tagsColumn: string,
  sqlite: boolean,
) {
  const prompts = asksForPrompts(filter);
  for (const clause of filter) {
    if (clause.entity === 'tag') {
      // Without a question about prompts, the prompt tag's clauses are
      // MLflow's way of saying "models only", handled below.
      if (clause.key === PROMPT_TAG && !prompts) continue;
      compareText(
        query,
        jsonTagValue(db, tagsColumn, clause.key, sqlite),
        clause.op,
        clause.value as string,
        sqlite,
      );
      continue;
    }
    const column = columns[clause.key];
    if (!column) {
      throw new InputError(`Cannot search by ${clause.key}`);
    }
    if (typeof clause.value === 'number') {
      query.where(column, clause.op === '!=' ? '<>' : clause.op, clause.value);
    } else {
      compareText(query, column, clause.op, clause.value, sqlite);
    }
  }
  if (!prompts) {
    query.whereRaw("coalesce(?, '') <> 'true'", [
      jsonTagValue(db, tagsColumn, PROMPT_TAG, sqlite),
    ]);
  }
}

async function page<T>(
  query: Knex.QueryBuilder,
  search: RegistrySearch,
  fingerprint: string,
): Promise<RegistryPage<T>> {
  const offset = search.pageToken
    ? decodeOffset(search.pageToken, fingerprint)
    : 0;
  const rows: T[] = await query.offset(offset).limit(search.pageSize + 1);
  return {
    rows: rows.slice(0, search.pageSize),
    ...(rows.length > search.pageSize
      ? { nextPageToken: encodeOffset(fingerprint, offset + search.pageSize) }
      : {}),
  };
}

/** A page of model rows, by name unless ordered otherwise. */
export async function searchModelRows(
  db: Knex,
  search: RegistrySearch,
  scope: ObjectReadScope,
): Promise<RegistryPage<Record<string, any>>> {
  const sqlite = String(db.client.config.client).includes('sqlite');
  const query = db(`${MODELS} as m`).select('m.*');
  scope.restrict(query, 'model', 'm.name');
  applyFilter(db, query, search.filter, { name: 'm.name' }, 'm.tags', sqlite);
  const columns: Record<string, string> = {
    name: 'm.name',
    creation_timestamp: 'm.created_at',
    last_updated_timestamp: 'm.updated_at',
  };
  for (const order of search.orderBy) {
    query.orderBy(columns[order.key], order.direction);
  }
  query.orderBy('m.name', 'asc');
  return page(
    query,
    search,
    searchFingerprint(['models', search.filter, search.orderBy]),
  );
}

/**
 * A page of version rows with their model's name as `model_name`; newest
 * update first, then by name and newest version, as MLflow orders them.
 */
export async function searchVersionRows(
  db: Knex,
  search: RegistrySearch,
  scope: ObjectReadScope,
): Promise<RegistryPage<Record<string, any>>> {
  const sqlite = String(db.client.config.client).includes('sqlite');
  const query = db(`${VERSIONS} as v`)
    .join(`${MODELS} as m`, 'm.id', 'v.model_id')
    .select('v.*', 'm.name as model_name');
  scope.restrict(query, 'model', 'm.name');
  applyFilter(
    db,
    query,
    search.filter,
    {
      name: 'm.name',
      run_id: 'v.run_id',
      source_path: 'v.artifact_uri',
      version_number: 'v.version',
    },
    'v.tags',
    sqlite,
  );
  const columns: Record<string, string> = {
    name: 'm.name',
    version_number: 'v.version',
    creation_timestamp: 'v.created_at',
    last_updated_timestamp: 'v.updated_at',
  };
  const orders: RegistrySearchOrder[] =
    search.orderBy.length > 0
      ? search.orderBy
      : [
          { key: 'last_updated_timestamp', direction: 'desc' },
          { key: 'name', direction: 'asc' },
          { key: 'version_number', direction: 'desc' },
        ];
  for (const order of orders) {
    query.orderBy(columns[order.key], order.direction);
  }
  query.orderBy('v.id', 'asc');
  return page(
    query,
    search,
    searchFingerprint(['versions', search.filter, search.orderBy]),
  );
}

/**
 * The newest version in each stage of each model (MLflow's
 * `latest_versions`), as rows, in one query.
 */
export async function latestVersionRows(
  db: Knex,
  modelIds: number[],
): Promise<Array<Record<string, any>>> {
  if (modelIds.length === 0) return [];
  return db(`${VERSIONS} as v`)
    .whereIn(
      ['v.model_id', 'v.version'] as any,
      db(VERSIONS)
        .whereIn('model_id', modelIds)
        .groupBy('model_id', 'stage')
        .select('model_id', db.raw('max(version) as version')),
    )
    .select('v.*')
    .orderBy('v.version', 'asc');
}
