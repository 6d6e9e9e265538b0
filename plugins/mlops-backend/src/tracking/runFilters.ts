import {
  RunFilterClause,
  RunFilterOperator,
} from '@backstage-mlops/plugin-mlops-common';
import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import { ObjectReadScope } from '../permissions/MlopsObjectReadAccess';
import { toStoredValue } from './metricValues';
import {
  compareText,
  jsonTagValue,
  TextComparator,
} from '../database/textComparison';
import { RUN_TABLES } from './runRows';
import type { RunSearch } from './runSearch';

/*
 * The runs a search matches, as a query: each filter clause a join or a
 * condition (MLflow's grammar: metrics, params, tags, run attributes,
 * datasets). Ordering and paging are runSearch.ts's.
 */

const { EXPERIMENTS, RUNS, PARAMS, TAGS, LATEST } = RUN_TABLES;
/** The datasets tables of the artifacts capability (runs/log-inputs). */
const DATASETS = 'mlops_datasets';
const RUN_INPUTS = 'mlops_run_inputs';

/** Run attributes compared as text, and their columns. */
const TEXT_ATTRIBUTE_COLUMNS = {
  run_id: 'r.id',
  run_name: 'r.name',
  status: 'r.status',
  user_id: 'r.user_id',
} as const;

/** A run attribute compared as text. */
export type RunTextAttribute =
  | keyof typeof TEXT_ATTRIBUTE_COLUMNS
  | 'artifact_uri';

/**
 * A run's artifact URI as ArtifactLocations lays it out: under its
 * experiment's requested artifact_location, else the portal's proxy.
 */
function artifactUriExpression(db: Knex): Knex.Raw {
  return db.raw(
    `((select coalesce(e.artifact_location, 'mlflow-artifacts:/' || cast(e.id as varchar(20))) from ?? as e where e.id = r.experiment_id) || '/' || r.id || '/artifacts')`,
    [EXPERIMENTS],
  );
}

/** The dataset input tag MLflow keeps a dataset's role in ("training"). */
const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/** MLflow keeps a run's name twice: the run's name and this tag. */
export const RUN_NAME_TAG = 'mlflow.runName';

/**
 * One clause of a run search: the portal's structured clauses, plus what
 * MLflow's grammar adds (LIKE, ILIKE, IN, NOT IN, IS NULL, run attributes).
 */
export type RunSearchClause =
  | RunFilterClause
  | {
      type: 'param' | 'tag';
      key: string;
      op: 'LIKE' | 'ILIKE';
      value: string;
    }
  | { type: 'param' | 'tag'; key: string; op: 'IS NULL' | 'IS NOT NULL' }
  | {
      type: 'attribute';
      key: RunTextAttribute;
      op: TextComparator;
      value: string | string[];
    }
  | {
      type: 'attribute';
      key: 'start_time' | 'end_time';
      op: RunFilterOperator;
      value: number;
    }
  | {
      /** Matches when any dataset the run logged as input matches. */
      type: 'dataset';
      key: 'name' | 'digest' | 'context';
      op: TextComparator;
      value: string | string[];
    };

function textValue(clause: RunSearchClause): string | string[] {
  return (clause as { value: string | string[] }).value;
}

/** The table of sort values a keyset page is read in the order of. */
export interface SortDriver {
  table: string;
  present: (join: Knex.JoinClause) => void;
  where: (query: Knex.QueryBuilder) => void;
}

/**
 * The runs the search matches, before ordering. SQLite's planner joins the
 * table with the narrowest filter first and then sorts every match; a CROSS
 * JOIN fixes the join order (outer table first) so that the table the page
 * is ordered by drives the loop and the scan stops at the page size.
 * PostgreSQL finds that plan itself, and has no CROSS JOIN with a condition.
 */
export function matchingRuns(
  db: Knex,
  sqlite: boolean,
  search: RunSearch,
  scope: ObjectReadScope,
  driver?: SortDriver,
): Knex.QueryBuilder {
  const joinOn = (
    query: Knex.QueryBuilder,
    table: string,
    on: (join: Knex.JoinClause) => void,
  ) =>
    sqlite ? query.crossJoin(table, on as any) : query.join(table, on as any);
  let query: Knex.QueryBuilder;
  if (driver && sqlite) {
    query = db(`${driver.table} as o`);
    driver.where(query);
    query.crossJoin(`${RUNS} as r`, 'r.id', 'o.run_id');
  } else {
    query = db(`${RUNS} as r`);
    if (driver) {
      query.join(`${driver.table} as o`, driver.present as any);
    }
  }
  if (search.experimentIds) {
    query.whereIn(
      'r.experiment_id',
      search.experimentIds.filter(id => /^\d{1,18}$/.test(id)),
    );
  }
  if (search.experimentNames) {
    query.whereIn(
      'r.experiment_id',
      db(EXPERIMENTS).whereIn('name', search.experimentNames).select('id'),
    );
  }
  if (search.deletedOnly) {
    query.where('r.deleted', true);
  } else if (!search.includeDeleted) {
    query.where('r.deleted', false);
  }
  scope.restrict(query, 'experiment', 'r.experiment_id', 'id');
  search.filter.forEach((clause, i) => {
    const alias = `f${i}`;
    switch (clause.type) {
      case 'metric':
        joinOn(query, `${LATEST} as ${alias}`, join =>
          join
            .on(`${alias}.run_id`, 'r.id')
            .andOnVal(`${alias}.key`, clause.key)
            .andOnVal(`${alias}.is_nan`, false),
        ).where(
          `${alias}.value`,
          clause.op === '!=' ? '<>' : clause.op,
          toStoredValue(clause.value).value,
        );
        break;
      case 'param':
      case 'tag': {
        if (clause.type === 'tag' && clause.key === RUN_NAME_TAG) {
          // The name and the tag are kept equal, as MLflow's server keeps
          // them; the column also answers for runs named without the tag.
          if (clause.op === 'IS NULL') query.whereNull('r.name');
          else if (clause.op === 'IS NOT NULL') query.whereNotNull('r.name');
          else
            compareText(query, 'r.name', clause.op, textValue(clause), sqlite);
          break;
        }
        const table = clause.type === 'param' ? PARAMS : TAGS;
        if (clause.op === 'IS NULL' || clause.op === 'IS NOT NULL') {
          const key = clause.key;
          const exists = function present(this: Knex.QueryBuilder) {
            this.select(db.raw('1'))
              .from(`${table} as ${alias}`)
              .whereRaw(`${alias}.run_id = r.id`)
              .andWhere(`${alias}.key`, key);
          };
          if (clause.op === 'IS NULL') query.whereNotExists(exists);
          else query.whereExists(exists);
          break;
        }
        joinOn(query, `${table} as ${alias}`, join =>
          join
            .on(`${alias}.run_id`, 'r.id')
            .andOnVal(`${alias}.key`, clause.key),
        );
        compareText(
          query,
          `${alias}.value`,
          clause.op as TextComparator,
          textValue(clause),
          sqlite,
        );
        break;
      }
      case 'status':
        query.where(
          'r.status',
          clause.op === '!=' ? '<>' : clause.op,
          clause.value,
        );
        break;
      case 'dataset': {
        const key = clause.key;
        const op = clause.op;
        const value = clause.value;
        query.whereExists(function input(this: Knex.QueryBuilder) {
          this.select(db.raw('1'))
            .from(`${RUN_INPUTS} as ${alias}`)
            .join(
              `${DATASETS} as ${alias}d`,
              `${alias}d.id`,
              `${alias}.dataset_id`,
            )
            .whereRaw(`${alias}.run_id = r.id`);
          compareText(
            this,
            key === 'context'
              ? jsonTagValue(db, `${alias}.tags`, DATASET_CONTEXT_TAG, sqlite)
              : `${alias}d.${key}`,
            op,
            value,
            sqlite,
          );
        });
        break;
      }
      case 'attribute':
        if (clause.key === 'artifact_uri') {
          compareText(
            query,
            artifactUriExpression(db),
            clause.op as TextComparator,
            textValue(clause),
            sqlite,
          );
        } else if (clause.key === 'start_time' || clause.key === 'end_time') {
          query.where(
            `r.${clause.key}`,
            clause.op === '!=' ? '<>' : clause.op,
            clause.value,
          );
        } else {
          compareText(
            query,
            TEXT_ATTRIBUTE_COLUMNS[
              clause.key as keyof typeof TEXT_ATTRIBUTE_COLUMNS
            ],
            clause.op as TextComparator,
            textValue(clause),
            sqlite,
          );
        }
        break;
      default:
        throw new InputError('Unknown filter clause');
    }
  });
  return query;
}
