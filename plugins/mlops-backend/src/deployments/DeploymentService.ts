import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { MlopsDeploymentTargetParams } from '@backstage-mlops/plugin-mlops-node';
import { DeploymentStore } from './DeploymentStore';
import { DeploymentTargets } from './targets';
import { Deployment } from './types';

/**
 * Answers whether a registered model has a version. The registry provides it
 * at wiring time; without it any positive version is accepted.
 */
export interface VersionExistence {
  versionExists(model: string, version: number): Promise<boolean>;
}

/** A deploy request after validation. */
export interface DeployRequest {
  model: string;
  version: number;
  environment: string;
  target?: MlopsDeploymentTargetParams;
  requestedBy?: string;
}

/** A rollback request after validation. */
export interface RollbackRequest {
  model: string;
  environment: string;
  reason: string;
  target?: MlopsDeploymentTargetParams;
  requestedBy?: string;
}

/**
 * Deploys model versions: checks the request, records the deployment (the
 * store enforces one in flight per model and environment), then hands it to
 * its target and records what the target reports.
 */
export class DeploymentService {
  constructor(
    private readonly options: {
      store: DeploymentStore;
      targets: DeploymentTargets;
      logger: LoggerService;
      versions?: VersionExistence;
      defaultTarget?: string;
    },
  ) {}

  async deploy(request: DeployRequest): Promise<Deployment> {
    const params = this.targetParams(request.target);
    const target = this.options.targets.get(params.type);
    await target.validate?.(params);
    await this.checkVersion(request.model, request.version);
    const deployment = await this.options.store.create({
      model: request.model,
      version: request.version,
      environment: request.environment,
      target: target.type,
      requestedBy: request.requestedBy,
    });
    return this.handOver(deployment, params);
  }

  /**
   * Re-deploys the last version that succeeded in the environment before
   * the current one, and marks the current one rolled back.
   */
  async rollback(request: RollbackRequest): Promise<Deployment> {
    const { store } = this.options;
    if (!(await store.modelExists(request.model))) {
      throw new NotFoundError(`No registered model ${request.model}`);
    }
    const params = this.targetParams(request.target);
    const target = this.options.targets.get(params.type);
    await target.validate?.(params);

    const inFlight = await store.active(request.model, request.environment);
    if (inFlight) {
      throw new ConflictError(
        `Deployment ${inFlight.id} of ${request.model} to ${request.environment} is still ${inFlight.status}; report it failed before rolling back`,
      );
    }
    const current = await store.latest(request.model, request.environment);
    if (!current || current.status === 'rolled_back') {
      throw new ConflictError(
        `${request.model} has no deployment in ${request.environment} to roll back`,
      );
    }
    const good = await store.lastSucceeded(
      request.model,
      request.environment,
      current.version,
    );
    if (!good) {
      throw new ConflictError(
        `No earlier version of ${request.model} succeeded in ${request.environment}; nothing to roll back to`,
      );
    }
    const deployment = await store.createRollback(current, {
      model: request.model,
      version: good.version,
      environment: request.environment,
      target: target.type,
      requestedBy: request.requestedBy,
      reason: request.reason,
    });
    this.options.logger.info(
      `Rolling back ${request.model} in ${request.environment} from version ${current.version} to ${good.version} (deployment ${deployment.id})`,
    );
    return this.handOver(deployment, params);
  }

  private targetParams(
    target: MlopsDeploymentTargetParams | undefined,
  ): MlopsDeploymentTargetParams {
    return target ?? { type: this.options.defaultTarget ?? 'record' };
  }

  private async checkVersion(model: string, version: number) {
    if (!(await this.options.store.modelExists(model))) {
      throw new NotFoundError(`No registered model ${model}`);
    }
    const { versions } = this.options;
    if (versions && !(await versions.versionExists(model, version))) {
      throw new NotFoundError(`${model} has no version ${version}`);
    }
  }

  private async handOver(
    deployment: Deployment,
    params: MlopsDeploymentTargetParams,
  ): Promise<Deployment> {
    const { store, targets, logger } = this.options;
    const target = targets.get(deployment.target);
    try {
      const result = await target.deploy(
        {
          id: deployment.id,
          model: deployment.model,
          version: deployment.version,
          environment: deployment.environment,
          requestedBy: deployment.requestedBy,
          rollbackOf: deployment.rollbackOf,
          reason: deployment.reason,
          createdAt: deployment.createdAt,
        },
        params,
      );
      if (!result?.status) {
        return deployment;
      }
      if (result.status === 'succeeded') {
        // Every deployment passes through in_progress, so the history and the
        // stuck check read the same for every target.
        await store.updateStatus(deployment.id, { status: 'in_progress' });
      }
      return await store.updateStatus(deployment.id, {
        status: result.status,
        message: result.message,
      });
    } catch (error) {
      logger.error(
        `Deployment target ${target.type} failed for deployment ${
          deployment.id
        }: ${(error as Error).message}`,
      );
      return store.updateStatus(deployment.id, {
        status: 'failed',
        message: `The ${target.type} target could not start the deployment`,
      });
    }
  }
}
