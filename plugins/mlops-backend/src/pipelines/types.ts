import type {
  MlopsPipelineRun,
  MlopsPipelineRunState,
  MlopsPipelineStage,
  MlopsPipelineStatus,
} from '@backstage-mlops/plugin-mlops-common';

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

// The list above and the shared wire type must name the same states.
type SameStates<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? true
    : never
  : never;
const statesMatch: SameStates<PipelineRunState, MlopsPipelineRunState> = true;
void statesMatch;

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
export type PipelineStage = MlopsPipelineStage;

/** A pipeline run, as the API returns it. */
export type PipelineRun = MlopsPipelineRun;

/** A pipeline definition with its freshness. */
export type PipelineStatus = MlopsPipelineStatus;
