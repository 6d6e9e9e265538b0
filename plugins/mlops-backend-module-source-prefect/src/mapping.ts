import type {
  MlopsSourcePipelineRun,
  MlopsSourcePipelineStage,
} from '@backstage-mlops/plugin-mlops-node';
import type { PrefectFlowRun, PrefectTaskRun } from './schemas';

type State = MlopsSourcePipelineRun['state'];

/**
 * Prefect's state types as the portal's states, which are Prefect's own
 * plus LATE. A paused run waits like a pending one; a run being cancelled
 * is still running until Prefect says CANCELLED.
 */
const STATE_TYPES: Record<string, State> = {
  SCHEDULED: 'SCHEDULED',
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
  CRASHED: 'CRASHED',
  PAUSED: 'PENDING',
  CANCELLING: 'RUNNING',
};

/**
 * The portal state of a Prefect state: `Late` is a SCHEDULED state by
 * name (Prefect's late-runs service renames it), so the name decides.
 */
export function stateOf(
  type: string | null | undefined,
  name: string | null | undefined,
): State {
  if (type === 'SCHEDULED' && name === 'Late') {
    return 'LATE';
  }
  return type ? STATE_TYPES[type] ?? 'RUNNING' : 'PENDING';
}

const FAILED = new Set<State>(['FAILED', 'CRASHED']);
const OPEN = new Set<State>(['SCHEDULED', 'LATE', 'PENDING', 'RUNNING']);

function runState(run: PrefectFlowRun | PrefectTaskRun): State {
  return stateOf(
    run.state_type ?? run.state?.type,
    run.state_name ?? run.state?.name,
  );
}

/** A flow run with its task runs as a pipeline run of `pipeline`. */
export function pipelineRunOf(
  pipeline: string,
  run: PrefectFlowRun,
  tasks: PrefectTaskRun[],
): MlopsSourcePipelineRun {
  const state = runState(run);
  const stages: MlopsSourcePipelineStage[] = [...tasks]
    .sort((a, b) => {
      const x = a.start_time ?? a.expected_start_time ?? '';
      const y = b.start_time ?? b.expected_start_time ?? '';
      if (x === y) return a.name.localeCompare(b.name);
      return x < y ? -1 : 1;
    })
    .map((task, position) => {
      const taskState = runState(task);
      const message = task.state?.message?.trim();
      return {
        name: task.name,
        position,
        state: taskState,
        ...(task.start_time ? { startedAt: task.start_time } : {}),
        ...(task.end_time ? { endedAt: task.end_time } : {}),
        ...(FAILED.has(taskState) && message
          ? { failureMessage: message }
          : {}),
      };
    });
  // The failed task's message names the cause (OOMKilled, CUDA out of
  // memory…); the flow run's own message often only says a task failed.
  const failureMessage = FAILED.has(state)
    ? [
        ...stages.filter(s => s.failureMessage).map(s => s.failureMessage),
        run.state?.message?.trim(),
      ]
        .filter(Boolean)
        .join('\n') || `Flow run ${run.name ?? run.id} ${state.toLowerCase()}`
    : undefined;
  return {
    pipeline,
    externalId: run.id,
    state,
    trigger: triggerOf(run),
    ...(run.expected_start_time
      ? { scheduledAt: run.expected_start_time }
      : {}),
    ...(run.start_time ? { startedAt: run.start_time } : {}),
    ...(run.end_time && !OPEN.has(state) ? { endedAt: run.end_time } : {}),
    ...(failureMessage ? { failureMessage } : {}),
    stages,
  };
}

/**
 * Runs a deployment's schedule created are scheduled; other deployment runs
 * were asked for (UI, API, automation); a flow called directly is manual.
 */
function triggerOf(run: PrefectFlowRun): MlopsSourcePipelineRun['trigger'] {
  if (run.auto_scheduled) return 'schedule';
  return run.deployment_id ? 'api' : 'manual';
}

/** Whether a flow run may still change. */
export function isOpen(run: PrefectFlowRun): boolean {
  return OPEN.has(runState(run));
}
