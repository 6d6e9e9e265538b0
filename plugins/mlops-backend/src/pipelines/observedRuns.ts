import { Knex } from 'knex';
import {
  clip,
  failureClassOf,
  findByExternalId,
  PIPELINES,
  readRun,
  Row,
  RUNS,
  STAGES,
} from './pipelineRows';
import {
  OPEN_STATES,
  PipelineRun,
  PipelineRunState,
  PipelineRunTrigger,
} from './types';

/*
 * The pipelines' write path for pull sources (Airflow, Prefect): a run as
 * its orchestrator last reported it, written as it is.
 */

/**
 * A run as a pull source (Airflow, Prefect) last saw it. The orchestrator is
 * the truth: its state and times are written as they are, without the
 * transition rules pushed reports go through, because a source may skip
 * states between two syncs or clear and re-run a finished run.
 */
export interface ObservedPipelineRun {
  /** The orchestrator's run id, unique within the pipeline. */
  externalId: string;
  state: PipelineRunState;
  trigger?: PipelineRunTrigger;
  scheduledAt?: Date;
  startedAt?: Date;
  endedAt?: Date;
  failureReason?: string;
  /** The run's tasks in the order to show them; replaces the stored ones. */
  stages?: Array<{
    name: string;
    state: PipelineRunState;
    startedAt?: Date;
    endedAt?: Date;
    failureReason?: string;
  }>;
}

/**
 * Writes a run a pull source observed: inserts it the first time, updates
 * it when anything changed since, and leaves it alone otherwise. Such runs
 * are marked `observed`, and the sweep leaves them out: the source says
 * when they end or start late, and when the source stops answering, the
 * sources capability reports that instead of the run crashing. Open runs
 * still get a heartbeat per observation, as the time last seen. Returns
 * whether the stored run changed.
 */
export async function recordObservedRun(
  db: Knex,
  clock: () => Date,
  pipeline: string,
  observed: ObservedPipelineRun,
): Promise<{ changed: boolean; run: PipelineRun }> {
  const now = clock();
  const open = OPEN_STATES.includes(observed.state);
  let reason = clip(observed.failureReason);
  const stages = (observed.stages ?? []).map(stage => ({
    ...stage,
    failureReason: clip(stage.failureReason),
  }));
  if (!reason && !open && observed.state !== 'COMPLETED') {
    // The failed task usually knows more than the run's summary.
    reason = stages.find(s => s.failureReason)?.failureReason;
  }
  const fields: Row = {
    state: observed.state,
    trigger: observed.trigger ?? 'schedule',
    scheduled_at: observed.scheduledAt ?? null,
    started_at: observed.startedAt ?? null,
    ended_at: open ? null : observed.endedAt ?? null,
    failure_reason: observed.state === 'COMPLETED' ? null : reason ?? null,
    failure_class:
      observed.state === 'COMPLETED' ? null : failureClassOf(reason) ?? null,
    observed: true,
  };
  const stageRows = stages.map((stage, position) => ({
    name: stage.name.slice(0, 250),
    position,
    state: stage.state,
    started_at: stage.startedAt ?? null,
    ended_at: stage.endedAt ?? null,
    failure_reason: stage.failureReason ?? null,
    failure_class: failureClassOf(stage.failureReason) ?? null,
  }));
  const existing = await findByExternalId(db, pipeline, observed.externalId);
  if (existing && sameObservation(existing, fields, stageRows)) {
    if (open) {
      await db(RUNS)
        .where({ id: Number(existing.id) })
        .update({ heartbeat_at: now });
    }
    return { changed: false, run: existing };
  }
  const id = await db.transaction(async tx => {
    let runId: string;
    if (existing) {
      runId = existing.id;
      await tx(RUNS)
        .where({ id: Number(runId) })
        .update({
          ...fields,
          heartbeat_at: open ? now : null,
          updated_at: now,
        });
      await tx(STAGES)
        .where({ run_id: Number(runId) })
        .delete();
    } else {
      const [row] = await tx(RUNS)
        .insert({
          pipeline_name: pipeline,
          external_id: observed.externalId,
          ...fields,
          heartbeat_at: open ? now : null,
          created_at: now,
          updated_at: now,
        })
        .returning('id');
      runId = String(typeof row === 'object' ? row.id : row);
    }
    if (stageRows.length > 0) {
      await tx(STAGES).insert(
        stageRows.map(stage => ({ ...stage, run_id: Number(runId) })),
      );
    }
    if (observed.state === 'COMPLETED') {
      await tx(PIPELINES)
        .where({ name: pipeline })
        .update({ stale_since: null });
    }
    return runId;
  });
  return { changed: true, run: (await readRun(db, pipeline, id))! };
}

/** Whether a stored run already holds what a source observed. */
function sameObservation(
  run: PipelineRun,
  fields: Row,
  stages: Row[],
): boolean {
  const iso = (value: unknown) =>
    value instanceof Date ? value.toISOString() : undefined;
  if (
    run.state !== fields.state ||
    run.trigger !== fields.trigger ||
    run.scheduledAt !== iso(fields.scheduled_at) ||
    run.startedAt !== iso(fields.started_at) ||
    run.endedAt !== iso(fields.ended_at) ||
    (run.failureReason ?? null) !== fields.failure_reason ||
    run.stages.length !== stages.length
  ) {
    return false;
  }
  return run.stages.every((stage, i) => {
    const row = stages[i];
    return (
      stage.name === row.name &&
      stage.state === row.state &&
      stage.startedAt === iso(row.started_at) &&
      stage.endedAt === iso(row.ended_at) &&
      (stage.failureReason ?? null) === row.failure_reason
    );
  });
}
