import { BackendPluginRegistrationPoints } from '@backstage/backend-plugin-api';
import {
  MlopsArtifactStore,
  mlopsArtifactStoreExtensionPoint,
  mlopsDeploymentTargetsExtensionPoint,
  mlopsSeedExtensionPoint,
  mlopsSourcesExtensionPoint,
} from '@backstage-mlops/plugin-mlops-node';
import { DeploymentTargetCollector } from './deployments';
import { SeederCollector } from './seeders';
import { SourceCollector } from './sources';

/**
 * Registers the plugin's extension points (mlops-node) and returns what
 * modules put into them, which the plugin reads once it starts.
 */
export function registerMlopsExtensionPoints(
  env: BackendPluginRegistrationPoints,
) {
  const deploymentTargets = new DeploymentTargetCollector();
  env.registerExtensionPoint(
    mlopsDeploymentTargetsExtensionPoint,
    deploymentTargets,
  );
  const sources = new SourceCollector();
  env.registerExtensionPoint(mlopsSourcesExtensionPoint, sources);
  const seeders = new SeederCollector();
  env.registerExtensionPoint(mlopsSeedExtensionPoint, seeders);
  let artifactStore: MlopsArtifactStore | undefined;
  env.registerExtensionPoint(mlopsArtifactStoreExtensionPoint, {
    setArtifactStore(store) {
      if (artifactStore) {
        throw new Error('An MLOps artifact store was already set');
      }
      artifactStore = store;
    },
  });
  return {
    deploymentTargets,
    sources,
    seeders,
    /** The store a module set, if any; read when artifacts is created. */
    artifactStore: () => artifactStore,
  };
}
