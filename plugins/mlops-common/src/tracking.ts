/**
 * Request and response shapes of the experiment tracking routes under
 * `/api/mlops` (experiments, runs, params, metrics, tags).
 *
 * Times of experiments and runs are ISO 8601 strings; metric timestamps are
 * epoch milliseconds, as MLflow clients send them.
 */

/**
 * Lifecycle of a run, with MLflow's names.
 *
 * @public
 */
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/**
 * Every {@link RunStatus}, in the order a run usually moves through them.
 *
 * @public
 */
export const RUN_STATUSES: readonly RunStatus[] = [
  'SCHEDULED',
  'RUNNING',
  'FINISHED',
  'FAILED',
  'KILLED',
];

/**
 * A metric value as it travels in JSON. JSON has no literal for NaN or the
 * infinities, so those travel as the strings MLflow's protobuf JSON uses;
 * every finite value is a plain number.
 *
 * @public
 */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

/**
 * Limits of one `POST /runs/:id/log-batch` request (MLflow's).
 *
 * @public
 */
export const TRACKING_BATCH_LIMITS = {
  /** Metric values per batch. */
  metrics: 1000,
  /** Params and tags together per batch. */
  paramsAndTags: 100,
  /** Size of the JSON body in bytes. */
  bodyBytes: 1024 * 1024,
} as const;

/**
 * Largest page `POST /runs/search` returns.
 *
 * @public
 */
export const TRACKING_SEARCH_MAX_PAGE_SIZE = 1000;

/**
 * An experiment: a named group of runs.
 *
 * @public
 */
export interface Experiment {
  id: string;
  name: string;
  owner?: string;
  description?: string;
  tags: Record<string, string>;
  /** `deleted` after a soft delete (MLflow's experiments/delete); restorable. */
  lifecycleStage: 'active' | 'deleted';
  createdAt: string;
  updatedAt: string;
}

/**
 * Body of `POST /experiments`.
 *
 * @public
 */
export interface CreateExperimentRequest {
  name: string;
  owner?: string;
  description?: string;
  tags?: Record<string, string>;
}

/**
 * The latest value of one metric of a run: the value at the highest step,
 * then the newest timestamp (MLflow's rule).
 *
 * @public
 */
export interface LatestMetric {
  key: string;
  value: MetricValue;
  step: number;
  timestamp: number;
}

/**
 * A run with its params, tags and latest metrics.
 *
 * @public
 */
export interface Run {
  id: string;
  experimentId: string;
  experimentName: string;
  name?: string;
  status: RunStatus;
  startTime: string;
  endTime?: string;
  user?: string;
  source?: string;
  parentRunId?: string;
  deleted: boolean;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, LatestMetric>;
}

/**
 * Body of `POST /runs`. The experiment is named by id or by name; the user
 * defaults to the caller.
 *
 * @public
 */
export interface CreateRunRequest {
  experimentId?: string;
  experimentName?: string;
  name?: string;
  status?: RunStatus;
  startTime?: string | number;
  source?: string;
  parentRunId?: string;
  tags?: Record<string, string>;
}

/**
 * Body of `PATCH /runs/:id`. A run moved to a terminal status without an
 * `endTime` ends now.
 *
 * @public
 */
export interface UpdateRunRequest {
  name?: string;
  status?: RunStatus;
  endTime?: string | number;
  deleted?: boolean;
}

/**
 * One metric measurement in a log batch.
 *
 * @public
 */
export interface MetricInput {
  key: string;
  value: MetricValue;
  /** Training step; 0 when left out. */
  step?: number;
  /** Epoch milliseconds; the time of the request when left out. */
  timestamp?: number;
}

/**
 * Body of `POST /runs/:id/log-batch`: all of it is written, or nothing.
 *
 * @public
 */
export interface LogBatchRequest {
  metrics?: MetricInput[];
  params?: Array<{ key: string; value: string }>;
  tags?: Array<{ key: string; value: string }>;
}

/**
 * One point of a metric's history (`GET /runs/:id/metrics/:key`).
 *
 * @public
 */
export interface MetricPoint {
  value: MetricValue;
  step: number;
  timestamp: number;
}

/**
 * The full history of one metric of a run, ordered by step then timestamp.
 *
 * @public
 */
export interface MetricHistory {
  runId: string;
  key: string;
  points: MetricPoint[];
}

/**
 * Comparison operators of a run search filter.
 *
 * @public
 */
export type RunFilterOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * One clause of a run search; clauses are combined with AND. Metrics compare
 * as numbers, params and tags as strings; `status` accepts `=` and `!=`.
 *
 * @public
 */
export type RunFilterClause =
  | { type: 'metric'; key: string; op: RunFilterOperator; value: number }
  | { type: 'param'; key: string; op: RunFilterOperator; value: string }
  | { type: 'tag'; key: string; op: RunFilterOperator; value: string }
  | { type: 'status'; op: '=' | '!='; value: RunStatus };

/**
 * Sort order of a run search. Runs without the sort metric or param come
 * last in either direction; ties are broken by run id.
 *
 * @public
 */
export type RunOrderBy =
  | { type: 'metric' | 'param'; key: string; direction?: 'asc' | 'desc' }
  | {
      type: 'attribute';
      key: 'start_time' | 'end_time' | 'name';
      direction?: 'asc' | 'desc';
    };

/**
 * Body of `POST /runs/search`.
 *
 * @public
 */
export interface SearchRunsRequest {
  /** Experiments by id or name; every experiment when left out. */
  experimentIds?: string[];
  experimentNames?: string[];
  filter?: RunFilterClause[];
  /** Newest start time first when left out. */
  orderBy?: RunOrderBy;
  /** Runs per page, at most {@link TRACKING_SEARCH_MAX_PAGE_SIZE}; 100 by default. */
  pageSize?: number;
  /** The `nextPageToken` of the previous page, unchanged. */
  pageToken?: string;
  /** Include deleted runs (false by default). */
  includeDeleted?: boolean;
}

/**
 * A page of runs; `nextPageToken` is present when more runs follow.
 *
 * @public
 */
export interface SearchRunsResponse {
  runs: Run[];
  nextPageToken?: string;
}

/**
 * One row of a run comparison: a param or metric key, the value of each run
 * (null when the run lacks it), and whether the values differ.
 *
 * @public
 */
export interface RunComparisonRow<T> {
  key: string;
  values: Record<string, T | null>;
  differs: boolean;
}

/**
 * Answer of `GET /runs/compare?ids=a,b`: params and latest metrics side by
 * side.
 *
 * @public
 */
export interface RunComparison {
  runs: Array<{
    id: string;
    name?: string;
    status: RunStatus;
    experimentName: string;
  }>;
  params: Array<RunComparisonRow<string>>;
  metrics: Array<RunComparisonRow<MetricValue>>;
}

/**
 * An experiment linked to an entity, with its most recent runs.
 *
 * @public
 */
export interface EntityExperiment {
  experiment: Experiment;
  runs: Run[];
}

/**
 * Answer of `GET /entities/:kind/:namespace/:name/experiments`. Names an
 * entity links to that are not in the store are listed in `missing`.
 *
 * @public
 */
export interface EntityExperimentsResponse {
  entityRef: string;
  experiments: EntityExperiment[];
  missing: string[];
}
