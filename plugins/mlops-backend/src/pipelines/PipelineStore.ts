import { ConflictError, NotFoundError } from '@backstage/errors';
import { classifyFailureReason } from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';
import {
  isUniqueViolation,
  readIso,
  readRequiredIso,
  readTimestamp,
} from '../database/values';
import {
  NOT_STARTED_STATES,
  OPEN_STATES,
  PipelineRun,
  PipelineRunState,
  PipelineRunTrigger,
  PipelineStage,
  PipelineStatus,
  TERMINAL_STATES,
} from './types';

const PIPELINES = 'mlops_pipelines';
const RUNS = 'mlops_pipeline_runs';
const STAGES = 'mlops_pipeline_run_stages';

type Row = Record<string, any>;

/**
 * Longest failure reason kept; orchestrators sometimes send whole logs. The
 * class is taken from the full text before it is cut.
 */
export const MAX_FAILURE_REASON_LENGTH = 8000;

/** The first failure class the shared classifier finds in a reason. */
export function failureClassOf(reason: string | undefined): string | undefined {
  return reason ? classifyFailureReason(reason)[0] : undefined;
}

/** A new run as an orchestrator or a trigger reports it. */
export interface NewPipelineRun {
  state?: 'SCHEDULED' | 'PENDING' | 'RUNNING';
  scheduledAt?: Date;
  stages?: string[];
  externalId?: string;
  trigger?: PipelineRunTrigger;
  reason?: string;
}

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

/** Fields of a pipeline definition; absent fields are left as they are. */
export interface PipelineDefinitionInput {
  owner?: string;
  description?: string;
  orchestrator?: string;
  schedule?: string;
  stages?: string[];
  slaMinutes?: number | null;
}

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
 * Pipeline definitions (on `mlops_pipelines`) and their runs and stages.
 * State changes are conditional UPDATEs on the current state, so an
 * orchestrator's report and the sweep racing each other cannot both win.
 */
export class PipelineStore {
  constructor(
    private readonly db: Knex,
    private readonly timeouts: PipelineTimeouts,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates the definition or updates the given fields of it. */
  async upsertDefinition(
    name: string,
    input: PipelineDefinitionInput,
  ): Promise<PipelineStatus> {
    const now = this.now();
    const fields: Row = {};
    if (input.owner !== undefined) fields.owner = input.owner;
    if (input.description !== undefined) fields.description = input.description;
    if (input.orchestrator !== undefined)
      fields.orchestrator = input.orchestrator;
    if (input.schedule !== undefined) fields.schedule = input.schedule;
    if (input.stages !== undefined)
      fields.stages = JSON.stringify(input.stages);
    if (input.slaMinutes !== undefined) fields.sla_minutes = input.slaMinutes;
    await this.db(PIPELINES)
      .insert({
        name,
        stages: '[]',
        ...fields,
        created_at: now,
        updated_at: now,
      })
      .onConflict('name')
      .merge({ ...fields, updated_at: now });
    return (await this.status(name))!;
  }

  /** A pipeline's definition and freshness, or undefined if unknown. */
  async status(name: string): Promise<PipelineStatus | undefined> {
    const row: Row | undefined = await this.db(PIPELINES)
      .where({ name })
      .first();
    if (!row) {
      return undefined;
    }
    const lastSuccess = await this.lastSuccessDate(name);
    const slaMs = this.slaMs(row);
    const since = lastSuccess ?? readTimestamp(row.created_at)!;
    return {
      name,
      ...(row.owner ? { owner: row.owner } : {}),
      ...(row.description ? { description: row.description } : {}),
      ...(row.orchestrator ? { orchestrator: row.orchestrator } : {}),
      ...(row.schedule ? { schedule: row.schedule } : {}),
      stages: parseStages(row.stages),
      ...(slaMs !== undefined
        ? { slaMinutes: Math.round(slaMs / 60_000) }
        : {}),
      ...(lastSuccess ? { lastSuccessAt: lastSuccess.toISOString() } : {}),
      stale:
        slaMs !== undefined && this.now().getTime() - since.getTime() > slaMs,
      ...(row.stale_since ? { staleSince: readIso(row.stale_since) } : {}),
    };
  }

  /**
   * Records a run. A retried create with the same `externalId` returns the
   * run recorded the first time (`created: false`) instead of a second one.
   */
  async createRun(
    pipeline: string,
    input: NewPipelineRun,
  ): Promise<{ run: PipelineRun; created: boolean }> {
    const definition: Row | undefined = await this.db(PIPELINES)
      .where({ name: pipeline })
      .first();
    if (!definition) {
      throw new NotFoundError(`No pipeline ${pipeline}`);
    }
    if (input.externalId) {
      const existing = await this.findByExternalId(pipeline, input.externalId);
      if (existing) {
        return { run: existing, created: false };
      }
    }
    const now = this.now();
    const state = input.state ?? 'SCHEDULED';
    const stages = input.stages ?? parseStages(definition.stages);
    try {
      const id = await this.db.transaction(async tx => {
        const [row] = await tx(RUNS)
          .insert({
            pipeline_name: pipeline,
            state,
            trigger: input.trigger ?? 'api',
            reason: input.reason ?? null,
            external_id: input.externalId ?? null,
            scheduled_at: input.scheduledAt ?? now,
            started_at: state === 'RUNNING' ? now : null,
            heartbeat_at: state === 'RUNNING' ? now : null,
            created_at: now,
            updated_at: now,
          })
          .returning('id');
        const runId = typeof row === 'object' ? row.id : row;
        if (stages.length > 0) {
          await tx(STAGES).insert(
            stages.map((name, position) => ({
              run_id: runId,
              name,
              position,
              state: 'PENDING',
            })),
          );
        }
        return String(runId);
      });
      return { run: (await this.getRun(pipeline, id))!, created: true };
    } catch (error) {
      if (isUniqueViolation(error) && input.externalId) {
        // Another replica recorded the same orchestrator run a moment ago.
        const existing = await this.findByExternalId(
          pipeline,
          input.externalId,
        );
        if (existing) {
          return { run: existing, created: false };
        }
      }
      throw error;
    }
  }

  async getRun(pipeline: string, id: string): Promise<PipelineRun | undefined> {
    if (!/^\d{1,18}$/.test(id)) {
      return undefined;
    }
    const row: Row | undefined = await this.db(RUNS)
      .where({ id: Number(id), pipeline_name: pipeline })
      .first();
    if (!row) {
      return undefined;
    }
    return (await this.withStages([row]))[0];
  }

  /** Runs of a pipeline, newest first, with their stages. */
  async listRuns(
    pipeline: string,
    options: { limit?: number; offset?: number; state?: PipelineRunState } = {},
  ): Promise<PipelineRun[]> {
    const rows: Row[] = await this.db(RUNS)
      .where({ pipeline_name: pipeline })
      .modify(q => {
        if (options.state) {
          q.where({ state: options.state });
        }
      })
      .orderBy('id', 'desc')
      .limit(options.limit ?? 20)
      .offset(options.offset ?? 0);
    return this.withStages(rows);
  }

  /**
   * Moves one stage. Starting a stage starts the run; a stage of a finished
   * run, or a finished stage, cannot move (409). A stage the run did not
   * declare is appended, since orchestrators can add tasks dynamically.
   */
  async moveStage(
    pipeline: string,
    runId: string,
    stage: string,
    update: { state: PipelineRunState; failureReason?: string },
  ): Promise<PipelineRun> {
    const run = await this.requireOpenRun(pipeline, runId);
    const now = this.now();
    const reason = clip(update.failureReason);
    await this.db.transaction(async tx => {
      const existing: Row | undefined = await tx(STAGES)
        .where({ run_id: Number(run.id), name: stage })
        .first();
      if (!existing) {
        const [{ max }] = await tx(STAGES)
          .where({ run_id: Number(run.id) })
          .max({ max: 'position' });
        await tx(STAGES).insert({
          run_id: Number(run.id),
          name: stage,
          position: max === null || max === undefined ? 0 : Number(max) + 1,
          state: 'PENDING',
        });
      }
      const allowedFrom = stageMovesFrom(update.state);
      const patch: Row = { state: update.state };
      if (update.state === 'RUNNING') {
        patch.started_at = tx.raw('coalesce(started_at, ?)', [now]);
      }
      if (TERMINAL_STATES.includes(update.state)) {
        patch.started_at = tx.raw('coalesce(started_at, ?)', [now]);
        patch.ended_at = now;
        patch.failure_reason = reason ?? null;
        patch.failure_class = failureClassOf(update.failureReason) ?? null;
      }
      const moved = await tx(STAGES)
        .where({ run_id: Number(run.id), name: stage })
        .whereIn('state', allowedFrom as PipelineRunState[])
        .update(patch);
      if (moved === 0) {
        const current: Row = await tx(STAGES)
          .where({ run_id: Number(run.id), name: stage })
          .first();
        throw new ConflictError(
          `Stage ${stage} of run ${run.id} is ${current.state}; it cannot move to ${update.state}`,
        );
      }
      await this.startRun(tx, run.id, now);
    });
    return (await this.getRun(pipeline, runId))!;
  }

  /** Records a heartbeat; a run that had not started is now RUNNING. */
  async heartbeat(pipeline: string, runId: string): Promise<PipelineRun> {
    const run = await this.requireOpenRun(pipeline, runId);
    const now = this.now();
    const touched = await this.db(RUNS)
      .where({ id: Number(run.id) })
      .whereIn('state', OPEN_STATES as PipelineRunState[])
      .update({ heartbeat_at: now, updated_at: now });
    if (touched === 0) {
      throw await this.finishedConflict(pipeline, runId);
    }
    await this.startRun(this.db, run.id, now);
    return (await this.getRun(pipeline, runId))!;
  }

  /**
   * Finishes a run. COMPLETED needs a run that started; FAILED, CRASHED and
   * CANCELLED may end a run in any open state. Stages still running end in
   * the run's state, stages never started are CANCELLED.
   */
  async finishRun(
    pipeline: string,
    runId: string,
    update: {
      state: 'COMPLETED' | 'FAILED' | 'CRASHED' | 'CANCELLED';
      failureReason?: string;
    },
  ): Promise<PipelineRun> {
    const run = await this.requireRun(pipeline, runId);
    const now = this.now();
    let reason = clip(update.failureReason);
    let failureClass = failureClassOf(update.failureReason);
    if (!reason && update.state !== 'COMPLETED') {
      // The failed stage usually knows more than the orchestrator's summary.
      const failedStage = run.stages.find(s => s.failureReason);
      reason = failedStage?.failureReason;
      failureClass = failedStage?.failureClass;
    }
    const allowedFrom: readonly PipelineRunState[] =
      update.state === 'COMPLETED' ? ['RUNNING'] : OPEN_STATES;
    await this.db.transaction(async tx => {
      const moved = await tx(RUNS)
        .where({ id: Number(run.id) })
        .whereIn('state', allowedFrom as PipelineRunState[])
        .update({
          state: update.state,
          ended_at: now,
          updated_at: now,
          failure_reason: update.state === 'COMPLETED' ? null : reason ?? null,
          failure_class:
            update.state === 'COMPLETED' ? null : failureClass ?? null,
        });
      if (moved === 0) {
        // Read through the transaction: SQLite has one connection, and
        // reading outside it would wait for this transaction forever.
        const current: Row =
          (await tx(RUNS)
            .where({ id: Number(run.id) })
            .first('state')) ?? run;
        throw new ConflictError(
          `Run ${run.id} of ${pipeline} is ${current.state}; it cannot move to ${update.state}`,
        );
      }
      await this.closeStages(tx, run.id, update.state, now);
      if (update.state === 'COMPLETED') {
        await tx(PIPELINES)
          .where({ name: pipeline })
          .update({ stale_since: null });
      }
    });
    return (await this.getRun(pipeline, runId))!;
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
  async recordObservedRun(
    pipeline: string,
    observed: ObservedPipelineRun,
  ): Promise<{ changed: boolean; run: PipelineRun }> {
    const now = this.now();
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
    const existing = await this.findByExternalId(pipeline, observed.externalId);
    if (existing && sameObservation(existing, fields, stageRows)) {
      if (open) {
        await this.db(RUNS)
          .where({ id: Number(existing.id) })
          .update({ heartbeat_at: now });
      }
      return { changed: false, run: existing };
    }
    const id = await this.db.transaction(async tx => {
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
    return { changed: true, run: (await this.getRun(pipeline, id))! };
  }

  /**
   * Newest runs for the health detectors (`PipelineSource`), newest first.
   */
  async latestRuns(
    pipeline: string,
    limit: number,
  ): Promise<
    Array<{
      id: string;
      state: string;
      failureReason?: string;
      failureClass?: string;
      startedAt?: string;
      endedAt?: string;
      scheduledAt?: string;
    }>
  > {
    const rows: Row[] = await this.db(RUNS)
      .where({ pipeline_name: pipeline })
      .orderBy('id', 'desc')
      .limit(Math.max(1, Math.min(limit, 500)));
    return rows.map(row => {
      const run = toRun(row, []);
      return {
        id: run.id,
        state: run.state,
        ...(run.failureReason ? { failureReason: run.failureReason } : {}),
        ...(run.failureClass ? { failureClass: run.failureClass } : {}),
        ...(run.startedAt ? { startedAt: run.startedAt } : {}),
        ...(run.endedAt ? { endedAt: run.endedAt } : {}),
        ...(run.scheduledAt ? { scheduledAt: run.scheduledAt } : {}),
      };
    });
  }

  /** When the pipeline last completed a run, if ever (`PipelineSource`). */
  async lastSuccessAt(pipeline: string): Promise<string | undefined> {
    return (await this.lastSuccessDate(pipeline))?.toISOString();
  }

  /**
   * Records a requested run, e.g. a retrain after drift (`PipelineSource`).
   * While an earlier request has not started yet, that one is returned, so a
   * flapping detector does not queue ten retrains.
   */
  async requestRun(pipeline: string, reason: string): Promise<{ id: string }> {
    const waiting: Row | undefined = await this.db(RUNS)
      .where({ pipeline_name: pipeline, trigger: 'requested' })
      .whereIn('state', NOT_STARTED_STATES as PipelineRunState[])
      .orderBy('id', 'desc')
      .first('id');
    if (waiting) {
      return { id: String(waiting.id) };
    }
    const { run } = await this.createRun(pipeline, {
      state: 'SCHEDULED',
      trigger: 'requested',
      reason: clip(reason),
    });
    return { id: run.id };
  }

  /**
   * Marks RUNNING runs without a heartbeat CRASHED, SCHEDULED runs that did
   * not start in time LATE, and records pipelines missing their SLA as
   * stale (and fresh again after a success). Safe to run on several
   * replicas at once: every change is conditional on the state it read.
   */
  async sweep(): Promise<SweepResult> {
    const now = this.now();
    const result: SweepResult = {
      crashed: [],
      late: [],
      becameStale: [],
      becameFresh: [],
    };
    const heartbeatCutoff = new Date(
      now.getTime() - this.timeouts.heartbeatTimeoutMs,
    );
    // Mirrored runs are left out: their source says when they end, and a
    // sync that finds a run unchanged writes nothing, heartbeat included.
    const silent: Row[] = await this.db(RUNS)
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
    const minutes = Math.round(this.timeouts.heartbeatTimeoutMs / 60_000);
    for (const row of silent) {
      const last = readTimestamp(row.heartbeat_at ?? row.updated_at)!;
      const reason = `Heartbeat timed out: no heartbeat since ${last.toISOString()} (limit ${minutes} min); the worker stopped reporting`;
      const changed = await this.db.transaction(async tx => {
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
          await this.closeStages(tx, String(row.id), 'CRASHED', now);
        }
        return moved > 0;
      });
      if (changed) {
        result.crashed.push(String(row.id));
      }
    }

    const lateCutoff = new Date(now.getTime() - this.timeouts.lateAfterMs);
    const lateRows: Row[] = await this.db(RUNS)
      .where({ state: 'SCHEDULED', observed: false })
      .where('scheduled_at', '<', lateCutoff)
      .select('id');
    for (const row of lateRows) {
      const moved = await this.db(RUNS)
        .where({ id: row.id, state: 'SCHEDULED' })
        .update({ state: 'LATE', updated_at: now });
      if (moved > 0) {
        result.late.push(String(row.id));
      }
    }

    const pipelines: Row[] = await this.db(PIPELINES).select(
      'name',
      'sla_minutes',
      'stale_since',
      'created_at',
    );
    for (const row of pipelines) {
      const slaMs = this.slaMs(row);
      if (slaMs === undefined) {
        if (row.stale_since) {
          await this.db(PIPELINES)
            .where({ name: row.name })
            .update({ stale_since: null });
        }
        continue;
      }
      const since =
        (await this.lastSuccessDate(row.name)) ??
        readTimestamp(row.created_at)!;
      const stale = now.getTime() - since.getTime() > slaMs;
      if (stale && !row.stale_since) {
        const moved = await this.db(PIPELINES)
          .where({ name: row.name })
          .whereNull('stale_since')
          .update({ stale_since: new Date(since.getTime() + slaMs) });
        if (moved > 0) result.becameStale.push(row.name);
      } else if (!stale && row.stale_since) {
        const moved = await this.db(PIPELINES)
          .where({ name: row.name })
          .whereNotNull('stale_since')
          .update({ stale_since: null });
        if (moved > 0) result.becameFresh.push(row.name);
      }
    }
    return result;
  }

  private slaMs(row: Row): number | undefined {
    if (row.sla_minutes !== null && row.sla_minutes !== undefined) {
      return Number(row.sla_minutes) * 60_000;
    }
    return this.timeouts.defaultSlaMs;
  }

  private async lastSuccessDate(pipeline: string): Promise<Date | undefined> {
    const [row] = await this.db(RUNS)
      .where({ pipeline_name: pipeline, state: 'COMPLETED' })
      .max({ last: 'ended_at' });
    return readTimestamp(row?.last);
  }

  /** A run that has not started yet becomes RUNNING. */
  private async startRun(db: Knex, runId: string, now: Date) {
    await db(RUNS)
      .where({ id: Number(runId) })
      .whereIn('state', NOT_STARTED_STATES as PipelineRunState[])
      .update({
        state: 'RUNNING',
        started_at: now,
        heartbeat_at: now,
        updated_at: now,
      });
    await db(RUNS)
      .where({ id: Number(runId), state: 'RUNNING' })
      .update({ heartbeat_at: now, updated_at: now });
  }

  private async closeStages(
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

  private async requireRun(pipeline: string, runId: string) {
    const run = await this.getRun(pipeline, runId);
    if (!run) {
      throw new NotFoundError(`No run ${runId} of pipeline ${pipeline}`);
    }
    return run;
  }

  private async requireOpenRun(pipeline: string, runId: string) {
    const run = await this.requireRun(pipeline, runId);
    if (TERMINAL_STATES.includes(run.state)) {
      throw await this.finishedConflict(pipeline, runId);
    }
    return run;
  }

  private async finishedConflict(pipeline: string, runId: string) {
    const run = await this.getRun(pipeline, runId);
    return new ConflictError(
      `Run ${runId} of ${pipeline} is ${
        run?.state ?? 'gone'
      }; a finished run takes no more reports`,
    );
  }

  private async findByExternalId(pipeline: string, externalId: string) {
    const row: Row | undefined = await this.db(RUNS)
      .where({ pipeline_name: pipeline, external_id: externalId })
      .first();
    return row ? (await this.withStages([row]))[0] : undefined;
  }

  private async withStages(rows: Row[]): Promise<PipelineRun[]> {
    if (rows.length === 0) {
      return [];
    }
    const stageRows: Row[] = await this.db(STAGES)
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

/** The stage states a stage may move to `state` from. */
function stageMovesFrom(state: PipelineRunState): readonly PipelineRunState[] {
  if (state === 'RUNNING') {
    return [...NOT_STARTED_STATES, 'RUNNING'];
  }
  if (TERMINAL_STATES.includes(state)) {
    return OPEN_STATES;
  }
  return NOT_STARTED_STATES;
}

function toRun(row: Row, stages: PipelineStage[]): PipelineRun {
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

function parseStages(value: unknown): string[] {
  try {
    const parsed = JSON.parse(String(value ?? '[]'));
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

function clip(text: string | undefined): string | undefined {
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
