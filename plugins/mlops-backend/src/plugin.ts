import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { createArtifacts } from './artifacts';
import {
  createDeployments,
  deploymentLinks,
  registryVersionCheck,
} from './deployments';
import { createDrift } from './drift';
import { registerMlopsExtensionPoints } from './extensionPoints';
import { createFleet } from './fleet';
import { createHealth } from './health';
import { createIncidents } from './incidents';
import { createMlflow } from './mlflow';
import { createMonitoring } from './monitoring';
import { createObjects } from './objects';
import { createPipelines } from './pipelines';
import { createRegistry } from './registry';
import { createSources, sourceLinks } from './sources';
import { installCapabilities } from './shared/capability';
import { createSharedParts, mlopsPluginDeps } from './shared/sharedParts';
import { createTracking } from './tracking';
import { createTriage } from './triage';

/**
 * The MLOps backend plugin, served under `/api/mlops`: the shared parts, then
 * each capability after those it reads, each installed the same way
 * (ARCHITECTURE.md).
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    const extensions = registerMlopsExtensionPoints(env);
    env.registerInit({
      // Backstage's core services, the catalog, events and notifications.
      deps: mlopsPluginDeps,
      async init(deps) {
        const shared = { ...deps, ...(await createSharedParts(deps)) };
        // Links to capabilities created later, followed at request time.
        const toDeployments = deploymentLinks();
        const toSources = sourceLinks();
        const tracking = await createTracking({
          ...shared,
          mirroredHistory: toSources.mirroredHistory,
        });
        const registry = createRegistry({
          ...shared,
          runs: tracking.service,
          upstream: toSources.registryUpstream,
          deployments: toDeployments.deployedVersions,
        });
        const artifacts = await createArtifacts({
          ...shared,
          tracking: tracking.service,
          registry: registry.service,
          store: extensions.artifactStore(),
        });
        const mlflow = createMlflow({
          ...shared,
          tracking: tracking.service,
          registry: registry.wiring,
          artifactLocations: artifacts.service.locations,
        });
        const objects = createObjects({
          ...shared,
          registry: registry.service,
        });
        const deployments = createDeployments({
          ...shared,
          extraTargets: extensions.deploymentTargets.targets,
          versions: registryVersionCheck(registry.service),
        });
        toDeployments.bind(deployments.service);
        const pipelines = createPipelines(shared);
        const monitoring = createMonitoring({
          ...shared,
          registry: registry.service,
          serving: toSources.serving,
        });
        const drift = await createDrift({
          ...shared,
          registry: registry.service,
          featureWindows: monitoring.service.metrics,
        });
        const incidents = await createIncidents({
          ...shared,
          objects: objects.service,
          sources: {
            monitoring: monitoring.service.metrics,
            drift: drift.service.drift,
            deployments: deployments.service,
            pipelines: pipelines.service.detectorSource,
            registry: registry.service,
            mirrors: toSources.mirrors,
          },
        });
        const health = createHealth({
          ...shared,
          objects: objects.service,
          incidents: incidents.service.store,
        });
        const triage = createTriage({
          ...shared,
          objectFacts: objects.service,
          health: health.service,
          triageSignals: incidents.service.incidents,
        });
        const fleet = createFleet({
          ...shared,
          registry: registry.service,
          health: health.service,
          drift: drift.service.drift,
          incidents: incidents.service.store,
        });
        const sources = await createSources({
          ...shared,
          sources: extensions.sources.sources,
          tracking: tracking.service,
          registry: registry.service,
          pipelines: pipelines.service.store,
        });
        toSources.bind(sources.service);

        // Mounted in this order: artifacts adds routes under mlflow's path,
        // and MLflow's API answers ENDPOINT_NOT_FOUND for any it does not know.
        const capabilities = {
          health,
          tracking,
          artifacts,
          mlflow,
          registry,
          objects,
          deployments,
          pipelines,
          monitoring,
          drift,
          incidents,
          triage,
          fleet,
          sources,
        };
        await installCapabilities(Object.values(capabilities), shared);
        // Seeders from modules (the demo module) fill the stores last.
        await extensions.seeders.seedAll(shared, capabilities);
      },
    });
  },
});
