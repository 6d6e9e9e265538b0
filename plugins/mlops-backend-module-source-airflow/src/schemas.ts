import { z } from 'zod';

/*
 * The parts of Airflow's REST API answers this module reads, one schema per
 * spec object. Fields the module does not use are left out (zod drops them);
 * `schemas.test.ts` checks every field named here against the spec
 * fragments in `__fixtures__`, so a renamed upstream field fails a test
 * instead of silently reading `undefined`.
 */

const timestamp = z.string().nullish();

/** `DAGRunResponse` (v2). */
export const dagRunV2 = z.object({
  dag_id: z.string(),
  dag_run_id: z.string(),
  state: z.string(),
  run_type: z.string().nullish(),
  run_after: z.string(),
  queued_at: timestamp,
  start_date: timestamp,
  end_date: timestamp,
});

/** `DAGRunCollectionResponse` (v2). */
export const dagRunCollectionV2 = z.object({
  dag_runs: z.array(dagRunV2),
  total_entries: z.number(),
});

/** `TaskInstanceResponse` (v2). */
export const taskInstanceV2 = z.object({
  dag_id: z.string(),
  dag_run_id: z.string(),
  task_id: z.string(),
  map_index: z.number(),
  state: z.string().nullish(),
  try_number: z.number(),
  max_tries: z.number(),
  start_date: timestamp,
  end_date: timestamp,
});

/** `TaskInstanceCollectionResponse` (v2). */
export const taskInstanceCollectionV2 = z.object({
  task_instances: z.array(taskInstanceV2),
  total_entries: z.number(),
});

/** `TaskInstancesLogResponse` (v2): structured events or plain lines. */
export const taskLogV2 = z.object({
  content: z.union([
    z.array(z.object({ event: z.string() })),
    z.array(z.string()),
  ]),
});

/** `LoginResponse` of `POST /auth/token` (Airflow 3's auth managers). */
export const loginResponse = z.object({ access_token: z.string() });

/** `DAGRun` (v1). */
export const dagRunV1 = z.object({
  dag_id: z.string(),
  dag_run_id: z.string().nullable(),
  state: z.string(),
  run_type: z.string().nullish(),
  execution_date: timestamp,
  data_interval_end: timestamp,
  start_date: timestamp,
  end_date: timestamp,
});

/** `DAGRunCollection` (v1). */
export const dagRunCollectionV1 = z.object({
  dag_runs: z.array(dagRunV1),
  total_entries: z.number(),
});

/** `TaskInstance` (v1). */
export const taskInstanceV1 = z.object({
  dag_id: z.string(),
  dag_run_id: z.string(),
  task_id: z.string(),
  map_index: z.number().nullish(),
  state: z.string().nullish(),
  try_number: z.number(),
  max_tries: z.number().nullish(),
  start_date: timestamp,
  end_date: timestamp,
});

/** `TaskInstanceCollection` (v1). */
export const taskInstanceCollectionV1 = z.object({
  task_instances: z.array(taskInstanceV1),
  total_entries: z.number().nullish(),
});

/** The JSON answer of v1's task log endpoint. */
export const taskLogV1 = z.object({ content: z.string() });

/**
 * Request bodies the module sends, by spec object, with the fields it sets.
 * Kept here so the spec test checks them too.
 */
export const REQUEST_FIELDS = {
  v2: {
    DAGRunsBatchBody: [
      'dag_ids',
      'run_after_gte',
      'order_by',
      'page_limit',
      'page_offset',
    ],
    TaskInstancesBatchBody: [
      'dag_ids',
      'dag_run_ids',
      'order_by',
      'page_limit',
      'page_offset',
    ],
    LoginBody: ['username', 'password'],
  },
  v1: {
    ListDagRunsForm: [
      'dag_ids',
      'execution_date_gte',
      'order_by',
      'page_limit',
      'page_offset',
    ],
    ListTaskInstanceForm: ['dag_ids', 'dag_run_ids'],
  },
} as const;

/** A DAG run in the shape both API versions are read into. */
export interface AirflowDagRun {
  dagId: string;
  runId: string;
  state: string;
  runType?: string;
  /** When the run was due: v2's `run_after`, v1's data interval end. */
  dueAt?: string;
  startDate?: string;
  endDate?: string;
}

/** A task instance in the shape both API versions are read into. */
export interface AirflowTaskInstance {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  state?: string;
  tryNumber: number;
  maxTries?: number;
  startDate?: string;
  endDate?: string;
}
