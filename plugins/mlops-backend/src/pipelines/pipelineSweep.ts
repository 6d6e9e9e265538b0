import { Knex } from 'knex';
import { readTimestamp } from '../database/values';
import {
  closeStages,
  failureClassOf,
  lastSuccessDate,
  PIPELINES,
  Row,
  RUNS,
  slaMsOf,
} from './pipelineRows';

/*
 * The sweep over pipelines and their runs: crashed and late runs, stale
 * and fresh pipelines, each change conditional on the state it read.
 */

/** Timeouts the store judges runs and pipelines by. */
export interface PipelineTimeouts {
  heartbeatTimeoutMs: number;
  lateAfterMs: number;
  /** SLA of pipelines without their own; undefined means none. */
  defaultSlaMs?: number;
}

/** What one sweep changed. */
export interface SweepResult {
  crashed: string[];
  late: string[];
  becameStale: string[];
  becameFresh: string[];
}

/**
 * Marks RUNNING runs without a heartbeat CRASHED, SCHEDULED runs that did
 * not start in time LATE, and records pipelines missing their SLA as
 * stale (and fresh again after a success). Safe to run on several
 * replicas at once: every change is conditional on the state it read.
 */
export async function sweep(
  db: Knex,
  timeouts: PipelineTimeouts,
  clock: () => Date,
): Promise<SweepResult> {
  const now = clock();
  const result: SweepResult = {
    crashed: [],
    late: [],
    becameStale: [],
    becameFresh: [],
  };
  const heartbeatCutoff = new Date(now.getTime() - timeouts.heartbeatTimeoutMs);
  // Mirrored runs are left out: their source says when they end, and a
  // sync that finds a run unchanged writes nothing, heartbeat included.
  const silent: Row[] = await db(RUNS)
    .where({ state: 'RUNNING', observed: false })
    .where(q =>
      q
        .where('heartbeat_at', '<', heartbeatCutoff)
        .orWhere(q2 =>
          q2
            .whereNull('heartbeat_at')
            .where('updated_at', '<', heartbeatCutoff),
        ),
    )
    .select('id', 'pipeline_name', 'heartbeat_at', 'updated_at');
  const minutes = Math.round(timeouts.heartbeatTimeoutMs / 60_000);
  for (const row of silent) {
    const last = readTimestamp(row.heartbeat_at ?? row.updated_at)!;
    const reason = `Heartbeat timed out: no heartbeat since ${last.toISOString()} (limit ${minutes} min); the worker stopped reporting`;
    const changed = await db.transaction(async tx => {
      const moved = await tx(RUNS)
        .where({ id: row.id, state: 'RUNNING' })
        .update({
          state: 'CRASHED',
          ended_at: now,
          updated_at: now,
          failure_reason: reason,
          failure_class: failureClassOf(reason) ?? null,
        });
      if (moved > 0) {
        await closeStages(tx, String(row.id), 'CRASHED', now);
      }
      return moved > 0;
    });
    if (changed) {
      result.crashed.push(String(row.id));
    }
  }

  const lateCutoff = new Date(now.getTime() - timeouts.lateAfterMs);
  const lateRows: Row[] = await db(RUNS)
    .where({ state: 'SCHEDULED', observed: false })
    .where('scheduled_at', '<', lateCutoff)
    .select('id');
  for (const row of lateRows) {
    const moved = await db(RUNS)
      .where({ id: row.id, state: 'SCHEDULED' })
      .update({ state: 'LATE', updated_at: now });
    if (moved > 0) {
      result.late.push(String(row.id));
    }
  }

  const pipelines: Row[] = await db(PIPELINES).select(
    'name',
    'sla_minutes',
    'stale_since',
    'created_at',
  );
  for (const row of pipelines) {
    const slaMs = slaMsOf(row, timeouts.defaultSlaMs);
    if (slaMs === undefined) {
      if (row.stale_since) {
        await db(PIPELINES)
          .where({ name: row.name })
          .update({ stale_since: null });
      }
      continue;
    }
    const since =
      (await lastSuccessDate(db, row.name)) ?? readTimestamp(row.created_at)!;
    const stale = now.getTime() - since.getTime() > slaMs;
    if (stale && !row.stale_since) {
      const moved = await db(PIPELINES)
        .where({ name: row.name })
        .whereNull('stale_since')
        .update({ stale_since: new Date(since.getTime() + slaMs) });
      if (moved > 0) result.becameStale.push(row.name);
    } else if (!stale && row.stale_since) {
      const moved = await db(PIPELINES)
        .where({ name: row.name })
        .whereNotNull('stale_since')
        .update({ stale_since: null });
      if (moved > 0) result.becameFresh.push(row.name);
    }
  }
  return result;
}
