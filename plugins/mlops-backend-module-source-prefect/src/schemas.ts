import { z } from 'zod';

/*
 * The parts of Prefect's REST API answers this module reads, one schema per
 * spec object; `schemas.test.ts` checks every field named here, and every
 * request field in REQUEST_FIELDS, against the spec fragments in
 * `__fixtures__`.
 */

const timestamp = z.string().nullish();

/** `State`: its type, Prefect's display name (`Late`…) and message. */
export const state = z.object({
  type: z.string(),
  name: z.string().nullish(),
  message: z.string().nullish(),
});

/** `Flow`. */
export const flow = z.object({ id: z.string(), name: z.string() });

/** `DeploymentResponse`. */
export const deployment = z.object({
  id: z.string(),
  name: z.string(),
  flow_id: z.string(),
});

/** `FlowRunResponse`. */
export const flowRun = z.object({
  id: z.string(),
  name: z.string().nullish(),
  flow_id: z.string(),
  deployment_id: z.string().nullish(),
  auto_scheduled: z.boolean().nullish(),
  state_type: z.string().nullish(),
  state_name: z.string().nullish(),
  state: state.nullish(),
  expected_start_time: timestamp,
  start_time: timestamp,
  end_time: timestamp,
});

/** `TaskRun`. */
export const taskRun = z.object({
  id: z.string(),
  name: z.string(),
  flow_run_id: z.string().nullish(),
  state_type: z.string().nullish(),
  state_name: z.string().nullish(),
  state: state.nullish(),
  expected_start_time: timestamp,
  start_time: timestamp,
  end_time: timestamp,
});

/**
 * Request fields the module sends, as paths through each body schema (the
 * test follows `$ref` and `anyOf` along them).
 */
export const REQUEST_FIELDS: Record<string, string[][]> = {
  Body_read_flows_flows_filter_post: [
    ['flows', 'name', 'any_'],
    ['limit'],
    ['offset'],
  ],
  Body_read_deployments_deployments_filter_post: [
    ['deployments', 'name', 'any_'],
    ['flows', 'id', 'any_'],
    ['limit'],
    ['offset'],
  ],
  Body_read_flow_runs_flow_runs_filter_post: [
    ['flow_runs', 'expected_start_time', 'after_'],
    ['flow_runs', 'deployment_id', 'any_'],
    ['flows', 'id', 'any_'],
    ['sort'],
    ['limit'],
    ['offset'],
  ],
  Body_read_task_runs_task_runs_filter_post: [
    ['task_runs', 'flow_run_id', 'any_'],
    ['sort'],
    ['limit'],
    ['offset'],
  ],
};

/** Sort orders the module asks for, checked against the spec's enums. */
export const SORTS = {
  FlowRunSort: 'EXPECTED_START_TIME_ASC',
  TaskRunSort: 'EXPECTED_START_TIME_ASC',
} as const;

export type PrefectFlow = z.infer<typeof flow>;
export type PrefectDeployment = z.infer<typeof deployment>;
export type PrefectFlowRun = z.infer<typeof flowRun>;
export type PrefectTaskRun = z.infer<typeof taskRun>;
