import { classifyFailureReason } from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';
import { readIso, readRequiredIso, readTimestamp } from '../database/values';
import {
  NOT_STARTED_STATES,
  PipelineRun,
  PipelineRunState,
  PipelineStage,
} from './types';

/*
 * The pipeline tables and how their rows read: runs with their stages,
 * a pipeline's SLA and last success, and the helpers every write shares
 * (a failure reason clipped and classified, a finished run's stages
 * closed). PipelineStore and the modules it is split into (observedRuns,
 * pipelineSweep) go through these.
 */

export const PIPELINES = 'mlops_pipelines';
export const RUNS = 'mlops_pipeline_runs';
export const STAGES = 'mlops_pipeline_run_stages';

export type Row = Record<string, any>;

/**
 * Longest failure reason kept; orchestrators sometimes send whole logs. The
 * class is taken from the full text before it is cut.
 */
export const MAX_FAILURE_REASON_LENGTH = 8000;

/** The first failure class the shared classifier finds in a reason. */
export function failureClassOf(reason: string | undefined): string | undefined {
  return reason ? classifyFailureReason(reason)[0] : undefined;
}

/** A pipeline's SLA: its own, else the default. */
export function slaMsOf(
  row: Row,
  defaultSlaMs: number | undefined,
): number | undefined {
  if (row.sla_minutes !== null && row.sla_minutes !== undefined) {
    return Number(row.sla_minutes) * 60_000;
  }
  return defaultSlaMs;
}

export async function lastSuccessDate(
  db: Knex,
  pipeline: string,
): Promise<Date | undefined> {
  const [row] = await db(RUNS)
    .where({ pipeline_name: pipeline, state: 'COMPLETED' })
    .max({ last: 'ended_at' });
  return readTimestamp(row?.last);
}

/** A run of the pipeline with its stages, or undefined. */
export async function readRun(
  db: Knex,
  pipeline: string,
  id: string,
): Promise<PipelineRun | undefined> {
  if (!/^\d{1,18}$/.test(id)) {
    return undefined;
  }
  const row: Row | undefined = await db(RUNS)
    .where({ id: Number(id), pipeline_name: pipeline })
    .first();
  if (!row) {
    return undefined;
  }
  return (await withStages(db, [row]))[0];
}

export async function findByExternalId(
  db: Knex,
  pipeline: string,
  externalId: string,
) {
  const row: Row | undefined = await db(RUNS)
    .where({ pipeline_name: pipeline, external_id: externalId })
    .first();
  return row ? (await withStages(db, [row]))[0] : undefined;
}

export async function withStages(
  db: Knex,
  rows: Row[],
): Promise<PipelineRun[]> {
  if (rows.length === 0) {
    return [];
  }
  const stageRows: Row[] = await db(STAGES)
    .whereIn(
      'run_id',
      rows.map(r => Number(r.id)),
    )
    .orderBy([
      { column: 'run_id', order: 'asc' },
      { column: 'position', order: 'asc' },
    ]);
  const byRun = new Map<string, PipelineStage[]>();
  for (const s of stageRows) {
    const list = byRun.get(String(s.run_id)) ?? [];
    list.push({
      name: s.name,
      state: s.state,
      ...(s.started_at ? { startedAt: readIso(s.started_at) } : {}),
      ...(s.ended_at ? { endedAt: readIso(s.ended_at) } : {}),
      ...(s.failure_reason ? { failureReason: s.failure_reason } : {}),
      ...(s.failure_class ? { failureClass: s.failure_class } : {}),
    });
    byRun.set(String(s.run_id), list);
  }
  return rows.map(row => toRun(row, byRun.get(String(row.id)) ?? []));
}

/** Running stages end in `state`, stages never started are CANCELLED. */
export async function closeStages(
  db: Knex,
  runId: string,
  state: PipelineRunState,
  now: Date,
) {
  await db(STAGES)
    .where({ run_id: Number(runId), state: 'RUNNING' })
    .update({ state, ended_at: now });
  await db(STAGES)
    .where({ run_id: Number(runId) })
    .whereIn('state', NOT_STARTED_STATES as PipelineRunState[])
    .update({ state: 'CANCELLED' });
}

export function toRun(row: Row, stages: PipelineStage[]): PipelineRun {
  const optional = (key: string, value: unknown) =>
    value === null || value === undefined ? {} : { [key]: value };
  return {
    id: String(row.id),
    pipeline: row.pipeline_name,
    state: row.state,
    trigger: row.trigger,
    ...optional('reason', row.reason),
    ...optional('externalId', row.external_id),
    ...optional('scheduledAt', readIso(row.scheduled_at)),
    ...optional('startedAt', readIso(row.started_at)),
    ...optional('endedAt', readIso(row.ended_at)),
    ...optional('heartbeatAt', readIso(row.heartbeat_at)),
    ...optional('failureReason', row.failure_reason),
    ...optional('failureClass', row.failure_class),
    createdAt: readRequiredIso(row.created_at),
    updatedAt: readRequiredIso(row.updated_at),
    stages,
  };
}

export function parseStages(value: unknown): string[] {
  try {
    const parsed = JSON.parse(String(value ?? '[]'));
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

export function clip(text: string | undefined): string | undefined {
  if (text === undefined) {
    return undefined;
  }
  const trimmed = text.trim();
  if (!trimmed) {
    return undefined;
  }
  // Keep the end: the error that stopped a job is usually the last thing it
  // printed.
  return trimmed.length > MAX_FAILURE_REASON_LENGTH
    ? `…${trimmed.slice(-MAX_FAILURE_REASON_LENGTH)}`
    : trimmed;
}
