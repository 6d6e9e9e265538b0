// Capabilities reach a few created after them (sources, deployments) through
// closures that only run at request time; see ARCHITECTURE.md.
/* eslint-disable @typescript-eslint/no-use-before-define */
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { createArtifacts } from './artifacts';
import { createDeployments, registryVersionCheck } from './deployments';
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
import { createSources } from './sources';
import { Capability } from './shared/capability';
import { createSharedParts } from './shared/sharedParts';
import { createTracking } from './tracking';
import { createTriage } from './triage';

/**
 * The MLOps backend plugin, served under `/api/mlops`. See ARCHITECTURE.md:
 * shared parts first, then each capability in dependency order, then every
 * router mounted and every task scheduled the same way.
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    const extensions = registerMlopsExtensionPoints(env);
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        // Incidents notify their owners (incidents/IncidentNotifier.ts).
        notifications: notificationService,
      },
      async init(deps) {
        const { logger, httpRouter, scheduler } = deps;

        // Shared parts, built once.
        const shared = { ...deps, ...(await createSharedParts(deps)) };

        // Capabilities, each after those it reads.
        const tracking = await createTracking({
          ...shared,
          // A mirrored run's metric history is fetched from its source when
          // read; sources is created last and only asked then.
          mirroredHistory: {
            beforeRead: (runId, key) =>
              sources.service.refreshMetricHistory(runId, key),
          },
        });
        const registry = createRegistry({
          ...shared,
          runs: tracking.service,
          // Stage and alias changes to models mirrored from an MLflow server
          // go there first; sources is created last and only asked then.
          upstream: {
            transitionStage: (...change) =>
              sources.service.registryUpstream.transitionStage(...change),
            setAlias: (...change) =>
              sources.service.registryUpstream.setAlias(...change),
            deleteAlias: (...change) =>
              sources.service.registryUpstream.deleteAlias(...change),
            originOf: model => sources.service.registryUpstream.originOf(model),
          },
          // Retention and deployments need each other; deployments is created
          // below and only asked at request time.
          deployments: {
            isDeployed: (m, v) => deployments.service.isDeployed(m, v),
          },
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
        const pipelines = createPipelines(shared);
        const monitoring = createMonitoring({
          ...shared,
          registry: registry.service,
          // The sources capability is created last; it is only asked at
          // read time.
          serving: {
            windowMetrics: (subject, from, to, options) =>
              sources.service.windowMetrics(subject, from, to, options),
          },
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
            // Created last, like monitoring's serving source: asked at
            // check time whether a mirrored object's source is failing.
            mirrors: {
              unreachableSourceOf: (kind, name) =>
                sources.service.unreachableSourceOf(kind, name),
            },
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
          models: registry.service,
          health: health.service,
          fleetSources: {
            registry: registry.service,
            drift: drift.service.drift,
            incidents: incidents.service.store,
          },
        });
        // Pulls from the systems teams already run (mlops.sources.*) into the
        // stores above; installed source modules say which systems.
        const sources = await createSources({
          ...shared,
          sources: extensions.sources.sources,
          tracking: tracking.service,
          registry: registry.service,
          pipelines: pipelines.service.store,
        });

        const capabilities: Capability[] = [
          health,
          tracking,
          // Before mlflow: its API answers ENDPOINT_NOT_FOUND for any route
          // it does not know, and artifacts adds some under the same path.
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
        ];
        for (const capability of capabilities) {
          if (capability.router) {
            httpRouter.use(capability.router);
          }
          for (const task of capability.scheduledTasks ?? []) {
            await scheduler.scheduleTask(task);
          }
        }
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        // The MLflow endpoint checks credentials itself, so that a missing or
        // bad token is answered in MLflow's error shape (mlflow/defaults.ts,
        // and every artifacts route).
        httpRouter.addAuthPolicy({ path: '/mlflow', allow: 'unauthenticated' });
        // Source modules check webhook senders themselves (signatures).
        httpRouter.addAuthPolicy({
          path: '/sources/:type/:name/webhook',
          allow: 'unauthenticated',
        });

        // Seeders from modules (the demo module) fill the stores last.
        await extensions.seeders.seedAll({
          logger,
          db: shared.db,
          objects: objects.service,
          tracking: tracking.service,
          registry: registry.service,
          monitoring: monitoring.service.store,
          drift: drift.service.drift,
          driftStore: drift.service.store,
          incidents: incidents.service.incidents,
        });
      },
    });
  },
});
