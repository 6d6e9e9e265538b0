import type {
  MlopsSourcePipelineRun,
  MlopsSourcePipelineStage,
} from '@backstage-mlops/plugin-mlops-node';
import type { AirflowDagRun, AirflowTaskInstance } from './schemas';

type State = MlopsSourcePipelineRun['state'];

/** DAG run states (`DagRunState`, v1's `DagState`) as pipeline run states. */
const RUN_STATES: Record<string, State> = {
  queued: 'PENDING',
  running: 'RUNNING',
  success: 'COMPLETED',
  failed: 'FAILED',
};

/**
 * Task instance states (`TaskInstanceState`, v1's `TaskState`) as stage
 * states. A task that will be retried or rescheduled waits again; one that
 * never ran because of its upstream or a branch is cancelled, not failed,
 * so only the task that broke carries the failure.
 */
const TASK_STATES: Record<string, State> = {
  none: 'PENDING',
  scheduled: 'SCHEDULED',
  queued: 'PENDING',
  running: 'RUNNING',
  restarting: 'RUNNING',
  deferred: 'RUNNING',
  up_for_retry: 'PENDING',
  up_for_reschedule: 'PENDING',
  success: 'COMPLETED',
  failed: 'FAILED',
  upstream_failed: 'CANCELLED',
  skipped: 'CANCELLED',
  removed: 'CANCELLED',
};

/** A run state; an unknown one is treated as still running. */
export function runStateOf(state: string): State {
  return RUN_STATES[state] ?? 'RUNNING';
}

/** A stage state; no state yet (null) means the task waits. */
export function taskStateOf(state: string | undefined): State {
  return state ? TASK_STATES[state] ?? 'RUNNING' : 'PENDING';
}

/** Airflow's run types as the portal's triggers. */
export function triggerOf(
  runType: string | undefined,
): MlopsSourcePipelineRun['trigger'] {
  if (runType === 'scheduled') return 'schedule';
  if (runType === 'manual') return 'manual';
  return 'api';
}

/** A mapped task's instances are told apart by their map index. */
export function stageNameOf(task: AirflowTaskInstance): string {
  return task.mapIndex >= 0 ? `${task.taskId}[${task.mapIndex}]` : task.taskId;
}

/** Stages in the order the tasks started; tasks not started yet last. */
export function stagesOf(
  tasks: AirflowTaskInstance[],
  failureMessages: Map<AirflowTaskInstance, string>,
): MlopsSourcePipelineStage[] {
  const sorted = [...tasks].sort((a, b) => {
    if (a.startDate && b.startDate && a.startDate !== b.startDate) {
      return a.startDate < b.startDate ? -1 : 1;
    }
    if (a.startDate && !b.startDate) return -1;
    if (!a.startDate && b.startDate) return 1;
    return stageNameOf(a).localeCompare(stageNameOf(b));
  });
  return sorted.map((task, position) => {
    const message = failureMessages.get(task);
    return {
      name: stageNameOf(task),
      position,
      state: taskStateOf(task.state),
      ...(task.startDate ? { startedAt: task.startDate } : {}),
      ...(task.endDate ? { endedAt: task.endDate } : {}),
      ...(message ? { failureMessage: message } : {}),
    };
  });
}

/** A DAG run with its tasks as a pipeline run of `pipeline`. */
export function pipelineRunOf(
  pipeline: string,
  run: AirflowDagRun,
  stages: MlopsSourcePipelineStage[],
): MlopsSourcePipelineRun {
  const state = runStateOf(run.state);
  const failureMessage =
    state === 'FAILED'
      ? stages.find(s => s.failureMessage)?.failureMessage ??
        `DAG run ${run.runId} failed${
          stages.some(s => s.state === 'FAILED')
            ? ` in ${stages
                .filter(s => s.state === 'FAILED')
                .map(s => s.name)
                .join(', ')}`
            : ''
        }`
      : undefined;
  return {
    pipeline,
    externalId: run.runId,
    state,
    trigger: triggerOf(run.runType),
    ...(run.dueAt ? { scheduledAt: run.dueAt } : {}),
    ...(run.startDate ? { startedAt: run.startDate } : {}),
    ...(run.endDate && state !== 'RUNNING' && state !== 'PENDING'
      ? { endedAt: run.endDate }
      : {}),
    ...(failureMessage ? { failureMessage } : {}),
    stages,
  };
}
