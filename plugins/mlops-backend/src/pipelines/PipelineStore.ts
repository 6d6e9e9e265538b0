import { ConflictError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { isUniqueViolation, readIso, readTimestamp } from '../database/values';
import { ObservedPipelineRun, recordObservedRun } from './observedRuns';
import {
  clip,
  closeStages,
  failureClassOf,
  findByExternalId,
  lastSuccessDate,
  parseStages,
  PIPELINES,
  readRun,
  Row,
  RUNS,
  slaMsOf,
  STAGES,
  toRun,
  withStages,
} from './pipelineRows';
import { PipelineTimeouts, sweep, SweepResult } from './pipelineSweep';
import {
  NOT_STARTED_STATES,
  OPEN_STATES,
  PipelineRun,
  PipelineRunState,
  PipelineRunTrigger,
  PipelineStatus,
  TERMINAL_STATES,
} from './types';

export { failureClassOf, MAX_FAILURE_REASON_LENGTH } from './pipelineRows';
export type { ObservedPipelineRun } from './observedRuns';
export type { PipelineTimeouts, SweepResult } from './pipelineSweep';

/** A new run as an orchestrator or a trigger reports it. */
export interface NewPipelineRun {
  state?: 'SCHEDULED' | 'PENDING' | 'RUNNING';
  scheduledAt?: Date;
  stages?: string[];
  externalId?: string;
  trigger?: PipelineRunTrigger;
  reason?: string;
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
    const lastSuccess = await lastSuccessDate(this.db, name);
    const slaMs = slaMsOf(row, this.timeouts.defaultSlaMs);
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
      const existing = await findByExternalId(
        this.db,
        pipeline,
        input.externalId,
      );
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
        const existing = await findByExternalId(
          this.db,
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
    return readRun(this.db, pipeline, id);
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
    return withStages(this.db, rows);
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
      await closeStages(tx, run.id, update.state, now);
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
    return recordObservedRun(this.db, this.now, pipeline, observed);
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
    return (await lastSuccessDate(this.db, pipeline))?.toISOString();
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
    return sweep(this.db, this.timeouts, this.now);
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
