/**
 * State of a pipeline run or stage: Prefect's state types plus `LATE` (a
 * scheduled run that did not start in time).
 *
 * @public
 */
export type MlopsPipelineRunState =
  | 'SCHEDULED'
  | 'LATE'
  | 'PENDING'
  | 'RUNNING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CRASHED'
  | 'CANCELLED';

/**
 * One stage of a pipeline run.
 *
 * @public
 */
export interface MlopsPipelineStage {
  name: string;
  state: MlopsPipelineRunState;
  startedAt?: string;
  endedAt?: string;
  failureReason?: string;
  /** A failure class id from the shared classifier, e.g. `oom_killed`. */
  failureClass?: string;
}

/**
 * A pipeline run with its stages.
 *
 * @public
 */
export interface MlopsPipelineRun {
  id: string;
  pipeline: string;
  state: MlopsPipelineRunState;
  trigger: 'schedule' | 'manual' | 'api' | 'requested';
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
  stages: MlopsPipelineStage[];
}

/**
 * A pipeline definition with its freshness against its SLA.
 *
 * @public
 */
export interface MlopsPipelineStatus {
  name: string;
  owner?: string;
  description?: string;
  orchestrator?: string;
  schedule?: string;
  stages: string[];
  slaMinutes?: number;
  lastSuccessAt?: string;
  stale: boolean;
  staleSince?: string;
}

/**
 * Runs of the pipelines an entity links to
 * (`GET /entities/:kind/:namespace/:name/pipeline-runs`).
 *
 * @public
 */
export interface EntityPipelineRunsResponse {
  entityRef: string;
  pipelines: Array<{
    pipeline: string;
    /** False when the pipeline is not registered in the MLOps store. */
    known: boolean;
    status?: MlopsPipelineStatus;
    /** Newest first. */
    runs: MlopsPipelineRun[];
  }>;
}
