import {
  MlopsDeploymentTarget,
  MlopsDeploymentTargetsExtensionPoint,
} from '@backstage-mlops/plugin-mlops-node';
import type { DeployedVersionCheck } from '../registry';
import { lateBound } from '../shared/lateBound';
import { VersionExistence } from './DeploymentService';

/**
 * Collects the targets that backend modules add through
 * `mlopsDeploymentTargetsExtensionPoint` before the plugin starts.
 */
export class DeploymentTargetCollector
  implements MlopsDeploymentTargetsExtensionPoint
{
  readonly targets: MlopsDeploymentTarget[] = [];

  addDeploymentTarget(...targets: MlopsDeploymentTarget[]): void {
    this.targets.push(...targets);
  }
}

/**
 * Adapts the registry to {@link VersionExistence}: its own `versionExists`
 * when it has one, otherwise `getVersion` answering with a NotFoundError.
 */
export function registryVersionCheck(registry: {
  versionExists?(model: string, version: number): Promise<boolean>;
  getVersion?(model: string, version: number): Promise<unknown>;
}): VersionExistence | undefined {
  if (registry.versionExists) {
    return { versionExists: (m, v) => registry.versionExists!(m, v) };
  }
  const getVersion = registry.getVersion?.bind(registry);
  if (!getVersion) {
    return undefined;
  }
  return {
    async versionExists(model, version) {
      try {
        await getVersion(model, version);
        return true;
      } catch (error) {
        if ((error as Error)?.name === 'NotFoundError') {
          return false;
        }
        throw error;
      }
    },
  };
}

/**
 * The registry's question to deployments (retention): is a version
 * deployed? Deployments is created after the registry, so the store is
 * looked up per call, once `bind` has been given it.
 */
export function deploymentLinks() {
  const later = lateBound<DeployedVersionCheck>('deployments');
  const deployedVersions: DeployedVersionCheck = {
    isDeployed: (model, version) => later.get().isDeployed(model, version),
  };
  return { bind: later.bind, deployedVersions };
}
