import { RUN_STATUSES, RunStatus } from '@backstage-mlops/plugin-mlops-common';
import type {
  ExperimentSearchClause,
  ExperimentSearchOrder,
  RunSearchClause,
  RunSearchOrder,
} from '../tracking';
import type { RegistrySearchClause, RegistrySearchOrder } from '../registry';
import type { LoggedModelClause } from '../artifacts';
import { MlflowError } from './errors';
import {
  NUMERIC_COMPARATORS,
  parseSearchFilter,
  parseSearchOrderBy,
  SearchComparator,
  SearchGrammar,
} from './searchSyntax';

/*
 * The searches of MLflow's API, each with the part of the grammar
 * MLflow's server gives it (search_utils.py: SearchUtils,
 * SearchExperimentsUtils, SearchModelUtils, SearchModelVersionUtils, with the
 * IS NULL / IS NOT NULL of the 3.x server), turned into the stores' clauses.
 */

const TEXT: SearchComparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const NULLS: SearchComparator[] = ['IS NULL', 'IS NOT NULL'];

const RUNS: SearchGrammar = {
  what: 'runs',
  entities: {
    metric: NUMERIC_COMPARATORS,
    param: [...TEXT, ...NULLS],
    tag: [...TEXT, ...NULLS],
    dataset: [...TEXT, 'IN', 'NOT IN'],
  },
  stringAttributes: {
    artifact_uri: [...TEXT, 'IN', 'NOT IN'],
    run_id: [...TEXT, 'IN', 'NOT IN'],
    run_name: [...TEXT, 'IN', 'NOT IN'],
    status: [...TEXT, 'IN', 'NOT IN'],
    user_id: [...TEXT, 'IN', 'NOT IN'],
  },
  numericAttributes: ['start_time', 'end_time'],
  attributeAliases: {
    created: 'start_time',
    Created: 'start_time',
    'run name': 'run_name',
    'Run name': 'run_name',
    'Run Name': 'run_name',
  },
  orderable: {
    metric: true,
    param: true,
    tag: true,
    attribute: [
      'start_time',
      'end_time',
      'run_name',
      'status',
      'user_id',
      'run_id',
      'experiment_id',
    ],
  },
};

function invalid(message: string) {
  return new MlflowError('INVALID_PARAMETER_VALUE', message);
}

/** A run search `filter` as the tracking store's clauses. */
export function parseRunFilter(filter: string | undefined): RunSearchClause[] {
  return parseSearchFilter(filter, RUNS).map((clause): RunSearchClause => {
    const { key, op, value } = clause;
    switch (clause.entity) {
      case 'metric':
        return { type: 'metric', key, op: op as any, value: value as number };
      case 'param':
      case 'tag':
        if (op === 'IS NULL' || op === 'IS NOT NULL') {
          return { type: clause.entity, key, op };
        }
        return {
          type: clause.entity,
          key,
          op: op as '=' | '!=' | 'LIKE' | 'ILIKE',
          value: value as string,
        };
      case 'attribute':
        if (key === 'start_time' || key === 'end_time') {
          return {
            type: 'attribute',
            key,
            op: op as any,
            value: value as number,
          };
        }
        if (key === 'status' && (op === '=' || op === '!=')) {
          const status = String(value);
          if (!RUN_STATUSES.includes(status as RunStatus)) {
            throw invalid(
              `'${status}' is not a run status; expected one of ${RUN_STATUSES.join(
                ', ',
              )}`,
            );
          }
        }
        return {
          type: 'attribute',
          key: key as
            | 'run_id'
            | 'run_name'
            | 'status'
            | 'user_id'
            | 'artifact_uri',
          op: op as any,
          value: value as string | string[],
        };
      case 'dataset':
        return {
          type: 'dataset',
          key: key as 'name' | 'digest' | 'context',
          op: op as any,
          value: value as string | string[],
        };
      default:
        throw invalid(
          `Searching runs by ${clause.entity}s is not supported by this server`,
        );
    }
  });
}

/** A run search `order_by` as the tracking store's sort keys. */
export function parseRunOrderBy(
  orderBy: string[] | undefined,
): RunSearchOrder[] {
  return parseSearchOrderBy(orderBy, RUNS).map(({ entity, key, direction }) => {
    if (entity === 'metric' || entity === 'param' || entity === 'tag') {
      return { type: entity, key, direction };
    }
    return {
      type: 'attribute',
      key: (key === 'run_name' ? 'name' : key) as any,
      direction,
    };
  });
}

const EXPERIMENTS: SearchGrammar = {
  what: 'experiments',
  entities: { tag: [...TEXT, ...NULLS] },
  stringAttributes: { name: TEXT },
  numericAttributes: ['creation_time', 'last_update_time'],
  orderable: {
    attribute: ['name', 'experiment_id', 'creation_time', 'last_update_time'],
  },
};

/** An experiment search `filter` as the tracking store's clauses. */
export function parseExperimentFilter(
  filter: string | undefined,
): ExperimentSearchClause[] {
  return parseSearchFilter(filter, EXPERIMENTS) as ExperimentSearchClause[];
}

/** An experiment search `order_by`. */
export function parseExperimentOrderBy(
  orderBy: string[] | undefined,
): ExperimentSearchOrder[] {
  return parseSearchOrderBy(orderBy, EXPERIMENTS).map(o => ({
    key: o.key as ExperimentSearchOrder['key'],
    direction: o.direction,
  }));
}

const MODELS: SearchGrammar = {
  what: 'registered models',
  entities: { tag: TEXT },
  stringAttributes: { name: TEXT },
  numericAttributes: [],
  orderable: {
    attribute: [
      'name',
      'creation_timestamp',
      'last_updated_timestamp',
      'timestamp',
    ],
  },
};

const VERSIONS: SearchGrammar = {
  what: 'model versions',
  entities: { tag: TEXT },
  stringAttributes: {
    name: TEXT,
    run_id: [...TEXT, 'IN'],
    source_path: TEXT,
  },
  numericAttributes: ['version_number'],
  orderable: {
    attribute: [
      'name',
      'version_number',
      'creation_timestamp',
      'last_updated_timestamp',
      'timestamp',
    ],
  },
};

function registryOrder(
  orderBy: string[] | undefined,
  grammar: SearchGrammar,
): RegistrySearchOrder[] {
  return parseSearchOrderBy(orderBy, grammar).map(o => ({
    // MLflow's "timestamp" is the last update.
    key: (o.key === 'timestamp'
      ? 'last_updated_timestamp'
      : o.key) as RegistrySearchOrder['key'],
    direction: o.direction,
  }));
}

/** A registered model search's `filter` and `order_by`. */
export function parseModelSearch(
  filter: string | undefined,
  orderBy: string[] | undefined,
): { filter: RegistrySearchClause[]; orderBy: RegistrySearchOrder[] } {
  return {
    filter: parseSearchFilter(filter, MODELS) as RegistrySearchClause[],
    orderBy: registryOrder(orderBy, MODELS),
  };
}

/** A model version search's `filter` and `order_by`. */
export function parseVersionSearch(
  filter: string | undefined,
  orderBy: string[] | undefined,
): { filter: RegistrySearchClause[]; orderBy: RegistrySearchOrder[] } {
  return {
    filter: parseSearchFilter(filter, VERSIONS) as RegistrySearchClause[],
    orderBy: registryOrder(orderBy, VERSIONS),
  };
}

const LOGGED_MODEL_TEXT: SearchComparator[] = [...TEXT, 'IN', 'NOT IN'];

/*
 * MLflow 3's logged models (search_logged_model_utils.py): attributes,
 * tags and params with =, !=, LIKE, ILIKE, IN and NOT IN, the timestamps
 * with numeric comparators. Metrics are not: the portal keeps no metrics
 * per logged model, so a metrics filter is refused rather than answered
 * with nothing.
 */
const LOGGED_MODELS: SearchGrammar = {
  what: 'logged models',
  entities: { param: LOGGED_MODEL_TEXT, tag: LOGGED_MODEL_TEXT },
  stringAttributes: {
    name: LOGGED_MODEL_TEXT,
    model_id: LOGGED_MODEL_TEXT,
    model_type: LOGGED_MODEL_TEXT,
    status: LOGGED_MODEL_TEXT,
    source_run_id: LOGGED_MODEL_TEXT,
  },
  numericAttributes: ['creation_timestamp', 'last_updated_timestamp'],
  attributeAliases: {
    creation_time: 'creation_timestamp',
    creation_timestamp_ms: 'creation_timestamp',
    last_updated_timestamp_ms: 'last_updated_timestamp',
  },
  orderable: {},
};

/** A logged model search's `filter` as the logged model store's clauses. */
export function parseLoggedModelFilter(
  filter: string | undefined,
): LoggedModelClause[] {
  return parseSearchFilter(filter, LOGGED_MODELS) as LoggedModelClause[];
}
