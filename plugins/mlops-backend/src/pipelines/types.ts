/**
 * Run and stage states, as Prefect names its state types, plus LATE (a
 * scheduled run that did not start in time).
 */
export const PIPELINE_RUN_STATES = [
  'SCHEDULED',
  'LATE',
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CRASHED',
  'CANCELLED',
] as const;

/** A run or stage state. */
export type PipelineRunState = (typeof PIPELINE_RUN_STATES)[number];

/** States a run or stage cannot leave. */
export const TERMINAL_STATES: readonly PipelineRunState[] = [
  'COMPLETED',
  'FAILED',
  'CRASHED',
  'CANCELLED',
];

/** States of a run that has not started yet. */
export const NOT_STARTED_STATES: readonly PipelineRunState[] = [
  'SCHEDULED',
  'LATE',
  'PENDING',
];

/** States of a run that is still going (the opposite of terminal). */
export const OPEN_STATES: readonly PipelineRunState[] = [
  ...NOT_STARTED_STATES,
  'RUNNING',
];

/** Why a run was created. */
export type PipelineRunTrigger = 'schedule' | 'manual' | 'api' | 'requested';

/** One stage of a run, as the API returns it. */
export interface PipelineStage {
  name: string;
  state: PipelineRunState;
  startedAt?: string;
  endedAt?: string;
  failureReason?: string;
  failureClass?: string;
}

/** A pipeline run, as the API returns it. */
export interface PipelineRun {
  id: string;
  pipeline: string;
  state: PipelineRunState;
  trigger: PipelineRunTrigger;
  reason?: string;
  externalId?: string;
  scheduledAt?: string;
  startedAt?: string;
  endedAt?: string;
  heartbeatAt?: string;
  failureReason?: string;
  failureClass?: string;
  createdAt: string;
  updatedAt: string;
  stages: PipelineStage[];
}

/** A pipeline definition with its freshness. */
export interface PipelineStatus {
  name: string;
  owner?: string;
  description?: string;
  orchestrator?: string;
  schedule?: string;
  stages: string[];
  /** The SLA in minutes: the pipeline's own, or the configured default. */
  slaMinutes?: number;
  lastSuccessAt?: string;
  /** True when no run completed within the SLA. */
  stale: boolean;
  /** When the sweep first saw the SLA missed. */
  staleSince?: string;
}
