import { ConflictError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  isUniqueViolation,
  readIso,
  readRequiredIso,
  readTimestamp,
} from '../database/values';
import {
  ACTIVE_DEPLOYMENT_STATUSES,
  DEPLOYMENT_TRANSITIONS,
  Deployment,
  DeploymentStatus,
  StoredDeploymentStatus,
} from './types';

const TABLE = 'mlops_deployments';

interface DeploymentRow {
  id: number | string;
  model_name: string;
  version: number;
  environment: string;
  target: string;
  status: StoredDeploymentStatus;
  active: boolean | number | null;
  message: string | null;
  requested_by: string | null;
  rollback_of: number | string | null;
  reason: string | null;
  created_at: unknown;
  updated_at: unknown;
  started_at: unknown;
  finished_at: unknown;
  succeeded_at: unknown;
}

/** What a new deployment is recorded with. */
export interface NewDeployment {
  model: string;
  version: number;
  environment: string;
  target: string;
  requestedBy?: string;
  rollbackOf?: string;
  reason?: string;
}

/** A status report from a CD system or a target. */
export interface DeploymentStatusUpdate {
  status: StoredDeploymentStatus;
  message?: string;
}

/** Options for reading history. */
export interface DeploymentHistoryQuery {
  environment?: string;
  limit?: number;
  offset?: number;
}

/**
 * Deployments of registered model versions, in the `mlops_deployments`
 * table. Every status change is a single conditional UPDATE, so two reports
 * racing each other cannot both move the same deployment.
 */
export class DeploymentStore {
  /**
   * @param stuckAfterMs - how long a deployment may stay `in_progress`
   *   before it is reported `stuck`
   * @param now - the clock, replaceable in tests
   */
  constructor(
    private readonly db: Knex,
    private readonly stuckAfterMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether a registered model with this name exists in the store. */
  async modelExists(model: string): Promise<boolean> {
    const row = await this.db('mlops_registered_models')
      .where({ name: model })
      .first('id');
    return Boolean(row);
  }

  /**
   * Records a new pending deployment. Fails with a 409 that names the
   * deployment in flight when the model already has one in the environment;
   * the unique index decides, so of two racing requests exactly one wins.
   */
  async create(input: NewDeployment): Promise<Deployment> {
    return this.inFlightGuard(input, () =>
      this.insertPending(
        this.db,
        input,
        input.rollbackOf ? Number(input.rollbackOf) : null,
      ),
    );
  }

  /**
   * Rolls an environment back: marks `from` as rolled back and records a new
   * pending deployment of `version` in one transaction, so a failure leaves
   * neither half behind.
   */
  async createRollback(
    from: Deployment,
    input: NewDeployment,
  ): Promise<Deployment> {
    return this.inFlightGuard(input, () =>
      this.db.transaction(async tx => {
        const moved = await tx(TABLE)
          .where({ id: Number(from.id) })
          .whereIn('status', ['succeeded', 'failed'])
          .update({
            status: 'rolled_back',
            active: null,
            updated_at: this.now(),
          });
        if (moved === 0) {
          throw new ConflictError(
            `Deployment ${from.id} changed while the rollback was prepared; try again`,
          );
        }
        return this.insertPending(tx, input, Number(from.id));
      }),
    );
  }

  private async insertPending(
    db: Knex,
    input: NewDeployment,
    rollbackOf: number | null,
  ): Promise<Deployment> {
    const now = this.now();
    const [row] = await db<DeploymentRow>(TABLE)
      .insert({
        model_name: input.model,
        version: input.version,
        environment: input.environment,
        target: input.target,
        status: 'pending',
        active: true,
        requested_by: input.requestedBy ?? null,
        rollback_of: rollbackOf,
        reason: input.reason ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('*');
    return this.toDeployment(row);
  }

  // The unique index on the active deployment of a model and environment
  // decides which of two racing requests wins; the loser gets a 409 that
  // names the deployment in flight.
  private async inFlightGuard(
    input: NewDeployment,
    write: () => Promise<Deployment>,
  ): Promise<Deployment> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw await this.inFlightConflict(input.model, input.environment);
      }
      throw error;
    }
  }

  async get(id: string): Promise<Deployment | undefined> {
    if (!/^\d{1,18}$/.test(id)) {
      return undefined;
    }
    const row = await this.db<DeploymentRow>(TABLE)
      .where({ id: Number(id) })
      .first();
    return row ? this.toDeployment(row) : undefined;
  }

  /**
   * Moves a deployment to a new status, only along
   * {@link DEPLOYMENT_TRANSITIONS}. An illegal move is a 409 that says where
   * the deployment stands.
   */
  async updateStatus(
    id: string,
    update: DeploymentStatusUpdate,
  ): Promise<Deployment> {
    const current = await this.get(id);
    if (!current) {
      throw new NotFoundError(`No deployment ${id}`);
    }
    const from = (
      Object.keys(DEPLOYMENT_TRANSITIONS) as StoredDeploymentStatus[]
    ).filter(status => DEPLOYMENT_TRANSITIONS[status].includes(update.status));
    const now = this.now();
    const patch: Record<string, unknown> = {
      status: update.status,
      updated_at: now,
      active: ACTIVE_DEPLOYMENT_STATUSES.includes(update.status) ? true : null,
    };
    if (update.message !== undefined) {
      patch.message = update.message;
    }
    if (update.status === 'in_progress') {
      // A repeated in_progress report keeps the original start, so progress
      // messages cannot hide a deployment that is stuck.
      patch.started_at = this.db.raw('coalesce(started_at, ?)', [now]);
    }
    if (update.status === 'succeeded' || update.status === 'failed') {
      patch.finished_at = now;
    }
    if (update.status === 'succeeded') {
      patch.succeeded_at = now;
    }
    const moved = await this.db(TABLE)
      .where({ id: Number(id) })
      .whereIn('status', from)
      .update(patch);
    if (moved === 0) {
      const latest = (await this.get(id)) ?? current;
      throw new ConflictError(
        `Deployment ${id} is ${latest.status}; it cannot move to ${update.status}`,
      );
    }
    return (await this.get(id))!;
  }

  /** Deployments of a model, newest first, optionally of one environment. */
  async history(
    model: string,
    query: DeploymentHistoryQuery = {},
  ): Promise<Deployment[]> {
    const rows: DeploymentRow[] = await this.db<DeploymentRow>(TABLE)
      .where({ model_name: model })
      .modify(q => {
        if (query.environment) {
          q.where({ environment: query.environment });
        }
      })
      .orderBy('id', 'desc')
      .limit(query.limit ?? 50)
      .offset(query.offset ?? 0);
    return rows.map(row => this.toDeployment(row));
  }

  /** The deployment currently pending or in progress, if any. */
  async active(
    model: string,
    environment: string,
  ): Promise<Deployment | undefined> {
    const row = await this.db<DeploymentRow>(TABLE)
      .where({ model_name: model, environment, active: true })
      .first();
    return row ? this.toDeployment(row) : undefined;
  }

  /** The newest deployment of the model in the environment. */
  async latest(
    model: string,
    environment: string,
  ): Promise<Deployment | undefined> {
    const row = await this.db<DeploymentRow>(TABLE)
      .where({ model_name: model, environment })
      .orderBy('id', 'desc')
      .first();
    return row ? this.toDeployment(row) : undefined;
  }

  /**
   * The newest successful deployment in the environment whose version is
   * not `excludeVersion` (the version being rolled back from).
   */
  async lastSucceeded(
    model: string,
    environment: string,
    excludeVersion?: number,
  ): Promise<Deployment | undefined> {
    const row = await this.db<DeploymentRow>(TABLE)
      .where({ model_name: model, environment })
      .whereNotNull('succeeded_at')
      .modify(q => {
        if (excludeVersion !== undefined) {
          q.whereNot({ version: excludeVersion });
        }
      })
      .orderBy('id', 'desc')
      .first();
    return row ? this.toDeployment(row) : undefined;
  }

  /**
   * The latest deployment of the model in each environment
   * (`DeploymentSource` for the health detectors).
   */
  async latestByEnvironment(model: string): Promise<
    Array<{
      id: string;
      environment: string;
      version: number;
      status: DeploymentStatus;
      message?: string;
      updatedAt: string;
    }>
  > {
    const newest = this.db(TABLE)
      .where({ model_name: model })
      .groupBy('environment')
      .max({ id: 'id' });
    const rows = await this.db<DeploymentRow>(TABLE)
      .whereIn('id', newest)
      .orderBy('environment');
    return rows.map(row => {
      const d = this.toDeployment(row);
      return {
        id: d.id,
        environment: d.environment,
        version: d.version,
        status: d.status,
        ...(d.message ? { message: d.message } : {}),
        updatedAt: d.updatedAt,
      };
    });
  }

  /**
   * Whether the version is deployed anywhere right now, or on its way: the
   * registry's retention must not delete such a version.
   */
  async isDeployed(model: string, version: number): Promise<boolean> {
    // What serves in an environment is its newest successful deployment,
    // even while a newer one is still rolling out.
    const newest = this.db(TABLE)
      .where({ model_name: model, status: 'succeeded' })
      .groupBy('environment')
      .max({ id: 'id' });
    const row = await this.db(TABLE)
      .where({ model_name: model, version })
      .where(q =>
        q.where({ active: true }).orWhere(q2 => q2.whereIn('id', newest)),
      )
      .first('id');
    return Boolean(row);
  }

  private async inFlightConflict(model: string, environment: string) {
    const inFlight = await this.active(model, environment);
    return new ConflictError(
      inFlight
        ? `Deployment ${inFlight.id} of ${model} version ${inFlight.version} to ${environment} is still ${inFlight.status}; wait for it to finish or report it failed`
        : `Another deployment of ${model} to ${environment} is in flight`,
    );
  }

  private toDeployment(row: DeploymentRow): Deployment {
    const startedAt = readTimestamp(row.started_at);
    let status: DeploymentStatus = row.status;
    if (
      status === 'in_progress' &&
      startedAt &&
      this.now().getTime() - startedAt.getTime() > this.stuckAfterMs
    ) {
      status = 'stuck';
    }
    return {
      id: String(row.id),
      model: row.model_name,
      version: Number(row.version),
      environment: row.environment,
      target: row.target,
      status,
      ...(row.message ? { message: row.message } : {}),
      ...(row.requested_by ? { requestedBy: row.requested_by } : {}),
      ...(row.rollback_of !== null && row.rollback_of !== undefined
        ? { rollbackOf: String(row.rollback_of) }
        : {}),
      ...(row.reason ? { reason: row.reason } : {}),
      createdAt: readRequiredIso(row.created_at),
      updatedAt: readRequiredIso(row.updated_at),
      ...(startedAt ? { startedAt: startedAt.toISOString() } : {}),
      ...(row.finished_at ? { finishedAt: readIso(row.finished_at) } : {}),
    };
  }
}
